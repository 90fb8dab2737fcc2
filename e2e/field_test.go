//go:build browser

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server"
	"github.com/wenming-civic/wenming/internal/site"
)

// The phone the field pages are measured on (CSS pixels).
const phoneW, phoneH = 390, 844

// minTarget is the smallest tap target, per WCAG 2.5.5.
const minTarget = 44

func onPhone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(phoneW, phoneH, chromedp.EmulateMobile, chromedp.EmulateTouch)
}

// command sends one protocol command to the tab.
func command[P any](c cdp.Command[P, cdp.Empty], p P) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, c, p)
		return chromedp.Void{}, err
	}
}

// geolocation grants or denies the position to the site at base, and when
// granted puts the phone at lat, lng.
func geolocation(base string, grant bool, lat, lng float64) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		setting := browser.PermissionSettingDenied
		if grant {
			setting = browser.PermissionSettingGranted
		}
		if _, err := cdp.Call(ctx, chromedp.FromContext(ctx).Browser, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: setting, Origin: base}); err != nil {
			return chromedp.Void{}, err
		}
		acc := 10.0
		_, err := cdp.Call(ctx, t, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lng, Accuracy: &acc})
		return chromedp.Void{}, err
	}
}

type rect struct{ W, H, X float64 }

// rectsInto measures the elements matching sel (getBoundingClientRect).
func rectsInto(sel string, dst *[]rect) chromedp.Action[chromedp.Void] {
	var raw string
	get := evalInto(`JSON.stringify(Array.from(document.querySelectorAll(`+strconv.Quote(sel)+`)).map(function(e){
		var r = e.getBoundingClientRect(); return {W: r.width, H: r.height, X: r.left};}))`, &raw)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := get(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, json.Unmarshal([]byte(raw), dst)
	}
}

// fieldPlan has the office plan an inspection of a few sampled sites for
// the demo inspector, and returns it with its sites.
func fieldPlan(t *testing.T, app *server.App) (inspect.Plan, []int64) {
	t.Helper()
	ctx := context.Background()
	if _, err := site.DemoSites(ctx, app.Sites); err != nil {
		t.Fatal(err)
	}
	office, inspector := actorNamed(t, app, "office"), actorNamed(t, app, "inspector")
	plan, err := app.Inspect.CreatePlan(ctx, office, inspect.PlanInput{Name: "手机端测评", RegionCode: "410411",
		StartsOn: "2026-11-01", EndsOn: "2026-12-31", Inspectors: []int64{inspector.UserID},
		Sampling: &inspect.Sampling{PerType: map[string]int{"square": 3, "main_road": 3}, Seed: 3}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := app.Inspect.PlanSiteIDs(ctx, office, plan.ID)
	if err != nil || len(ids) < 4 {
		t.Fatalf("plan sites: %v %v", ids, err)
	}
	return plan, ids
}

// TestChecklistTapTargetsOnPhone: on a 390 px phone each of 合格 / 不合格 /
// 不适用 is a target of at least 44 × 44 px with its label inside, a tap on
// the label chooses it, the arrow keys move between them, and a refused
// position is explained in Chinese.
func TestChecklistTapTargetsOnPhone(t *testing.T) {
	base, app := startAppWith(t)
	plan, ids := fieldPlan(t, app)
	cat := i18n.MustLoad("zh-CN")
	ctx := newBrowser(t)
	check := base + "/inspections/" + strconv.FormatInt(plan.ID, 10) + "/sites/" + strconv.FormatInt(ids[0], 10) + "/check"
	var segs []rect
	var labels []string
	var criteria, failed int
	var na bool
	var position string
	err := chromedp.Do(ctx,
		onPhone(),
		signIn(base, "inspector", "wenming-inspector-2026"),
		geolocation(base, false, 0, 0),
		chromedp.Navigate(check),
		chromedp.WaitVisible(chromedp.CSS(`#checklist .segmented`)),
		evalInto(`document.querySelectorAll('#checklist fieldset.criterion').length`, &criteria),
		rectsInto(`#checklist .segmented .seg`, &segs),
		evalInto(`Array.from(document.querySelectorAll('#checklist .segmented')[0].querySelectorAll('.seg')).map(function(l){return l.textContent.trim();})`, &labels),
		// The keyboard: focus 合格, then the right arrow moves to 不合格.
		chromedp.Focus(chromedp.CSS(`#checklist fieldset.criterion input[value=pass]`)),
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.WaitVisible(chromedp.CSS(`#checklist fieldset.criterion.failed`)),
		evalInto(`document.querySelectorAll('#checklist fieldset.criterion.failed').length`, &failed),
		// A tap on the words of 不适用 in the second criterion chooses it.
		chromedp.Click(chromedp.CSS(`#checklist fieldset.criterion:nth-of-type(2) .seg-na span`)),
		evalInto(`document.querySelector('#checklist fieldset.criterion:nth-of-type(2) input[value=na]').checked`, &na),
		waitTrue(`document.querySelector('[data-position]').textContent.indexOf('定位') >= 0`),
		textInto(`[data-position]`, &position),
	)
	if err != nil {
		t.Fatal(err)
	}
	if criteria < 2 || len(segs) != 3*criteria {
		t.Fatalf("%d criteria, %d segments", criteria, len(segs))
	}
	for i, r := range segs {
		if r.W < minTarget || r.H < minTarget {
			t.Errorf("segment %d is %.0f × %.0f px, under %d × %d", i, r.W, r.H, minTarget, minTarget)
		}
	}
	t.Logf("checklist segment: %.0f × %.0f px (%d criteria at %d px wide)", segs[0].W, segs[0].H, criteria, phoneW)
	if strings.Join(labels, "/") != "合格/不合格/不适用" {
		t.Errorf("segment labels %v", labels)
	}
	if failed != 1 || !na {
		t.Errorf("keyboard chose 不合格 in %d criteria; tap chose 不适用: %v", failed, na)
	}
	if want := cat.T("field.geo_denied") + " " + cat.T("field.geo_next_check"); position != want {
		t.Errorf("refused position said %q, want %q", position, want)
	}
}

// TestCaseActionsOnPhone: on a phone each action of a case is a full-width
// button at least 44 px high, the main one first and filled: 签收 before
// 退回, then 提交整改 before 申请延期, 挂账 and 退回.
func TestCaseActionsOnPhone(t *testing.T) {
	base, app := startAppWith(t)
	bg := context.Background()
	office := actorNamed(t, app, "office")
	var catID int64
	if err := app.DB.QueryRow(bg, "SELECT id FROM category WHERE code = 'SR02'").Scan(&catID); err != nil {
		t.Fatal(err)
	}
	c, err := app.Problems.Report(bg, office, problem.ReportInput{Source: problem.SourceHotline, CategoryID: catID,
		Description: "楼道堆放杂物", RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []problem.Action{problem.ActFile, problem.ActDispatch} {
		if c, err = app.Problems.Move(bg, office, c.ID, problem.MoveInput{Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := newBrowser(t)
	path := base + "/problems/" + strconv.FormatInt(c.ID, 10)
	type view struct {
		Actions []string
		Primary string
		Buttons []rect
		Width   float64
	}
	look := func(v *view) chromedp.Action[chromedp.Void] {
		var raw string
		get := evalInto(`JSON.stringify({
			Actions: Array.from(document.querySelectorAll('details.action-form')).map(function(d){return d.dataset.action;}),
			Primary: (document.querySelector('details.action-form > summary.primary') || {parentNode: {dataset: {}}}).parentNode.dataset.action || "",
			Buttons: Array.from(document.querySelectorAll('details.action-form > summary')).map(function(e){var r = e.getBoundingClientRect(); return {W: r.width, H: r.height, X: r.left};}),
			Width: document.querySelector('.action-forms').clientWidth})`, &raw)
		return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			if _, err := get(ctx, t); err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, json.Unmarshal([]byte(raw), v)
		}
	}
	var dispatched, accepted view
	var flash string
	err = chromedp.Do(ctx,
		onPhone(),
		signIn(base, "shequ", "wenming-shequ-2026"),
		chromedp.Navigate(path),
		chromedp.WaitVisible(chromedp.CSS(`details.action-form`)),
		look(&dispatched),
		act("accept", "", ""),
		textInto(`.flash`, &flash),
		look(&accepted),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		v    view
		want []string
	}{
		{"dispatched", dispatched, []string{"accept", "return"}},
		{"in progress", accepted, []string{"rectify", "request_extension", "park", "return"}},
	} {
		if strings.Join(tc.v.Actions, ",") != strings.Join(tc.want, ",") || tc.v.Primary != tc.want[0] {
			t.Errorf("%s: actions %v (main %q), want %v", tc.name, tc.v.Actions, tc.v.Primary, tc.want)
		}
		for i, b := range tc.v.Buttons {
			if b.H < minTarget || b.W < tc.v.Width-1 {
				t.Errorf("%s: button %d is %.0f × %.0f px in a %.0f px column", tc.name, i, b.W, b.H, tc.v.Width)
			}
		}
		if len(tc.v.Buttons) > 0 {
			t.Logf("%s: %d buttons, %.0f × %.0f px each", tc.name, len(tc.v.Buttons), tc.v.Buttons[0].W, tc.v.Buttons[0].H)
		}
	}
	if !strings.HasPrefix(flash, "已签收，请在 ") || !strings.Contains(flash, " 月 ") {
		t.Errorf("confirmation after accepting: %q", flash)
	}
}

// TestPlanPageOnPhone: a plan's page filters 待检查 / 已检查 with tabs a
// thumb can hit, and once the position is known lists the nearest site
// first.
func TestPlanPageOnPhone(t *testing.T) {
	base, app := startAppWith(t)
	plan, ids := fieldPlan(t, app)
	points, err := app.Sites.Points(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	page := base + "/inspections/" + strconv.FormatInt(plan.ID, 10)
	var tabs []rect
	var order []string
	err = chromedp.Do(ctx,
		onPhone(),
		signIn(base, "inspector", "wenming-inspector-2026"),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`#plan-filter`)),
		rectsInto(`#plan-filter a`, &tabs),
		evalInto(`Array.from(document.querySelectorAll('#plan-sites tr[data-site]')).map(function(r){return r.dataset.site;})`, &order),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(tabs) != 3 {
		t.Fatalf("%d filter tabs", len(tabs))
	}
	for i, r := range tabs {
		if r.W < minTarget || r.H < minTarget {
			t.Errorf("filter tab %d is %.0f × %.0f px", i, r.W, r.H)
		}
	}
	if len(order) != len(ids) {
		t.Fatalf("page lists %d of %d sites", len(order), len(ids))
	}
	// Stand at the site the page lists last.
	far := order[len(order)-1]
	farID, _ := strconv.ParseInt(far, 10, 64)
	p, ok := points[farID]
	if !ok {
		t.Fatalf("site %s has no place", far)
	}
	var todoTab, first, dist, current string
	var todoRows int
	err = chromedp.Do(ctx,
		clickAndWait(`#plan-filter a[data-show=todo]`),
		textInto(`#plan-filter a[aria-current]`, &todoTab),
		evalInto(`document.querySelectorAll('#plan-sites tr[data-site]').length`, &todoRows),
		geolocation(base, true, p.Lat, p.Lng),
		chromedp.Reload(),
		waitTrue(`document.querySelector('[data-nearest]').getAttribute('aria-pressed') === 'true'`),
		evalInto(`document.querySelector('#plan-sites tr[data-site]').dataset.site`, &first),
		textInto(`#plan-sites tr[data-site] [data-dist]`, &dist),
		evalInto(`location.search`, &current),
	)
	if err != nil {
		t.Fatal(err)
	}
	if todoTab != fmt.Sprintf("待检查 %d", len(ids)) || todoRows != len(ids) || current != "?show=todo" {
		t.Errorf("to-do filter: tab %q, %d rows, at %q", todoTab, todoRows, current)
	}
	if first != far || !strings.HasSuffix(dist, " 米") {
		t.Errorf("standing at site %s, the page lists %s first (%q)", far, first, dist)
	}
}

// weight sums the bytes a tab receives (encodedDataLength of every
// finished request: headers and bodies as sent).
type weight struct {
	mu    sync.Mutex
	bytes float64
	reqs  int
}

func (w *weight) listen(ctx context.Context) error {
	return chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventLoadingFinished); ok {
			w.mu.Lock()
			w.bytes += e.EncodedDataLength
			w.reqs++
			w.mu.Unlock()
		}
	})
}

// load opens u and returns the kilobytes transferred until it settled.
func (w *weight) load(ctx context.Context, u string) (float64, int, error) {
	w.mu.Lock()
	w.bytes, w.reqs = 0, 0
	w.mu.Unlock()
	err := chromedp.Do(ctx,
		chromedp.Navigate(u),
		waitTrue(`document.readyState === "complete"`),
		chromedp.Sleep(800*time.Millisecond), // deferred scripts and their requests
	)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bytes / 1024, w.reqs, err
}

// TestFieldPageWeights: 随手拍, the public form and the checklist weigh
// under 300 KB on first load and under 30 KB on a later one (the static
// files come from the cache).
func TestFieldPageWeights(t *testing.T) {
	base, app := startAppWith(t)
	plan, ids := fieldPlan(t, app)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, onPhone(), signIn(base, "inspector", "wenming-inspector-2026")); err != nil {
		t.Fatal(err)
	}
	w := &weight{}
	if err := w.listen(ctx); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ name, path string }{
		{"随手拍 /report", "/report"},
		{"public /public/report", "/public/report"},
		{"checklist", "/inspections/" + strconv.FormatInt(plan.ID, 10) + "/sites/" + strconv.FormatInt(ids[1], 10) + "/check"},
	}
	for _, p := range pages {
		if err := chromedp.Do(ctx, command(network.ClearBrowserCache, cdp.Empty{})); err != nil {
			t.Fatal(err)
		}
		first, n1, err := w.load(ctx, base+p.path)
		if err != nil {
			t.Fatal(err)
		}
		later, n2, err := w.load(ctx, base+p.path)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: first load %.1f KB in %d requests, later load %.1f KB in %d requests", p.name, first, n1, later, n2)
		if first >= 300 || later >= 30 {
			t.Errorf("%s weighs %.1f KB first, %.1f KB later; goals 300 and 30", p.name, first, later)
		}
		if first == 0 || later >= first {
			t.Errorf("%s: nothing measured (%.1f, %.1f)", p.name, first, later)
		}
	}
}
