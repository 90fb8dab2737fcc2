package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

const (
	surveyCommunity = "410411001001"
	surveyStreet    = "410411001"
)

var (
	surveyRoundLink     = regexp.MustCompile(`^/surveys/rounds/(\d+)$`)
	surveyInterviewLink = regexp.MustCompile(`href="(/surveys/rounds/\d+/samples/(\d+)/interview)"`)
	surveyReviewLink    = regexp.MustCompile(`href="/surveys/interviews/(\d+)"`)
)

func surveyXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", ref, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// surveyRound has the office import households into the demo community
// and plan a round there for the demo inspector, supervised by the
// street's handler.
func surveyRound(t *testing.T, app *servertest.App, office *servertest.Browser) string {
	t.Helper()
	rows := [][]any{{"楼栋", "单元", "门牌", "户主姓名", "联系电话", "常住人数", "可抽样"}}
	for i := 1; i <= 8; i++ {
		rows = append(rows, []any{fmt.Sprint(i), "1", fmt.Sprintf("%d01", i), "欧阳明" + fmt.Sprint(i), fmt.Sprintf("1380000%04d", i), "3", "是"})
	}
	office.Get("/surveys/households?community=" + surveyCommunity)
	res := office.Upload("/surveys/households/import", "households.xlsx", map[string]string{"community": surveyCommunity}, surveyXLSX(t, rows))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("import households: %d\n%s", res.Status, res.Body)
	}
	page := office.Get("/surveys")
	servertest.MustContain(t, page.Body, "示例问卷")
	qid := regexp.MustCompile(`<option value="(\d+)"`).FindStringSubmatch(page.Body)[1]
	res = office.Post("/surveys", url.Values{"name": {"11 月模拟入户调查"}, "questionnaire": {qid}, "area": {surveyCommunity},
		"mode": {"mock"}, "starts_on": {"2026-11-01"}, "ends_on": {"2026-11-30"}, "per": {"community"}, "n": {"4"}, "reserve": {"2"},
		"seed": {"11"}, "max_absent": {"2"}, "interviewers": {servertest.UserIDByName(t, app, "inspector")}, "assign": {"even"}})
	m := surveyRoundLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create round: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	office.Get(res.Location)
	res = office.Post(res.Location+"/supervisors", url.Values{"street": {surveyStreet}, "user": {servertest.UserIDByName(t, app, "handler")}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("supervisor: %d\n%s", res.Status, res.Body)
	}
	return m[1]
}

// surveyAnswers answers the sample questionnaire: yes to every yes/no
// question but B4 (so B5 is skipped), the ratings rate.
func surveyAnswers(rate string) url.Values {
	v := url.Values{}
	for _, c := range []string{"A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B6", "B7"} {
		v.Set("q_"+c, "是")
	}
	v.Set("q_B4", "否")
	for i := 1; i <= 8; i++ {
		v.Set(fmt.Sprintf("q_C%d", i), rate)
	}
	v.Set("q_D1", "46-65 岁")
	v.Set("q_D2", "20")
	return v
}

func TestSurveyRoundThroughThePages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, insp, sup := app.SignedIn(t, "office"), app.SignedIn(t, "inspector"), app.SignedIn(t, "handler")
	round := surveyRound(t, app, office)

	// The interviewer sees the four households dealt, the name masked.
	mine := insp.Get("/surveys/rounds/" + round + "/mine")
	links := surveyInterviewLink.FindAllStringSubmatch(mine.Body, -1)
	if mine.Status != http.StatusOK || len(links) != 4 {
		t.Fatalf("mine: %d, %d households\n%s", mine.Status, len(links), mine.Body)
	}
	servertest.MustContain(t, mine.Body, "欧*")
	servertest.MustNotContain(t, mine.Body, "欧阳明", "13800000")

	// Bad answers are refused with a message; nothing is recorded.
	path := links[0][1]
	insp.Get(path)
	missing := surveyAnswers("满意")
	missing.Del("q_A1")
	missing.Set("client_id", "client-missing-01")
	if r := insp.Post(path, missing); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "必答") {
		t.Fatalf("missing answer: %d", r.Status)
	}
	outside := surveyAnswers("满意")
	outside.Set("q_C3", "很好")
	outside.Set("client_id", "client-outside-1")
	if r := insp.Post(path, outside); r.Status != http.StatusBadRequest {
		t.Fatalf("answer outside the options: %d", r.Status)
	}
	// A complete interview with a 不满意 the respondent wants reported.
	good := surveyAnswers("满意")
	good.Set("q_C1", "不满意")
	good.Set("note_C1", "楼道堆放杂物")
	good.Set("consent_C1", "1")
	good.Set("client_id", "client-good-0001")
	res := insp.Post(path, good)
	if res.Status != http.StatusOK {
		t.Fatalf("submit: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "问卷已提交")
	// Sent twice: recorded once.
	again := insp.Post(path, good)
	servertest.MustContain(t, again.Body, "此前已提交过")
	cases, _, err := app.Problems.List(context.Background(), access.System(), problem.Filter{Source: problem.SourceSurvey})
	if err != nil || len(cases) != 1 || !strings.Contains(cases[0].Description, "楼道堆放杂物") || cases[0].State != problem.Dispatched {
		t.Fatalf("the complaint as a case: %+v %v", cases, err)
	}
	// A refusal needs its reason; with it, a reserve household is released.
	visit := strings.Replace(links[1][1], "/interview", "/visit", 1)
	insp.Get("/surveys/rounds/" + round + "/mine")
	if r := insp.Post(visit, url.Values{"outcome": {"refused"}, "client_id": {"visit-noreason-1"}}); r.Status != http.StatusBadRequest {
		t.Fatalf("refusal without a reason: %d", r.Status)
	}
	r := insp.Post(visit, url.Values{"outcome": {"refused"}, "reason": {"不愿接受访问"}, "client_id": {"visit-refusal-1"}})
	servertest.MustContain(t, r.Body, "已启用一户备用样本")
	if n := len(surveyInterviewLink.FindAllStringSubmatch(r.Body, -1)); n != 3 {
		t.Fatalf("after the refusal %d households to interview, want 2 + 1 reserve", n)
	}

	// Someone else's interviewer cannot submit for the household.
	vol := app.SignedIn(t, "volunteer")
	vol.Get("/surveys")
	other := surveyAnswers("满意")
	other.Set("client_id", "client-volunteer-1")
	if r := vol.Post(path, other); r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
		t.Fatalf("volunteer submitted for a household not dealt: %d", r.Status)
	}

	// The supervisor approves; the office sees the rates.
	results := office.Get("/surveys/rounds/" + round + "/results")
	servertest.MustContain(t, results.Body, "另有 1 份答卷待审核")
	queue := sup.Get("/surveys/rounds/" + round + "/review")
	m := surveyReviewLink.FindStringSubmatch(queue.Body)
	if m == nil {
		t.Fatalf("nothing to review:\n%s", queue.Body)
	}
	sup.Get("/surveys/interviews/" + m[1])
	if r := sup.Post("/surveys/interviews/"+m[1]+"/review", url.Values{"decision": {"return"}}); r.Status != http.StatusBadRequest {
		t.Fatalf("return without a comment: %d", r.Status)
	}
	if r := sup.Post("/surveys/interviews/"+m[1]+"/review", url.Values{"decision": {"approve"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", r.Status, r.Body)
	}
	results = office.Get("/surveys/rounds/" + round + "/results")
	// 4 + 1 released sampled, 2 visited, 1 approved, 1 refusal: 入户率 40%,
	// 完成率 50%, 拒访率 50%; 知晓 5/5; 满意度 (40 + 7×80) / 8 = 75.
	for _, want := range []string{`data-figure="visit"><span class="num">40.0%`, `data-figure="completion"><span class="num">50.0%`,
		`data-figure="refusal"><span class="num">50.0%`, `data-figure="awareness"><span class="num">100.0%`,
		`data-figure="participation"><span class="num">66.7%`, `data-figure="satisfaction"><span class="num">75.0`} {
		servertest.MustContain(t, results.Body, want)
	}
	// The exports: results for who reads them, answers for the office only, masked.
	if r := office.Get("/surveys/rounds/" + round + "/results.xlsx"); r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "PK") {
		t.Fatalf("results export: %d", r.Status)
	}
	ans := office.Get("/surveys/rounds/" + round + "/answers.xlsx")
	if ans.Status != http.StatusOK {
		t.Fatalf("answers export: %d", ans.Status)
	}
	x, err := excelize.OpenReader(strings.NewReader(ans.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("答卷")
	if len(rows) != 2 || !strings.HasPrefix(rows[1][2], "欧*") || strings.Contains(strings.Join(rows[1], ""), "欧阳明") {
		t.Fatalf("answers sheet: %v", rows)
	}
	if r := sup.Get("/surveys/rounds/" + round + "/answers.xlsx"); r.Status != http.StatusForbidden {
		t.Fatalf("supervisor exported the answers: %d", r.Status)
	}
	// The workbench: the interviewer's households, the office's round.
	servertest.MustContain(t, insp.Get("/").Body, "待入户住户")
	servertest.MustContain(t, office.Get("/").Body, "进行中的入户调查")
}

func TestSurveyReturnAndResubmitKeepsBothVersions(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, insp, sup := app.SignedIn(t, "office"), app.SignedIn(t, "inspector"), app.SignedIn(t, "handler")
	round := surveyRound(t, app, office)
	links := surveyInterviewLink.FindAllStringSubmatch(insp.Get("/surveys/rounds/"+round+"/mine").Body, -1)
	insp.Get(links[0][1])
	first := surveyAnswers("满意")
	first.Set("client_id", "client-first-001")
	insp.Post(links[0][1], first)
	servertest.MustContain(t, sup.Get("/").Body, "待审核答卷")
	id := surveyReviewLink.FindStringSubmatch(sup.Get("/surveys/rounds/" + round + "/review").Body)[1]
	sup.Get("/surveys/interviews/" + id)
	if r := sup.Post("/surveys/interviews/"+id+"/review", url.Values{"decision": {"return"}, "comment": {"D2 年数与户籍不符"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("return: %d", r.Status)
	}
	page := insp.Get(links[0][1])
	servertest.MustContain(t, page.Body, "D2 年数与户籍不符", `value="20"`)
	second := surveyAnswers("满意")
	second.Set("q_D2", "6")
	second.Set("client_id", "client-second-01")
	if r := insp.Post(links[0][1], second); r.Status != http.StatusOK {
		t.Fatalf("resubmit: %d\n%s", r.Status, r.Body)
	}
	sup.Get("/surveys/interviews/" + id)
	if r := sup.Post("/surveys/interviews/"+id+"/review", url.Values{"decision": {"approve"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	show := office.Get("/surveys/interviews/" + id)
	servertest.MustContain(t, show.Body, "第 1 版", "第 2 版", "审核通过")
	if !regexp.MustCompile(`>20<`).MatchString(show.Body) || !regexp.MustCompile(`>6<`).MatchString(show.Body) {
		t.Fatalf("both versions are not shown:\n%s", show.Body)
	}
}

func TestSurveyHouseholdScope(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.SignedIn(t, "office")
	surveyRound(t, app, office)
	list := "/surveys/households?community=" + surveyCommunity
	for _, tc := range []struct {
		role   string
		status int
		full   bool
	}{
		{"office", http.StatusOK, true},
		{"shequ", http.StatusOK, true},    // the community's own handler
		{"handler", http.StatusOK, false}, // the street's handler: masked
		{"leader", http.StatusOK, false},
		{"inspector", http.StatusForbidden, false},
		{"volunteer", http.StatusForbidden, false},
		{"citizen", http.StatusForbidden, false},
	} {
		t.Run(tc.role, func(t *testing.T) {
			b := app.Browser(t)
			b.SignIn(tc.role, servertest.DemoPassword(tc.role))
			r := b.Get(list)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d", r.Status, tc.status)
			}
			if tc.status != http.StatusOK {
				servertest.MustNotContain(t, r.Body, "欧阳", "13800000")
				return
			}
			if got := strings.Contains(r.Body, "13800000001"); got != tc.full {
				t.Fatalf("unmasked phone shown: %v, want %v", got, tc.full)
			}
			servertest.MustContain(t, r.Body, "欧")
		})
	}
	// The community's handler gets nothing of another community.
	shequ := app.SignedIn(t, "shequ")
	if r := shequ.Get("/surveys/households?community=410411001002"); r.Status != http.StatusForbidden {
		t.Fatalf("another community: %d", r.Status)
	}
	// A malformed household sheet: row-numbered errors, nothing imported.
	shequ.Get(list)
	bad := surveyXLSX(t, [][]any{{"楼栋", "门牌", "户主姓名", "联系电话", "常住人数"}, {"1", "101", "张三", "12345", "3"}, {"", "", "李四", "", "多"}})
	r := shequ.Upload("/surveys/households/import", "bad.xlsx", map[string]string{"community": surveyCommunity}, bad)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("bad sheet: %d", r.Status)
	}
	servertest.MustContain(t, r.Body, "第 2 行「联系电话」", "第 3 行「地址」", "第 3 行「常住人数」", "未导入任何数据")
	if n := strings.Count(shequ.Get(list).Body, "<tr>"); n != 1+8 {
		t.Fatalf("%d rows after the refused import", n)
	}
}

func TestSurveyQuestionnaireImport(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.SignedIn(t, "office")
	page := office.Get("/surveys/questionnaires")
	id := regexp.MustCompile(`href="/surveys/questionnaires/(\d+)"`).FindStringSubmatch(page.Body)[1]
	exp := office.Get("/surveys/questionnaires/" + id + "/export.xlsx")
	if exp.Status != http.StatusOK {
		t.Fatalf("export: %d", exp.Status)
	}
	r := office.Upload("/surveys/questionnaires/import", "正式问卷.xlsx", map[string]string{"name": "正式问卷 2026"}, []byte(exp.Body))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("import the export: %d\n%s", r.Status, r.Body)
	}
	servertest.MustContain(t, office.Get(r.Location).Body, "正式问卷 2026", "B4", "非常满意")
	bad := surveyXLSX(t, [][]any{{"编码", "题目", "题型", "显示条件"}, {"Q1", "是否知道", "是否", ""}, {"Q1", "重复", "是否", ""}, {"Q3", "题型错", "排序", ""}, {"Q4", "跳转错", "是否", "Q9=是"}})
	r = office.Upload("/surveys/questionnaires/import", "bad.xlsx", nil, bad)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("bad questionnaire: %d", r.Status)
	}
	servertest.MustContain(t, r.Body, "第 3 行「编码」", "第 4 行「题型」", "第 5 行「显示条件」")
	// Others may not import.
	h := app.SignedIn(t, "handler")
	h.Get("/surveys/questionnaires")
	if r := h.Upload("/surveys/questionnaires/import", "x.xlsx", nil, []byte(exp.Body)); r.Status != http.StatusForbidden {
		t.Fatalf("handler imported: %d", r.Status)
	}
}

func TestSurveyOnTheDashboard(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, insp, sup := app.SignedIn(t, "office"), app.SignedIn(t, "inspector"), app.SignedIn(t, "handler")
	servertest.MustNotContain(t, office.Get("/dashboard").Body, `id="survey-panel"`)
	round := surveyRound(t, app, office)
	path := surveyInterviewLink.FindStringSubmatch(insp.Get("/surveys/rounds/" + round + "/mine").Body)[1]
	insp.Get(path)
	a := surveyAnswers("满意")
	a.Set("client_id", "client-dash-0001")
	insp.Post(path, a)
	id := surveyReviewLink.FindStringSubmatch(sup.Get("/surveys/rounds/" + round + "/review").Body)[1]
	sup.Get("/surveys/interviews/" + id)
	sup.Post("/surveys/interviews/"+id+"/review", url.Values{"decision": {"approve"}})
	page := office.Get("/dashboard")
	servertest.MustContain(t, page.Body, `id="survey-panel"`, "11 月模拟入户调查", "80.0")
	// A citizen has no survey.
	servertest.MustNotContain(t, app.SignedIn(t, "citizen").Get("/dashboard").Body, `id="survey-panel"`)
}

// TestSurveyAnswersScope: an interview's answers are shown to its
// interviewer, the street's supervisor and the office only; the answers
// sheet to the office only; the others read figures at most.
func TestSurveyAnswersScope(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, insp := app.SignedIn(t, "office"), app.SignedIn(t, "inspector")
	round := surveyRound(t, app, office)
	path := surveyInterviewLink.FindStringSubmatch(insp.Get("/surveys/rounds/" + round + "/mine").Body)[1]
	insp.Get(path)
	a := surveyAnswers("满意")
	a.Set("client_id", "client-scope-0001")
	insp.Post(path, a)
	id := surveyReviewLink.FindStringSubmatch(office.Get("/surveys/rounds/" + round + "/review").Body)[1]
	for _, tc := range []struct {
		role               string
		interview, answers int
		results            int
	}{
		{"office", http.StatusOK, http.StatusOK, http.StatusOK},
		{"inspector", http.StatusOK, http.StatusForbidden, http.StatusOK}, // the interviewer
		{"handler", http.StatusOK, http.StatusForbidden, http.StatusOK},   // the street's supervisor
		{"shequ", http.StatusNotFound, http.StatusForbidden, http.StatusOK},
		{"leader", http.StatusNotFound, http.StatusForbidden, http.StatusOK},
		{"volunteer", http.StatusNotFound, http.StatusNotFound, http.StatusNotFound},
		{"citizen", http.StatusForbidden, http.StatusForbidden, http.StatusForbidden},
	} {
		t.Run(tc.role, func(t *testing.T) {
			b := app.SignedIn(t, tc.role)
			if r := b.Get("/surveys/interviews/" + id); r.Status != tc.interview && !(tc.interview == http.StatusForbidden && r.Status == http.StatusNotFound) {
				t.Errorf("interview: %d, want %d", r.Status, tc.interview)
			} else if r.Status != http.StatusOK && strings.Contains(r.Body, "46-65 岁") {
				t.Error("answers shown on a refusal")
			}
			if r := b.Get("/surveys/rounds/" + round + "/answers.xlsx"); r.Status != tc.answers && !(tc.answers == http.StatusForbidden && r.Status == http.StatusNotFound) {
				t.Errorf("answers sheet: %d, want %d", r.Status, tc.answers)
			}
			if r := b.Get("/surveys/rounds/" + round + "/results"); r.Status != tc.results && !(tc.results == http.StatusForbidden && r.Status == http.StatusNotFound) {
				t.Errorf("results: %d, want %d", r.Status, tc.results)
			}
		})
	}
}

func TestSurveyInTheBulletin(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, insp, sup := app.SignedIn(t, "office"), app.SignedIn(t, "inspector"), app.SignedIn(t, "handler")
	round := surveyRound(t, app, office) // 2026-11-01 ~ 2026-11-30
	q := composeForm("410411", "custom", "2026-11-01", "2026-11-30").Encode()
	servertest.MustNotContain(t, office.Get("/bulletins/preview?"+q).Body, `id="bulletin-surveys"`) // nothing approved yet
	path := surveyInterviewLink.FindStringSubmatch(insp.Get("/surveys/rounds/" + round + "/mine").Body)[1]
	insp.Get(path)
	a := surveyAnswers("满意")
	a.Set("client_id", "client-bulletin-01")
	insp.Post(path, a)
	id := surveyReviewLink.FindStringSubmatch(sup.Get("/surveys/rounds/" + round + "/review").Body)[1]
	sup.Get("/surveys/interviews/" + id)
	sup.Post("/surveys/interviews/"+id+"/review", url.Values{"decision": {"approve"}})
	page := office.Get("/bulletins/preview?" + q)
	servertest.MustContain(t, page.Body, `id="bulletin-surveys"`, "11 月模拟入户调查", "样本 4 户，入户 1 户，审核通过答卷 1 份", "80.0")
	// A period the round does not touch has no survey section.
	other := composeForm("410411", "custom", "2026-10-01", "2026-10-15").Encode()
	servertest.MustNotContain(t, office.Get("/bulletins/preview?"+other).Body, `id="bulletin-surveys"`)
}
