//go:build browser

package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/selection"
)

// TestSelectionInBrowser: a community nominates a household for 星级文明户
// with its stars, the street and then the office approve, the office opens
// the 公示, and the household (its name masked) is on the public page.
func TestSelectionInBrowser(t *testing.T) {
	base, app := startAppWith(t)
	ctx := context.Background()
	k, err := app.Selections.KindByCode(ctx, "star_household")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(calendar.Shanghai())
	round, err := app.Selections.CreateRound(ctx, actorNamed(t, app, "office"), selection.RoundInput{KindID: k.ID, PeriodLabel: "2026年度",
		RegionCode: "410411", OpensOn: today.Format("2006-01-02"), ClosesOn: today.AddDate(0, 0, 10).Format("2006-01-02")})
	if err != nil {
		t.Fatal(err)
	}
	roundURL := base + "/selections/rounds/" + strconv.FormatInt(round, 10)
	b := newBrowser(t)
	var state string
	err = chromedp.Do(b,
		signIn(base, "shequ", "wenming-shequ-2026"),
		chromedp.Navigate(roundURL),
		chromedp.WaitVisible(chromedp.CSS(`form[data-nominate]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-nominate] input[name=name]`), "张建国"),
		chromedp.SendKeys(chromedp.CSS(`form[data-nominate] input[name=address]`), "电力社区3号楼2单元"),
		chromedp.SendKeys(chromedp.CSS(`form[data-nominate] input[name=contact]`), "13912345678"),
		chromedp.SendKeys(chromedp.CSS(`form[data-nominate] textarea[name=deeds]`), "孝老爱亲，热心公益"),
		chromedp.Click(chromedp.CSS(`form[data-nominate] input[name=star_`+strconv.FormatInt(k.Criteria[0].ID, 10)+`]`)),
		chromedp.Click(chromedp.CSS(`form[data-nominate] input[name=star_`+strconv.FormatInt(k.Criteria[3].ID, 10)+`]`)),
		clickAndWait(`form[data-nominate] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`table[data-nominations] tbody`, &state),
		signOut(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(state, "张建国") || !strings.Contains(state, "社区推荐") || !strings.Contains(state, "2 / 5") || !strings.Contains(state, "待审核：街道") {
		t.Fatalf("after the nomination:\n%s", state)
	}
	err = chromedp.Do(b,
		signIn(base, "handler", "wenming-handler-2026"),
		chromedp.Navigate(roundURL),
		chromedp.WaitVisible(chromedp.CSS(`form[data-review]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-review] input[name=comment]`), "街道核实同意"),
		clickAndWait(`form[data-review] button[value=approve]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`table[data-nominations] tbody`, &state),
		signOut(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(state, "待审核：文明办") || !strings.Contains(state, "街道核实同意") {
		t.Fatalf("after the street:\n%s", state)
	}
	var public string
	err = chromedp.Do(b,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(roundURL),
		chromedp.WaitVisible(chromedp.CSS(`form[data-review]`)),
		clickAndWait(`form[data-review] button[value=approve]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		clickAndWait(`form[action$="/publicity"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`table[data-nominations] tbody`, &state),
		signOut(),
		chromedp.Navigate(base+"/public/selections/rounds/"+strconv.FormatInt(round, 10)),
		chromedp.WaitVisible(chromedp.CSS(`table[data-publicity]`)),
		textInto(`main`, &public),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(state, "审核通过") {
		t.Fatalf("after the office:\n%s", state)
	}
	if !strings.Contains(public, "张*国") || strings.Contains(public, "张建国") || !strings.Contains(public, "异议受理截至") || !strings.Contains(public, "提出异议") {
		t.Fatalf("public 公示 page:\n%s", public)
	}
}
