//go:build browser

package e2e

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/problem"
)

// TestLedgerUnitPickerAndPagesInBrowser: the office types part of a
// unit's name, picks it from the list the page asked for, filters the
// ledger by it, and pages with 下一页.
func TestLedgerUnitPickerAndPagesInBrowser(t *testing.T) {
	base, app := startAppWith(t)
	ctx := context.Background()
	inspector, office := actorNamed(t, app, "inspector"), actorNamed(t, app, "office")
	sub, err := app.Categories.ByCode(ctx, "SR02")
	if err != nil {
		t.Fatal(err)
	}
	var unitID int64
	for range 25 {
		c, err := app.Problems.Report(ctx, inspector, problem.ReportInput{Source: problem.SourceInspection, CategoryID: sub.ID,
			Description: "楼下堆放废旧家具", RegionCode: "410411001001"})
		if err != nil {
			t.Fatal(err)
		}
		for _, act := range []problem.Action{problem.ActFile, problem.ActDispatch} {
			if c, err = app.Problems.Move(ctx, office, c.ID, problem.MoveInput{Action: act}); err != nil {
				t.Fatal(err)
			}
		}
		unitID = c.UnitID
	}
	unitName, err := app.Org.GetUnit(ctx, office, unitID)
	if err != nil {
		t.Fatal(err)
	}
	part := string([]rune(unitName.Name)[:3])
	b := newBrowser(t)
	var picked, loc, page2 string
	err = chromedp.Do(b,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(base+"/problems"),
		evalInto(`(document.querySelector('details.filters-card').open = true, true)`, new(bool)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=unit_name]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=unit_name]`), part),
		waitTrue(`[...document.querySelectorAll('#unit-picklist option')].some(o => o.value === `+strconv.Quote(unitName.Name)+`)`),
		evalInto(`(function(){var i=document.querySelector('input[name=unit_name]');i.value=`+strconv.Quote(unitName.Name)+
			`;i.dispatchEvent(new Event('input',{bubbles:true}));return document.querySelector('input[name=unit]').value})()`, &picked),
		screenshotTo(t, "ledger-unit-picker"),
		clickAndWait(`form.filters button[type=submit]`),
		locationInto(&loc),
		clickAndWait(`a[rel=next]`),
		textInto(`nav.pager span`, &page2),
	)
	if err != nil {
		t.Fatal(err)
	}
	if picked != strconv.FormatInt(unitID, 10) {
		t.Errorf("the picker set unit %q, want %d", picked, unitID)
	}
	u, err := url.Parse(loc)
	if err != nil || u.Query().Get("unit") != picked {
		t.Errorf("filtered at %s, want unit=%s", loc, picked)
	}
	if !strings.Contains(page2, "第 2 / 2 页") {
		t.Errorf("the next page says %q", page2)
	}
}
