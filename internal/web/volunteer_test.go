package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// testID makes a valid ID number of the demo's test range (province 99).
func testID(seq int) string {
	first := fmt.Sprintf("99041119%02d0%d%02d%03d", 80+seq%20, 1+seq%9, 10+seq%18, seq%1000)
	c, _ := pii.CheckDigit(first)
	return first + string(c)
}

// volunteerApp is the application with the volunteer store on its clock.
func volunteerApp(t *testing.T) *servertest.App {
	t.Helper()
	app := servertest.New(t)
	app.Volunteers.Now = app.Now
	return app
}

// volunteerUser adds a user with the volunteer role in a community.
func volunteerUser(t *testing.T, app *servertest.App, name string) {
	t.Helper()
	unit := servertest.MustAtoi(t, servertest.UnitID(t, app, "410411001001"))
	if _, _, err := app.Org.CreateUser(context.Background(), access.System(), org.UserInput{Username: name, DisplayName: "志愿者" + name,
		UnitID: unit, Roles: []access.Role{access.RoleVolunteer}, Password: name + "-pass-9"}); err != nil {
		t.Fatal(err)
	}
}

var idInLocation = regexp.MustCompile(`/volunteers/(\d+)$`)

// volunteerSetup registers the demo volunteer user as a volunteer in a new
// team led by the community handler ("shequ"), and an activity of the
// team starting in an hour, 120 minutes long, at 湛河区's centre.
func volunteerSetup(t *testing.T, app *servertest.App, office *servertest.Browser) (volunteerID, teamID, activityID string) {
	t.Helper()
	office.Get("/volunteers/teams")
	res := office.Post("/volunteers/teams", url.Values{"name": {"紫荆树志愿服务队"}, "kind": {"文明劝导"},
		"leader": {servertest.UserIDByName(t, app, "shequ")}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create team: %d\n%s", res.Status, res.Body)
	}
	teamID = res.Location[strings.LastIndex(res.Location, "/")+1:]
	office.Get("/volunteers/list")
	res = office.Post("/volunteers/list", url.Values{"name": {"周志愿"}, "id_number": {testID(1)}, "phone": {"13900000005"},
		"region": {"410411001001"}, "team": {teamID}, "user": {servertest.UserIDByName(t, app, "volunteer")}})
	m := idInLocation.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("register volunteer: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	volunteerID = m[1]
	starts := app.Now().In(volunteer.Loc()).Add(time.Hour).Format("2006-01-02T15:04")
	office.Get("/volunteers/activities")
	res = office.Post("/volunteers/activities", url.Values{"title": {"文明交通劝导（建设路口）"}, "kind": {"persuade"}, "team": {teamID},
		"starts_at": {starts}, "minutes": {"120"}, "lng": {"113.3200"}, "lat": {"33.7300"}, "radius": {"200"}, "quota": {"2"},
		"open_to": {"anyone"}, "weeks": {"1"}, "address": {"建设路与开源路口"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create activity: %d\n%s", res.Status, res.Body)
	}
	activityID = res.Location[strings.LastIndex(res.Location, "/")+1:]
	return volunteerID, teamID, activityID
}

// currentToken asks the organiser's code page for the token now showing.
func currentToken(t *testing.T, org *servertest.Browser, activityID, mode string) string {
	t.Helper()
	res := org.Get("/volunteers/activities/" + activityID + "/code.json?mode=" + mode)
	var c struct {
		URL string `json:"url"`
		PNG string `json:"png"`
	}
	if res.Status != http.StatusOK || json.Unmarshal([]byte(res.Body), &c) != nil || !strings.HasPrefix(c.PNG, "data:image/png;base64,") {
		t.Fatalf("code.json: %d %s", res.Status, res.Body)
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("t")
}

func TestVolunteerCheckInAndHours(t *testing.T) {
	t.Parallel()
	app := volunteerApp(t)
	office, vol, leader := app.SignedIn(t, "office"), app.SignedIn(t, "volunteer"), app.SignedIn(t, "shequ")
	vid, _, aid := volunteerSetup(t, app, office)
	act := "/volunteers/activities/" + aid

	// The volunteer signs up; the organiser (team leader) sees the code.
	vol.Get(act)
	if res := vol.Post(act+"/signup", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("sign up: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, vol.Get(act).Body, "您已报名")
	page := leader.Get(act + "/code")
	servertest.MustContain(t, page.Body, "data-code", "data:image/png;base64,")

	checkin := func(tok string, lng, lat float64) servertest.Response {
		vol.Get("/volunteers/checkin?t=" + url.QueryEscape(tok))
		return vol.Post("/volunteers/checkin", url.Values{"t": {tok}, "lng": {fmt.Sprint(lng)}, "lat": {fmt.Sprint(lat)}})
	}
	// Too early: the window opens 30 minutes before the start.
	tok := currentToken(t, leader, aid, "in")
	if res := checkin(tok, 113.32, 33.73); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "不在签到时间内") {
		t.Fatalf("early check-in: %d\n%s", res.Status, res.Body)
	}
	app.Advance(time.Hour + 5*time.Minute)
	tok = currentToken(t, leader, aid, "in")
	parsed, _ := volunteer.ParseToken(tok)
	forged := strings.Join([]string{strings.Split(tok, ".")[0], strings.Split(tok, ".")[1], "in", "AAAAAAAAAAAAAAAAAAAAAA"}, ".")
	otherActivity := strings.Replace(tok, strings.Split(tok, ".")[0]+".", "zz.", 1)
	tests := []struct {
		name     string
		tok      string
		lng, lat float64
		noPos    bool
		status   int
		want     string
	}{
		{"forged signature", forged, 113.32, 33.73, false, http.StatusBadRequest, "二维码无效"},
		{"another activity's id", otherActivity, 113.32, 33.73, false, http.StatusBadRequest, "二维码无效"},
		{"garbage", "hello", 113.32, 33.73, false, http.StatusBadRequest, "二维码无效"},
		{"no position", tok, 0, 0, true, http.StatusBadRequest, "没有收到您的位置"},
		{"1.1 km away", tok, 113.3316, 33.73, false, http.StatusBadRequest, "超出签到范围（200 米）"},
		{"check-out before check-in", strings.Replace(currentToken(t, leader, aid, "out"), "", "", 0), 113.32, 33.73, false, http.StatusConflict, "请先签到"},
	}
	for _, tc := range tests {
		vol.Get("/volunteers/checkin?t=x")
		form := url.Values{"t": {tc.tok}}
		if !tc.noPos {
			form.Set("lng", fmt.Sprint(tc.lng))
			form.Set("lat", fmt.Sprint(tc.lat))
		}
		res := vol.Post("/volunteers/checkin", form)
		if res.Status != tc.status || !strings.Contains(res.Body, tc.want) {
			t.Errorf("%s: %d, want %d %q\n%s", tc.name, res.Status, tc.status, tc.want, res.Body)
		}
	}
	if parsed.Activity == 0 {
		t.Fatal("token does not parse")
	}
	// Someone not signed up is refused.
	outsider := app.SignedIn(t, "citizen")
	outsider.Get("/volunteers/checkin?t=x")
	if res := outsider.Post("/volunteers/checkin", url.Values{"t": {tok}, "lng": {"113.32"}, "lat": {"33.73"}}); res.Status != http.StatusForbidden {
		t.Errorf("outsider check-in: %d", res.Status)
	}
	// Inside the fence and the window: checked in, once.
	if res := checkin(tok, 113.3205, 33.7302); res.Status != http.StatusOK || !strings.Contains(res.Body, "签到成功") {
		t.Fatalf("check-in: %d\n%s", res.Status, res.Body)
	}
	if res := checkin(currentToken(t, leader, aid, "in"), 113.32, 33.73); res.Status != http.StatusConflict || !strings.Contains(res.Body, "请勿重复签到") {
		t.Fatalf("second check-in: %d\n%s", res.Status, res.Body)
	}
	// On duty (文明劝导), a 随手拍 report counts for the activity.
	vol.Get("/report")
	rep := vol.PostMultipart("/report", map[string]string{"category_id": servertest.CategoryID(t, app, "SR01"),
		"description": "路口有人乱扔烟头", "address": "建设路与开源路口", "region_code": "410411001001"},
		map[string][][]byte{"photos": {servertest.JPEGBytes(3)}})
	if rep.Status != http.StatusSeeOther {
		t.Fatalf("report on duty: %d\n%s", rep.Status, rep.Body)
	}
	servertest.MustContain(t, leader.Get(act).Body, `data-reports="1"`, "活动期间随手拍的问题（1 件）")
	// A code photographed now is useless a minute later.
	old := currentToken(t, leader, aid, "out")
	app.Advance(61 * time.Second)
	if res := checkin(old, 113.32, 33.73); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "二维码已过期") {
		t.Fatalf("expired code: %d\n%s", res.Status, res.Body)
	}
	// Check-out 100 minutes after the check-in.
	app.Advance(99 * time.Minute)
	if res := checkin(currentToken(t, leader, aid, "out"), 113.32, 33.73); res.Status != http.StatusOK || !strings.Contains(res.Body, "签退成功") {
		t.Fatalf("check-out: %d\n%s", res.Status, res.Body)
	}
	// Hours are credited only when the organiser confirms, after the end.
	leader.Get(act)
	if res := leader.Post(act+"/confirm", nil); res.Status != http.StatusConflict {
		t.Fatalf("confirm before the end: %d", res.Status)
	}
	app.Advance(time.Hour)
	leader.Get(act)
	if res := leader.Post(act+"/confirm", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d\n%s", res.Status, res.Body)
	}
	if res := leader.Post(act+"/confirm", nil); res.Status != http.StatusConflict {
		t.Fatalf("confirm twice: %d", res.Status)
	}
	// Checked in at +1h05m, out at +2h45m: clipped to the window's end
	// (+3h) no; 1h41m of work inside 1h..3h → 101 minutes.
	mine := vol.Get("/volunteers/me")
	servertest.MustContain(t, mine.Body, `data-total-hours>1.7<`, "扫码签到")

	// Corrections: a reason is required, only the organiser may, and a
	// correction is a new entry.
	office2 := app.SignedIn(t, "leader") // 李区长 oversees, does not organise
	office2.Get(act)
	tests2 := []struct {
		who    *servertest.Browser
		form   url.Values
		status int
	}{
		{leader, url.Values{"volunteer": {vid}, "hours": {"2"}}, http.StatusBadRequest},
		{office2, url.Values{"volunteer": {vid}, "hours": {"2"}, "reason": {"补记"}}, http.StatusForbidden},
		{leader, url.Values{"volunteer": {vid}, "hours": {"2"}, "reason": {"签退时手机没电，实际服务到活动结束"}}, http.StatusSeeOther},
	}
	for i, tc := range tests2 {
		tc.who.Get(act)
		if res := tc.who.Post(act+"/corrections", tc.form); res.Status != tc.status {
			t.Errorf("correction %d: %d, want %d\n%s", i, res.Status, tc.status, res.Body)
		}
	}
	mine = vol.Get("/volunteers/me")
	servertest.MustContain(t, mine.Body, `data-total-hours>2<`, "签退时手机没电", "更正")
	var entries, sum int64
	if err := app.DB.QueryRow(context.Background(), "SELECT COUNT(*), SUM(minutes) FROM volunteer_hours WHERE volunteer_id = ?", vid).Scan(&entries, &sum); err != nil {
		t.Fatal(err)
	}
	if entries != 2 || sum != 120 {
		t.Fatalf("ledger has %d entries, %d minutes; want 2, 120", entries, sum)
	}
	// The ID number is not in the database in clear.
	var sealed, masked string
	if err := app.DB.QueryRow(context.Background(), "SELECT id_sealed, id_masked FROM volunteer WHERE id = ?", vid).Scan(&sealed, &masked); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, testID(1)) || masked != pii.MaskID(testID(1)) {
		t.Fatalf("stored %q / %q", sealed, masked)
	}
	// The workbench: nothing left to confirm for the leader.
	wb := leader.Get("/")
	servertest.MustContain(t, wb.Body, `data-kind="volunteer/confirm" data-count="0"`)
}

func TestVolunteerSignupQueueAndOverlap(t *testing.T) {
	t.Parallel()
	app := volunteerApp(t)
	office := app.SignedIn(t, "office")
	_, teamID, aid := volunteerSetup(t, app, office)
	ctx := context.Background()
	sys := access.System()
	// Two more volunteers with accounts (the quota is 2).
	var accounts []*servertest.Browser
	for i, name := range []string{"vol2", "vol3"} {
		volunteerUser(t, app, name)
		uid := servertest.MustAtoi(t, servertest.UserIDByName(t, app, name))
		if _, err := app.Volunteers.Register(ctx, sys, volunteer.Input{Name: "志愿者" + name, IDNumber: testID(10 + i), RegionCode: "410411001001",
			UserID: uid, TeamID: servertest.MustAtoi(t, teamID)}); err != nil {
			t.Fatal(err)
		}
		b := app.Browser(t)
		b.SignIn(name, name+"-pass-9")
		accounts = append(accounts, b)
	}
	vol := app.SignedIn(t, "volunteer")
	act := "/volunteers/activities/" + aid
	for i, b := range append([]*servertest.Browser{vol}, accounts...) {
		b.Get(act)
		res := b.Post(act+"/signup", nil)
		want := []string{"报名成功", "报名成功", "候补名单"}[i]
		page := b.Get(act)
		if res.Status != http.StatusSeeOther || !strings.Contains(page.Body, want) {
			t.Fatalf("sign-up %d: %d\n%s", i, res.Status, page.Body)
		}
	}
	// The first cancels: the one waiting moves up.
	vol.Get(act)
	if res := vol.Post(act+"/cancel", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.Status)
	}
	servertest.MustContain(t, accounts[1].Get(act).Body, `data-my-signup="signed"`)
	// An overlapping activity is refused for someone on the first.
	starts := app.Now().In(volunteer.Loc()).Add(90 * time.Minute).Format("2006-01-02T15:04")
	office.Get("/volunteers/activities")
	res := office.Post("/volunteers/activities", url.Values{"title": {"敬老院探访"}, "kind": {"elderly"}, "starts_at": {starts}, "minutes": {"60"},
		"lng": {"113.33"}, "lat": {"33.72"}, "radius": {"100"}, "quota": {"10"}, "weeks": {"1"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("second activity: %d\n%s", res.Status, res.Body)
	}
	second := res.Location
	accounts[0].Get(second)
	if res := accounts[0].Post(second+"/signup", nil); res.Status != http.StatusConflict || !strings.Contains(res.Body, "时间冲突") {
		t.Fatalf("overlapping sign-up: %d\n%s", res.Status, res.Body)
	}
}
