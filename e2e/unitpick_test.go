//go:build browser

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestCampaignPicksCooperatingUnits: on the campaign form the office
// types part of a unit's name, picks one suggestion with the keyboard and
// another with the mouse, takes the second back with backspace, saves,
// and the campaign names the unit that stayed and not the other.
func TestCampaignPicksCooperatingUnits(t *testing.T) {
	base := startApp(t)
	ctx := newBrowser(t)
	const form = `#campaign-form`
	const search = form + ` [data-unitpicks] input[role=combobox]`
	suggested := func(name string) chromedp.Action[chromedp.Void] {
		return waitTrue(`(function () {
			var list = document.querySelector('` + form + ` .unitpicks-list');
			return !!list && !list.hidden && Array.from(list.querySelectorAll('[role=option]')).some(function (o) { return o.textContent.indexOf('` + name + `') >= 0; });
		})()`)
	}
	chips := func(dst *string) chromedp.Action[chromedp.Void] {
		return evalInto(`Array.from(document.querySelectorAll('`+form+` .chips li')).map(function (li) {
			return li.querySelector('.chip-name').textContent + '=' + li.querySelector('input[type=hidden]').name;
		}).join('|')`, dst)
	}
	var options, expanded, twoChips, oneChip, page string
	var listed int
	err := chromedp.Do(ctx,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(base+"/campaigns"),
		chromedp.WaitVisible(chromedp.CSS(search)),
		// The form lists no units: they come as one types.
		intInto(`document.body.innerHTML.indexOf('湛河区民政局')`, &listed),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=name]`), "农贸市场环境专项整治"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=lead_name]`), "湛河区城市管理局"),
		chromedp.Click(chromedp.CSS(form+` input[name=site_type][value=market]`)),
		// Part of a name, then the keyboard: down to the suggestion, enter.
		chromedp.SendKeys(chromedp.CSS(search), "水利"),
		suggested("湛河区水利局"),
		evalInto(`Array.from(document.querySelectorAll('`+form+` .unitpicks-list [role=option]')).map(function (o) { return o.textContent; }).join('|')`, &options),
		evalInto(`document.querySelector('`+search+`').getAttribute('aria-expanded')`, &expanded),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.KeyEvent(kb.Enter),
		waitTrue(`document.querySelectorAll('`+form+` .chips li').length === 1`),
		// Another part of a name, and a click on the suggestion.
		chromedp.SendKeys(chromedp.CSS(search), "民政"),
		suggested("湛河区民政局"),
		chromedp.Click(chromedp.CSS(form+` .unitpicks-list [role=option]`)),
		waitTrue(`document.querySelectorAll('`+form+` .chips li').length === 2`),
		chips(&twoChips),
		// Backspace in the empty box takes back the last chip.
		chromedp.Focus(chromedp.CSS(search)),
		chromedp.KeyEvent(kb.Backspace),
		waitTrue(`document.querySelectorAll('`+form+` .chips li').length === 1`),
		chips(&oneChip),
		clickAndWait(form+` button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`main`, &page),
	)
	if err != nil {
		t.Fatal(err)
	}
	if listed >= 0 {
		t.Errorf("the campaign form names a unit no one chose, at %d", listed)
	}
	if !strings.Contains(options, "湛河区水利局") || expanded != "true" {
		t.Errorf("suggestions %q, aria-expanded %q", options, expanded)
	}
	if twoChips != "湛河区水利局=coop|湛河区民政局=coop" || oneChip != "湛河区水利局=coop" {
		t.Errorf("chips: %q, then %q", twoChips, oneChip)
	}
	if !strings.Contains(page, "农贸市场环境专项整治") || !strings.Contains(page, "湛河区城市管理局") || !strings.Contains(page, "湛河区水利局") ||
		strings.Contains(page, "湛河区民政局") {
		t.Errorf("the saved campaign:\n%s", page)
	}
}
