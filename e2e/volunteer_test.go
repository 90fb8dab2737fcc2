//go:build browser

package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/server"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// volunteerStartApp serves the demo district with a data key, the
// volunteer store on a clock the test moves forward, and check-in codes
// that change every 4 seconds (30 in production) so that the rotation is
// seen within the test.
func volunteerStartApp(t *testing.T, offset *atomic.Int64) (string, *server.App) {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.DataKey = pii.GenerateKey()
	app, err := server.New(ctx, cfg, dbtest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	app.Volunteers.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	app.Volunteers.CodeEvery = 4 * time.Second
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(srv.Close)
	return srv.URL, app
}

// TestVolunteerChecksInOnPhone: a volunteer signs up on their phone; the
// organiser's page shows the rotating code; the volunteer scans it with an
// emulated position, checks in, later checks out; the organiser confirms
// the hours, and the volunteer's page shows them and the star they reach.
func TestVolunteerChecksInOnPhone(t *testing.T) {
	var offset atomic.Int64
	base, app := volunteerStartApp(t, &offset)
	ctx := context.Background()
	s := app.Volunteers
	sys := access.System()
	leader, vol := actorNamed(t, app, "shequ"), actorNamed(t, app, "volunteer")
	team, err := s.CreateTeam(ctx, sys, volunteer.TeamInput{Name: "紫荆树志愿服务队", Kind: "文明劝导", LeaderID: leader.UserID, RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	first := "99041119900101001"
	c, _ := pii.CheckDigit(first)
	// 99.5 hours from the national platform: the activity takes them past
	// the first star.
	if _, err := s.SeedVolunteers(ctx, sys, []volunteer.SeedVolunteer{{Input: volunteer.Input{Name: "周志愿", IDNumber: first + string(c),
		RegionCode: "410411001001", UserID: vol.UserID}, Teams: []int64{team}, HistoryMinutes: 99*60 + 30}}); err != nil {
		t.Fatal(err)
	}
	const lat, lng = 33.7300, 113.3200
	now := s.Now()
	aid, err := s.CreateActivity(ctx, leader, volunteer.ActivityInput{Title: "文明劝导·建设路口", Kind: "persuade", TeamID: team,
		Address: "建设路与开源路口", Lng: lng, Lat: lat, RadiusM: 150, StartsAt: now.Add(-5 * time.Minute), EndsAt: now.Add(60 * time.Minute), Quota: 10})
	if err != nil {
		t.Fatal(err)
	}
	act := base + "/volunteers/activities/" + strconv.FormatInt(aid, 10)

	phoneV, phoneO := newBrowser(t), newBrowser(t)
	var signed string
	if err := chromedp.Do(phoneV,
		onPhone(),
		geolocation(base, true, lat+0.0003, lng+0.0002), // about 40 m from the meeting point
		signIn(base, "volunteer", "wenming-volunteer-2026"),
		chromedp.Navigate(act),
		clickAndWait(`button[data-signup]`),
		textInto(`[data-my-signup]`, &signed),
		screenshotTo(t, "volunteer-signed-up.png"),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(signed, "您已报名") {
		t.Fatalf("after signing up: %q", signed)
	}

	// The organiser's phone shows the code, and it changes by itself.
	var url1, url2 string
	if err := chromedp.Do(phoneO,
		onPhone(),
		signIn(base, "shequ", "wenming-shequ-2026"),
		chromedp.Navigate(act),
		clickAndWait(`a[data-code-link]`),
		chromedp.WaitVisible(chromedp.CSS(`img[data-code-img]`)),
		evalInto(`document.querySelector('[data-code]').dataset.url`, &url1),
		waitTrue(`Number(document.querySelector('[data-code]').dataset.rotations || 0) >= 1`),
		evalInto(`document.querySelector('[data-code]').dataset.url`, &url2),
		screenshotTo(t, "volunteer-organiser-code.png"),
	); err != nil {
		t.Fatal(err)
	}
	if url1 == url2 || !strings.Contains(url2, "/volunteers/checkin?t=") {
		t.Fatalf("the code did not change: %q → %q", url1, url2)
	}

	// scan opens the code now on the organiser's phone on the
	// volunteer's, which takes the position and sends it.
	scan := func(mode string, result *string) {
		t.Helper()
		var u string
		if err := chromedp.Do(phoneO,
			chromedp.Navigate(act+"/code?mode="+mode),
			chromedp.WaitVisible(chromedp.CSS(`img[data-code-img]`)),
			evalInto(`document.querySelector('[data-code]').dataset.url`, &u),
		); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(phoneV,
			chromedp.Navigate(u),
			waitTrue(`!document.querySelector('[data-checkin-submit]').disabled && document.querySelector('input[name=lat]').value !== ""`),
			clickAndWait(`[data-checkin-submit]`),
			textInto(`main`, result),
			screenshotTo(t, "volunteer-"+mode+".png"),
		); err != nil {
			t.Fatal(err)
		}
	}
	var in, out string
	scan("in", &in)
	if !strings.Contains(in, "签到成功") {
		t.Fatalf("check-in: %q", in)
	}
	offset.Add(int64(50 * time.Minute)) // fifty minutes of work
	scan("out", &out)
	if !strings.Contains(out, "签退成功") || !strings.Contains(out, "本次服务 0.8 小时") {
		t.Fatalf("check-out: %q", out)
	}

	// After the end the organiser confirms; the hours reach the
	// volunteer's page, and with them the first star.
	offset.Add(int64(30 * time.Minute))
	var flash, total, star string
	if err := chromedp.Do(phoneO,
		chromedp.Navigate(act),
		clickAndWait(`button[data-confirm-hours]`),
		textInto(`.flash`, &flash),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(flash, "1 名志愿者") {
		t.Fatalf("confirm: %q", flash)
	}
	if err := chromedp.Do(phoneV,
		chromedp.Navigate(base+"/volunteers/me"),
		textInto(`[data-total-hours]`, &total),
		evalInto(`document.querySelector('h1 [data-star]').textContent`, &star),
		screenshotTo(t, "volunteer-page.png"),
	); err != nil {
		t.Fatal(err)
	}
	if total != "100.3" || star != "一星志愿者" {
		t.Fatalf("volunteer page: %q hours, star %q", total, star)
	}
}
