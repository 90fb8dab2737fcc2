package api_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyPayload answers the sample questionnaire in the API's shape.
func surveyPayload(sample int64, client string) string {
	var parts []string
	for _, c := range []string{"A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B6", "B7"} {
		parts = append(parts, `"`+c+`":{"v":["是"]}`)
	}
	parts = append(parts, `"B4":{"v":["否"]}`, `"D1":{"v":["18-30 岁"]}`, `"D2":{"v":["5"]}`)
	for i := 1; i <= 8; i++ {
		parts = append(parts, fmt.Sprintf(`"C%d":{"v":["满意"]}`, i))
	}
	return fmt.Sprintf(`{"sample_id":%d,"client_id":%q,"lng":113.33,"lat":33.70,"answers":{%s}}`, sample, client, strings.Join(parts, ","))
}

func TestSurveyAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	app := servertest.New(t)
	office := servertest.Actor(t, app, "office")
	for _, c := range []string{"410411001001", "410411001002"} {
		for i := 1; i <= 5; i++ {
			if _, err := app.Surveys.AddHousehold(ctx, office, survey.HouseholdInput{Community: c, Building: fmt.Sprint(i), Room: "101",
				HeadName: "刘海涛", HeadPhone: "13900001234", Residents: 2, Eligible: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
	qid, _ := app.Surveys.EnsureSample(ctx)
	insp, vol := servertest.Actor(t, app, "inspector"), servertest.Actor(t, app, "volunteer")
	r, err := app.Surveys.CreateRound(ctx, office, survey.RoundInput{Name: "接口测试", QuestionnaireID: qid, Areas: []string{"410411001001", "410411001002"},
		Mode: survey.ModeMock, StartsOn: "2026-01-01", EndsOn: "2099-01-01", Sampling: survey.Sampling{N: 3, Reserve: 1, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	// The first community to the inspector, the second to the volunteer.
	if err := app.Surveys.AssignCommunity(ctx, office, r.ID, "410411001001", insp.UserID); err != nil {
		t.Fatal(err)
	}
	if err := app.Surveys.AssignCommunity(ctx, office, r.ID, "410411001002", vol.UserID); err != nil {
		t.Fatal(err)
	}
	admin := app.SignedIn(t, "admin")
	token := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "inspector"), "入户调查 App")
	round := servertest.Itoa(r.ID)
	status, body := servertest.APICall(t, app, "GET", "/api/v1/survey-rounds/"+round+"/households", token, "")
	ids := regexp.MustCompile(`"sample_id":(\d+)`).FindAllStringSubmatch(string(body), -1)
	if status != 200 || len(ids) != 3 || strings.Contains(string(body), "刘海涛") || strings.Contains(string(body), "13900001234") {
		t.Fatalf("households: %d %s", status, body)
	}
	sample := servertest.MustAtoi(t, ids[0][1])
	status, body = servertest.APICall(t, app, "POST", "/api/v1/survey-interviews", token, surveyPayload(sample, "api-survey-0001"))
	if status != http.StatusCreated || !strings.Contains(string(body), `"state":"submitted"`) {
		t.Fatalf("interview: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "POST", "/api/v1/survey-interviews", token, surveyPayload(sample, "api-survey-0001"))
	if status != http.StatusOK || !strings.Contains(string(body), `"repeat":true`) {
		t.Fatalf("resent: %d %s", status, body)
	}
	// Refused: a second interview of the household, a missing answer, a
	// household of another interviewer, a refusal without a reason.
	_, others, err := app.Surveys.MyHouseholds(ctx, vol, r.ID)
	if err != nil || len(others) == 0 {
		t.Fatal(err)
	}
	missing := strings.Replace(surveyPayload(servertest.MustAtoi(t, ids[1][1]), "api-survey-0003"), `"A1":{"v":["是"]},`, "", 1)
	for _, tc := range []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"twice", "/api/v1/survey-interviews", surveyPayload(sample, "api-survey-0002"), http.StatusConflict, "survey.already_interviewed"},
		{"missing answer", "/api/v1/survey-interviews", missing, http.StatusBadRequest, "survey.answer_required"},
		{"not dealt", "/api/v1/survey-interviews", surveyPayload(others[0].ID, "api-survey-0004"), http.StatusForbidden, "survey.not_dealt_to_you"},
		{"refusal without reason", "/api/v1/survey-visits", fmt.Sprintf(`{"sample_id":%s,"client_id":"api-visit-0001","outcome":"refused"}`, ids[2][1]),
			http.StatusBadRequest, "survey.refusal_needs_reason"},
	} {
		status, body := servertest.APICall(t, app, "POST", tc.path, token, tc.body)
		if status != tc.status || servertest.ErrorCode(t, body) != tc.code {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
	}
	status, body = servertest.APICall(t, app, "POST", "/api/v1/survey-visits", token,
		fmt.Sprintf(`{"sample_id":%s,"client_id":"api-visit-0002","outcome":"refused","reason":"不在家中接受访问"}`, ids[2][1]))
	if status != http.StatusCreated || strings.Contains(string(body), `"released_sample_id":0`) {
		t.Fatalf("refusal: %d %s", status, body)
	}
	// The round's interviewer reads its aggregate figures, as the office does.
	if status, _ := servertest.APICall(t, app, "GET", "/api/v1/survey-rounds/"+round+"/results", token, ""); status != http.StatusOK {
		t.Fatalf("interviewer results: %d", status)
	}
	officeToken := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "office"), "创文办")
	status, body = servertest.APICall(t, app, "GET", "/api/v1/survey-rounds/"+round+"/results", officeToken, "")
	if status != 200 || !strings.Contains(string(body), `"visit":`) {
		t.Fatalf("results: %d %s", status, body)
	}
}
