//go:build browser

package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestProjectionInBrowser: the office opens 测评预估 from the navigation,
// sees the projected total and the criteria losing points, changes the
// method weights and sees the total follow.
func TestProjectionInBrowser(t *testing.T) {
	base, app := startAppWith(t)
	servertest.SeedProjection(t, &servertest.App{App: app})
	// No dossier source yet: the dossier criteria are 无数据. Field 40:
	// 20 × 2/4 + 10 × 1/3; survey 20: 15 × 12/14 + 5 × 10.8/12.
	before := fmt.Sprintf("%.2f", 20*2.0/4+10*1.0/3+15*12.0/14+5*10.8/12)
	// At 50 / 30 / 20: field 25 × 2/4 + 12.5 × 1/3; survey 22.5 × 12/14 + 7.5 × 10.8/12.
	after := fmt.Sprintf("%.2f", 25*2.0/4+12.5*1.0/3+22.5*12.0/14+7.5*10.8/12)
	b := newBrowser(t)
	var total, top, total2, flash string
	var rows int
	err := chromedp.Do(b,
		signIn(base, "office", "wenming-office-2026"),
		clickAndWait(`nav.nav a[href="/projection"]`),
		chromedp.WaitVisible(chromedp.CSS(`#projection-total`)),
		textInto(`#projection-total .num`, &total),
		textInto(`#projection-top tbody tr:first-child`, &top),
		intInto(`document.querySelectorAll("#projection-top tbody tr[data-criterion]").length`, &rows),
		screenshotTo(t, "projection.png"),
		chromedp.ScrollIntoView(chromedp.CSS(`#projection-top`)),
		screenshotTo(t, "projection-top.png"),
		chromedp.SetValue(chromedp.CSS(`#weights-form input[name=field]`), "50"),
		chromedp.SetValue(chromedp.CSS(`#weights-form input[name=survey]`), "30"),
		chromedp.SetValue(chromedp.CSS(`#weights-form input[name=dossier]`), "20"),
		clickAndWait(`#weights-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`.flash`, &flash),
		textInto(`#projection-total .num`, &total2),
	)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(total) != before {
		t.Errorf("total %q, want %s", total, before)
	}
	if rows < 3 || !strings.Contains(top, "1.1.1.1") || !strings.Contains(top, "失") {
		t.Errorf("%d lost-points rows, first %q", rows, top)
	}
	if strings.TrimSpace(total2) != after || !strings.Contains(flash, "权重已保存") {
		t.Errorf("after the weights: total %q (want %s), flash %q", total2, after, flash)
	}
}
