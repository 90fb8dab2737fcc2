package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

func TestVolunteerCheckinAPI(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	app.Volunteers.Now = app.Now
	ctx := context.Background()
	sys := access.System()
	leader, vol := servertest.Actor(t, app, "shequ"), servertest.Actor(t, app, "volunteer")
	team, err := app.Volunteers.CreateTeam(ctx, sys, volunteer.TeamInput{Name: "红马甲志愿服务队", Kind: "清洁家园", LeaderID: leader.UserID, RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := pii.CheckDigit("99041119900101001")
	if _, err := app.Volunteers.Register(ctx, sys, volunteer.Input{Name: "周志愿", IDNumber: "99041119900101001" + string(c),
		RegionCode: "410411001001", UserID: vol.UserID, TeamID: team}); err != nil {
		t.Fatal(err)
	}
	now := app.Now()
	aid, err := app.Volunteers.CreateActivity(ctx, leader, volunteer.ActivityInput{Title: "清洁家园", Kind: "clean", TeamID: team,
		Lng: 113.32, Lat: 33.73, RadiusM: 100, StartsAt: now, EndsAt: now.Add(time.Hour), Quota: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Volunteers.SignUpFor(ctx, vol, aid); err != nil {
		t.Fatal(err)
	}
	admin := app.SignedIn(t, "admin")
	token := servertest.CreateToken(t, admin, servertest.Itoa(vol.UserID), "志愿者 App")
	code, err := app.Volunteers.CurrentCode(ctx, leader, aid, "in")
	if err != nil {
		t.Fatal(err)
	}
	body := func(tok string, lng float64) string {
		b, _ := json.Marshal(map[string]any{"token": tok, "lng": lng, "lat": 33.73})
		return string(b)
	}
	tests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"no position", `{"token":"` + code.Token + `"}`, http.StatusBadRequest, "volunteer.no_position"},
		{"too far", body(code.Token, 113.33), http.StatusBadRequest, "volunteer.too_far"},
		{"forged", body(code.Token+"x", 113.32), http.StatusBadRequest, "volunteer.code_forged"},
		{"checked in", body(code.Token, 113.32), http.StatusOK, ""},
		{"twice", body(code.Token, 113.32), http.StatusConflict, "volunteer.checked_in_twice"},
	}
	for _, tc := range tests {
		status, res := servertest.APICall(t, app, "POST", "/api/v1/volunteer-checkins", token, tc.body)
		if status != tc.status || tc.code != "" && servertest.ErrorCode(t, res) != tc.code {
			t.Errorf("%s: %d %s", tc.name, status, res)
		}
	}
}
