//go:build browser

package e2e

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/merchant"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
)

// TestMerchantFlagsInBrowser: the office opens the month's flag proposal
// for 马庄街道, changes one merchant with a reason, confirms; the public
// lookup (no sign-in) shows the new flag.
func TestMerchantFlagsInBrowser(t *testing.T) {
	base, app := startAppWith(t)
	ctx := context.Background()
	office := actorNamed(t, app, "office")
	bs, err := region.Boundaries(ctx, app.DB)
	if err != nil {
		t.Fatal(err)
	}
	var at geo.Point
	for _, b := range bs {
		if b.Code == "410411001001" {
			mp, err := geo.ParseGeoJSON([]byte(b.GeoJSON))
			if err != nil {
				t.Fatal(err)
			}
			at, _ = geo.InteriorPoint(mp)
		}
	}
	east := func(m float64) geo.Point {
		return geo.Point{Lng: at.Lng + m/(111195*math.Cos(at.Lat*math.Pi/180)), Lat: at.Lat}
	}
	names := []string{"甲记便利店", "乙家面馆", "丙氏水果摊"}
	for i, n := range names {
		p := east(float64(i) * 30)
		if _, err := app.Merchants.Create(ctx, office, merchant.Input{Name: n, BusinessType: "零售", Lng: p.Lng, Lat: p.Lat,
			FrontageKind: merchant.FrontRadius, FrontageMeters: 10, Operator: "张三丰", Phone: "13800000001"}); err != nil {
			t.Fatal(err)
		}
	}
	// Two 12345 complaints of 占道经营 at 丙's front: it is proposed for the black flag.
	sub, err := app.Categories.ByCode(ctx, "JM01")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		p := east(61)
		c, err := app.Problems.Report(ctx, office, problem.ReportInput{Source: problem.SourceHotline, CategoryID: sub.ID, Description: "门前占道经营",
			Lng: p.Lng, Lat: p.Lat, HasPlace: true, ReporterName: "市民", ReporterPhone: "13900001111"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.Problems.Move(ctx, office, c.ID, problem.MoveInput{Action: problem.ActFile}); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err := app.Merchants.LinkNew(ctx); err != nil || rep.Linked != 2 {
		t.Fatalf("links %+v %v", rep, err)
	}

	b := newBrowser(t)
	var state, scores, changes, after string
	err = chromedp.Do(b,
		signIn(base, "office", "wenming-office-2026"),
		clickAndWait(`nav.nav a[href="/merchants"]`),
		clickAndWait(`a[href="/merchants/flags"]`),
		chromedp.WaitVisible(chromedp.CSS(`#flag-groups`)),
		clickAndWait(`#flag-groups a[href$="/street:410411001"]`),
		chromedp.WaitVisible(chromedp.CSS(`#round-scores`)),
		textInto(`#round-state`, &state),
		textInto(`#round-scores`, &scores),
		selectOption(`#flag-change select[name=merchant_id]`, "乙家面馆"),
		selectOption(`#flag-change select[name=kind]`, "红旗"),
		chromedp.SendKeys(chromedp.CSS(`#flag-change textarea[name=reason]`), "门前秩序常年良好，群众来信表扬"),
		clickAndWait(`#flag-change button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`#round-changes`, &changes),
		clickAndWait(`#flag-confirm button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`#round-state`, &after),
		signOut(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(state, "待确认") || !strings.Contains(scores, "丙氏水果摊") || !strings.Contains(scores, "黑旗") {
		t.Fatalf("proposal: %q\n%s", state, scores)
	}
	if !strings.Contains(changes, "乙家面馆") || !strings.Contains(changes, "群众来信表扬") || !strings.Contains(after, "已确认") {
		t.Fatalf("after the change: %q, %q", changes, after)
	}

	var results, flag string
	err = chromedp.Do(b,
		chromedp.Navigate(base+"/merchant-lookup"),
		chromedp.WaitVisible(chromedp.CSS(`#merchant-lookup input[name=q]`)),
		chromedp.SendKeys(chromedp.CSS(`#merchant-lookup input[name=q]`), "乙家"),
		clickAndWait(`#merchant-lookup button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#lookup-results`)),
		textInto(`#lookup-results`, &results),
		clickAndWait(`#lookup-results a`),
		chromedp.WaitVisible(chromedp.CSS(`#lookup-flag`)),
		textInto(`#lookup-flag`, &flag),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(results, "乙家面馆") || !strings.Contains(flag, "红旗") || strings.Contains(results+flag, "张三丰") {
		t.Fatalf("public lookup: %q, %q", results, flag)
	}
}
