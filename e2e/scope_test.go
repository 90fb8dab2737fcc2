//go:build browser

package e2e

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/demo"
)

var ledgerTotal = regexp.MustCompile(`共 (\d+) 条`)

// TestStreetHandlerSupervisesItsCommunities: the demo's handler of 马庄街道
// opens the ledger and finds the cases of the street and its communities —
// as many as the database holds for them — narrows it to the communities,
// opens one and is told it is the community's to handle, with no action.
func TestStreetHandlerSupervisesItsCommunities(t *testing.T) {
	base, app := startAppWith(t)
	ctx := context.Background()
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	if _, err := demo.LoadCases(ctx, deps, time.Now(), 120, 30); err != nil {
		t.Fatal(err)
	}
	// The independent count, straight from the tables: the cases with the
	// street office, with its communities, or reported by the handler.
	const tree = `(SELECT id FROM unit WHERE code = '410411001' UNION SELECT c.id FROM unit c JOIN unit s ON s.id = c.parent_id WHERE s.code = '410411001')`
	count := func(q string) int {
		t.Helper()
		var n int
		if err := app.DB.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	all := count(`SELECT COUNT(*) FROM problem WHERE unit_id IN ` + tree +
		` OR reporter_id = (SELECT id FROM app_user WHERE username = 'handler')`)
	communities := count(`SELECT COUNT(*) FROM problem p JOIN unit u ON u.id = p.unit_id JOIN unit s ON s.id = u.parent_id WHERE s.code = '410411001'`)
	if communities == 0 {
		t.Fatal("the demo gave 马庄街道's communities no case")
	}
	b := newBrowser(t)
	var ledger, below, firstUnit, casePage string
	var actionForms, notes int
	err := chromedp.Do(b,
		signIn(base, "handler", "wenming-handler-2026"),
		chromedp.Navigate(base+"/problems"),
		chromedp.WaitVisible(chromedp.CSS(`#ledger`)),
		textInto(`main`, &ledger),
		// 只看下级单位, through the filter form.
		chromedp.Click(chromedp.CSS(`.filters-card > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=below]`)),
		chromedp.Click(chromedp.CSS(`input[name=below]`)),
		clickAndWait(`.filters button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#ledger`)),
		textInto(`main`, &below),
		textInto(`#ledger tbody tr:first-child td[data-label="责任单位"]`, &firstUnit),
		clickAndWait(`#ledger tbody tr:first-child a[href^="/problems/"]`),
		chromedp.WaitVisible(chromedp.CSS(`#supervised`)),
		textInto(`main`, &casePage),
		evalInto(`document.querySelectorAll('.action-form, form[action$="/act"]').length`, &actionForms),
		evalInto(`document.querySelectorAll('#supervised').length`, &notes),
	)
	if err != nil {
		t.Fatal(err)
	}
	total := func(page string) int {
		m := ledgerTotal.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no total on the ledger:\n%.600s", page)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	if got := total(ledger); got == 0 || got != all {
		t.Errorf("the street's ledger counts %d cases; the database holds %d for the street and its communities", got, all)
	}
	if got := total(below); got != communities {
		t.Errorf("below the street: %d cases, the database holds %d", got, communities)
	}
	if !strings.Contains(firstUnit, "委员会") || strings.Contains(firstUnit, "办事处") {
		t.Errorf("the first of the communities' cases is with %q", firstUnit)
	}
	if notes != 1 || !strings.Contains(casePage, "本案由下级单位") || !strings.Contains(casePage, strings.TrimSpace(firstUnit)) {
		t.Errorf("the case page lacks the read-only note:\n%.800s", casePage)
	}
	t.Logf("street ledger %d cases (database %d), communities' %d (database %d)", total(ledger), all, total(below), communities)
	if actionForms != 0 {
		t.Errorf("the case page offers %d action forms to the supervising street", actionForms)
	}
}
