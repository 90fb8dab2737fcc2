//go:build browser

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/problem"
)

// phone is the viewport of a citizen's phone.
func phone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
}

// TestCitizenReportsAndFollowsOnPhone: on a phone, a citizen reports with
// a photo through the public form; a wrong phone number brings the form
// back with everything entered and the photo kept; corrected, the report
// is filed with its photo and the confirmation's private link opens the
// status page, which asks for satisfaction once the case is closed.
func TestCitizenReportsAndFollowsOnPhone(t *testing.T) {
	base, app := startAppWith(t)
	ctx := newBrowser(t)
	photo := filepath.Join(t.TempDir(), "scene.jpg")
	if err := os.WriteFile(photo, sceneJPEG(), 0o644); err != nil {
		t.Fatal(err)
	}
	const desc = "人民路公交站台广告牌玻璃破碎"
	var alert, kept, keptDesc, keptAddr, code, link, state, unit string
	err := chromedp.Do(ctx,
		phone(),
		chromedp.Navigate(base+"/public/report"),
		chromedp.WaitVisible(chromedp.CSS(`#public-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#public-form input[name=photos]`), []string{photo}),
		chromedp.SendKeys(chromedp.CSS(`#public-form textarea[name=description]`), desc),
		chromedp.SendKeys(chromedp.CSS(`#public-form input[name=address]`), "人民路与建设路口"),
		chromedp.SetValue(chromedp.CSS(`#public-form input[name=region_code]`), "410411001001"), // folded under 坐标与区划代码（高级）
		chromedp.SendKeys(chromedp.CSS(`#public-form input[name=reporter_phone]`), "1381234"),
		clickAndWait(`#public-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.alert`)),
		textInto(`.alert`, &alert),
		// The kept photo is shown from the server, not chosen again.
		waitTrue(`(function(){var i=document.querySelector('#kept-photos img');return !!i && i.complete && i.naturalWidth > 0})()`),
		valueInto(`#kept-photos input[name=kept_photo]`, &kept),
		valueInto(`#public-form textarea[name=description]`, &keptDesc),
		valueInto(`#public-form input[name=address]`, &keptAddr),
		screenshotTo(t, "public-form-kept-390.png"),
		chromedp.SetValue(chromedp.CSS(`#public-form input[name=reporter_phone]`), "13812345678"),
		clickAndWait(`#public-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#track-link`)),
		textInto(`#receipt`, &code),
		textInto(`#track-link`, &link),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(alert, "11 位") || kept == "" || keptDesc != desc || keptAddr != "人民路与建设路口" {
		t.Fatalf("the refused form: alert %q, kept %q, description %q, address %q", alert, kept, keptDesc, keptAddr)
	}
	if !strings.Contains(link, "/track/") || code == "" {
		t.Fatalf("confirmation: code %q link %q", code, link)
	}
	bg := context.Background()
	id, err := app.Problems.IDByCode(bg, access.System(), code)
	if err != nil {
		t.Fatal(err)
	}
	events, err := app.Problems.Timeline(bg, access.System(), id)
	if err != nil || len(events) == 0 || len(events[0].Photos) != 1 {
		t.Fatalf("the report should carry the kept photo: %+v %v", events, err)
	}

	var width int
	err = chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`#track`)),
		textInto(`#track-state`, &state),
		textInto(`#track-unit`, &unit),
		intInto(`document.documentElement.scrollWidth`, &width),
		screenshotTo(t, "track-reported-390.png"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state != "已收到，待核实" || unit != "尚未交办" {
		t.Errorf("status page: state %q unit %q", state, unit)
	}
	if width > 390 {
		t.Errorf("the status page is %d px wide on a 390 px phone", width)
	}

	// The office files and dispatches, the community rectifies, the
	// inspector verifies: the citizen sees it closed and answers.
	sub, err := app.Categories.ByCode(bg, "SR02")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		who string
		in  problem.MoveInput
	}{
		{"office", problem.MoveInput{Action: problem.ActFile, CategoryID: sub.ID}},
		{"office", problem.MoveInput{Action: problem.ActDispatch}},
		{"shequ", problem.MoveInput{Action: problem.ActAccept}},
		{"shequ", problem.MoveInput{Action: problem.ActRectify, Note: "已更换玻璃", Photos: []string{events[0].Photos[0].Hash}}},
	} {
		in := m.in
		if _, err := app.Problems.Move(bg, actorNamed(t, app, m.who), id, in); err != nil {
			t.Fatalf("%s: %v", in.Action, err)
		}
	}
	if _, err := app.Problems.Move(bg, actorNamed(t, app, "inspector"), id, problem.MoveInput{Action: problem.ActVerifyPass}); err != nil {
		t.Fatal(err)
	}
	var rated string
	err = chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`#rating-form`)),
		textInto(`#track-state`, &state),
		textInto(`#track-unit`, &unit),
		waitTrue(`(function(){var i=document.querySelector('#track-after img');return !!i && i.complete && i.naturalWidth > 0})()`),
		chromedp.Click(chromedp.CSS(`#rating-form input[name=rating][value=satisfied]`)),
		screenshotTo(t, "track-closed-390.png"),
		clickAndWait(`#rating-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#track-rated`)),
		textInto(`#track-rated`, &rated),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state != "已办结" || unit != "社区（村）" || !strings.Contains(rated, "满意") {
		t.Errorf("closed: state %q unit %q answer %q", state, unit, rated)
	}
}
