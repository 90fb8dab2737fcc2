//go:build browser

// Package e2e drives the main flows through the real pages in headless
// Chromium. Run with: go test -tags browser ./e2e/
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/server"
	"github.com/wenming-civic/wenming/internal/site"
)

// startApp serves the demo district on a fresh database.
func startApp(t *testing.T) string {
	t.Helper()
	base, _ := startAppWith(t)
	return base
}

// startAppWith also returns the application, for set-up through its stores.
func startAppWith(t *testing.T) (string, *server.App) {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir() // photos
	app, err := server.New(ctx, cfg, dbtest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(srv.Close)
	return srv.URL, app
}

// newBrowser starts headless Chromium; WENMING_CHROMIUM may name the binary.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := os.Getenv("WENMING_CHROMIUM")
	if bin == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				bin = p
				break
			}
		}
	}
	if bin == "" {
		t.Fatal("no Chromium found: install it (apt-get install chromium) or set WENMING_CHROMIUM")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

func signIn(base, login, pw string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=login]`), login),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), pw),
		clickAndWait(`button[type=submit].primary`),
		chromedp.WaitVisible(chromedp.CSS(`nav.nav`)),
	)
}

func TestSignInSeesRegionTree(t *testing.T) {
	base := startApp(t)
	ctx := newBrowser(t)
	var tree, communities string
	err := chromedp.Do(ctx,
		signIn(base, "office", "wenming-office-2026"),
		clickAndWait(`nav.nav a[href="/regions"]`),
		chromedp.WaitVisible(chromedp.CSS(`#region-tree`)),
		textInto(`#region-tree`, &tree),
		// Opening a street loads its communities through htmx.
		chromedp.Click(chromedp.CSS(`#region-tree details[hx-get="/regions/410411001/children"] > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/regions/410411001001"]`)),
		textInto(`details[hx-get="/regions/410411001/children"] ul`, &communities),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"湛河区", "马庄街道", "南环路街道", "曹镇乡"} {
		if !strings.Contains(tree, want) {
			t.Errorf("tree lacks %s:\n%s", want, tree)
		}
	}
	if !strings.Contains(communities, "电力社区居民委员会") {
		t.Errorf("communities of 马庄街道 not loaded:\n%s", communities)
	}
}

func TestOfficeCreatesUnitAndSearches(t *testing.T) {
	base := startApp(t)
	ctx := newBrowser(t)
	var heading, list string
	err := chromedp.Do(ctx,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(base+"/units/new"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "湛河区城市管理综合执法大队"),
		chromedp.SendKeys(chromedp.CSS(`input[name=code]`), "410411-zfdd"),
		chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "department"),
		chromedp.SetValue(chromedp.CSS(`select[name=line]`), "urban_management"),
		chromedp.SetValue(chromedp.CSS(`input[name=region_code]`), "410411"),
		chromedp.SendKeys(chromedp.CSS(`input[name=head_phone]`), "13812341234"),
		clickAndWait(`form button[type=submit].primary`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`h1`, &heading),
		chromedp.Navigate(base+"/units?q=执法"),
		chromedp.WaitVisible(chromedp.CSS(`table.table`)),
		textInto(`table.table`, &list),
	)
	if err != nil {
		t.Fatal(err)
	}
	if heading != "湛河区城市管理综合执法大队" {
		t.Errorf("after save the page shows %q", heading)
	}
	if !strings.Contains(list, "湛河区城市管理综合执法大队") || !strings.Contains(list, "138****1234") {
		t.Errorf("search result:\n%s", list)
	}
}

func TestForcedPasswordChangeInBrowser(t *testing.T) {
	base := startApp(t)
	ctx := newBrowser(t)
	var generated, home string
	err := chromedp.Do(ctx,
		signIn(base, "admin", "wenming-admin-2026"),
		chromedp.Navigate(base+"/users/new"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "xiaoli"),
		chromedp.SendKeys(chromedp.CSS(`input[name=display_name]`), "李小丽"),
		clickAndWait(`form button[type=submit].primary`),
		chromedp.WaitVisible(chromedp.CSS(`#new-password`)),
		textInto(`#new-password`, &generated),
		clickAndWait(`.me button[type=submit]`), // sign out
		chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=login]`), "xiaoli"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), strings.TrimSpace(generated)),
		clickAndWait(`button[type=submit].primary`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=confirm]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=current]`), strings.TrimSpace(generated)),
		chromedp.SendKeys(chromedp.CSS(`input[name=new]`), "li-own-pass-2026"),
		chromedp.SendKeys(chromedp.CSS(`input[name=confirm]`), "li-own-pass-2026"),
		clickAndWait(`main button[type=submit].primary`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`main`, &home),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(home, "密码已修改") || !strings.Contains(home, "工作台") || !strings.Contains(home, "李小丽") {
		t.Errorf("home after change:\n%s", home)
	}
}

// textInto reads the text of the element matching sel into dst.
func textInto(sel string, dst *string) chromedp.Action[chromedp.Void] {
	text := chromedp.Text(chromedp.CSS(sel))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := text(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

// act opens a case's action form by its action and submits it, filling the
// note and attaching a photo when given.
func act(action, note, photo string) chromedp.Action[chromedp.Void] {
	form := `details.action-form:has(input[name=action][value="` + action + `"])`
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.CSS(form + ` > summary`)),
		chromedp.WaitVisible(chromedp.CSS(form + ` button[type=submit]`)),
	}
	if note != "" {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS(form+` textarea[name=note]`), note))
	}
	if photo != "" {
		steps = append(steps, chromedp.SetUploadFiles(chromedp.CSS(form+` input[name=photos]`), []string{photo}))
	}
	steps = append(steps, clickAndWait(form+` button[type=submit]`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	return chromedp.Steps(steps...)
}

func signOut() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(clickAndWait(`.me button[type=submit]`), chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)))
}

// TestLedgerLoopInBrowser: an inspector reports with a photo, the office
// files and dispatches, the community's handler accepts and rectifies with
// an after-photo, and the office verifies and closes — in the real pages.
func TestLedgerLoopInBrowser(t *testing.T) {
	base := startApp(t)
	ctx := newBrowser(t)
	photo := filepath.Join(t.TempDir(), "scene.jpg")
	if err := os.WriteFile(photo, sceneJPEG(), 0o644); err != nil {
		t.Fatal(err)
	}
	var caseURL, state string
	err := chromedp.Do(ctx,
		signIn(base, "inspector", "wenming-inspector-2026"),
		clickAndWait(`nav.nav a[href="/report"]`),
		chromedp.WaitVisible(chromedp.CSS(`#report-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#report-form input[name=photos]`), []string{photo}),
		chromedp.SetValue(chromedp.CSS(`#report-form select[name=source]`), "inspection"),
		selectOption(`#report-form select[name=category_id]`, "乱堆乱放"),
		chromedp.SendKeys(chromedp.CSS(`#report-form textarea[name=description]`), "电力小区门口堆放废旧沙发"),
		// The place is picked by street and community (the region code
		// field is folded away under 坐标与区划代码).
		waitTrue(`document.querySelector('[data-pick-street]').options.length > 1`),
		chooseOption(`[data-pick-street]`, "马庄街道"),
		waitTrue(`document.querySelector('[data-pick-community]').options.length > 1`),
		chooseOption(`[data-pick-community]`, "电力社区"),
		waitTrue(`document.querySelector('#report-form [name=region_code]').value === "410411001001"`),
		clickAndWait(`#report-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		locationInto(&caseURL),
		textInto(`.state`, &state),
		signOut(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state != "待立案" || !strings.Contains(caseURL, "/problems/") {
		t.Fatalf("after report: %q at %s", state, caseURL)
	}
	err = chromedp.Do(ctx,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(caseURL),
		act("file", "", ""),
		act("dispatch", "", ""),
		textInto(`.state`, &state),
		signOut(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state != "已派遣待签收" {
		t.Fatalf("after dispatch: %q", state)
	}
	err = chromedp.Do(ctx,
		signIn(base, "shequ", "wenming-shequ-2026"),
		clickAndWait(`.bell`),
		chromedp.WaitVisible(chromedp.CSS(`.notices`)),
		chromedp.Navigate(caseURL),
		act("accept", "", ""),
		act("rectify", "沙发已清运，地面清扫干净", photo),
		textInto(`.state`, &state),
		signOut(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state != "已整改待核查" {
		t.Fatalf("after rectification: %q", state)
	}
	var timeline string
	err = chromedp.Do(ctx,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(caseURL),
		chromedp.WaitVisible(chromedp.CSS(`.photos-compare img`)),
		act("verify_pass", "现场复查合格", ""),
		textInto(`.state`, &state),
		textInto(`.timeline`, &timeline),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state != "已结案" {
		t.Fatalf("after verification: %q", state)
	}
	for _, want := range []string{"上报", "立案", "派遣", "签收", "提交整改", "核查通过"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %s:\n%s", want, timeline)
		}
	}
}

// selectOption picks the option of a select whose text is label.
func selectOption(sel, label string) chromedp.Action[chromedp.Void] {
	js := `(function(){var s=document.querySelector(` + strconv.Quote(sel) + `);for(var o of s.options){if(o.text===` + strconv.Quote(label) + `){s.value=o.value;return true}}return false})()`
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && !ok {
			err = fmt.Errorf("no option %q in %s", label, sel)
		}
		return chromedp.Void{}, err
	}
}

func locationInto(dst *string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := chromedp.Run(ctx, chromedp.Location())
		*dst = v
		return chromedp.Void{}, err
	}
}

// sceneJPEG is a small real photo for the upload fields.
func sceneJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 200, 150))
	for x := 0; x < 200; x++ {
		for y := 0; y < 150; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	return buf.Bytes()
}

// clickAndWait clicks something that loads a new page and waits until the
// new page has replaced the old one, so later steps never query a document
// that is going away.
func clickAndWait(sel string) chromedp.Action[chromedp.Void] {
	mark := chromedp.Evaluate[bool](`(document.body.dataset.stale = "1") === "1"`)
	fresh := chromedp.Evaluate[bool](`document.readyState === "complete" && document.body !== null && document.body.dataset.stale !== "1"`)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Run(ctx, mark); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			return chromedp.Void{}, err
		}
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			// Errors are expected while the old document goes away.
			if ok, err := chromedp.Run(ctx, fresh); err == nil && ok {
				return chromedp.Void{}, nil
			}
			time.Sleep(50 * time.Millisecond)
		}
		return chromedp.Void{}, fmt.Errorf("no new page after clicking %s", sel)
	}
}

// TestInspectionByQRCode: an inspector scans a site's QR code, fails one
// criterion with a photo and submits; the office sees the new case and the
// site's score.
func TestInspectionByQRCode(t *testing.T) {
	base, app := startAppWith(t)
	ctx := context.Background()
	if _, err := site.DemoSites(ctx, app.Sites); err != nil {
		t.Fatal(err)
	}
	office := actorNamed(t, app, "office")
	inspector := actorNamed(t, app, "inspector")
	plan, err := app.Inspect.CreatePlan(ctx, office, inspect.PlanInput{Name: "二轮暗访前明查", RegionCode: "410411",
		StartsOn: "2026-11-01", EndsOn: "2026-12-31", Inspectors: []int64{inspector.UserID},
		Sampling: &inspect.Sampling{PerType: map[string]int{"square": 1}, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := app.Inspect.PlanSiteIDs(ctx, office, plan.ID)
	if err != nil || len(ids) != 1 {
		t.Fatalf("plan sites: %v %v", ids, err)
	}
	st, err := app.Sites.Get(ctx, office, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "broken-ad.jpg")
	if err := os.WriteFile(photo, sceneJPEG(), 0o644); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	var result string
	err = chromedp.Do(browser,
		signIn(base, "inspector", "wenming-inspector-2026"),
		chromedp.Navigate(base+"/s/"+st.QRToken),
		chromedp.WaitVisible(chromedp.CSS(`#checklist`)),
		// Everything passes but the first criterion, which fails with a photo.
		chromedp.Evaluate[chromedp.Void](`(function(){document.querySelectorAll('[data-criterion]').forEach(function(f,i){
			f.querySelector('input[value='+(i===0?'fail':'pass')+']').click();});})()`),
		// A reload (or a lost connection) keeps what was entered.
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.criterion.failed`)),
		chromedp.SetUploadFiles(chromedp.CSS(`fieldset.criterion.failed input[type=file]`), []string{photo}),
		chromedp.SendKeys(chromedp.CSS(`fieldset.criterion.failed input[name^=note_]`), "公益广告牌破损"),
		clickAndWait(`#checklist button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#result`)),
		textInto(`#result`, &result),
		signOut(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(result, "不合格 1 项") {
		t.Fatalf("result: %s", result)
	}
	var ledger, sitePage string
	err = chromedp.Do(browser,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(base+"/problems?source=inspection"),
		chromedp.WaitVisible(chromedp.CSS(`#ledger`)),
		textInto(`#ledger`, &ledger),
		chromedp.Navigate(base+"/sites/"+strconv.FormatInt(st.ID, 10)),
		chromedp.WaitVisible(chromedp.CSS(`#site-rounds`)),
		textInto(`main`, &sitePage),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ledger, "公益广告牌破损") || !strings.Contains(ledger, "已派遣待签收") {
		t.Errorf("the office's ledger lacks the new case:\n%s", ledger)
	}
	if !strings.Contains(sitePage, "二轮暗访前明查") || !strings.Contains(sitePage, "%") {
		t.Errorf("the site page lacks its score:\n%s", sitePage)
	}
}

func actorNamed(t *testing.T, app *server.App, name string) access.Actor {
	t.Helper()
	var id int64
	if err := app.DB.QueryRow(context.Background(), "SELECT id FROM app_user WHERE username = ?", name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	a, _, err := app.Org.Actor(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestDashboardAndWeeklyBulletin: the office opens the dashboard, then the
// week's bulletin, and downloads its workbook and its PDF.
func TestDashboardAndWeeklyBulletin(t *testing.T) {
	base, app := startAppWith(t)
	ctx := context.Background()
	office := actorNamed(t, app, "office")
	week, err := bulletin.ParsePeriod(bulletin.PeriodWeek, time.Now().AddDate(0, 0, -7).Format("2006-01-02"), "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.Bulletins.Issue(ctx, office, bulletin.Request{Region: "410411", Period: week})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(b.ID, 10)
	browser := newBrowser(t)
	var status, page, xlsx, pdf string
	err = chromedp.Do(browser,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(base+"/dashboard"),
		chromedp.WaitVisible(chromedp.CSS(`#dashboard`)),
		waitTrue(`document.getElementById("dash-status").textContent.indexOf("数据更新于") === 0`),
		textInto(`#dash-status`, &status),
		// The heat layer of open problems can be switched on.
		chromedp.Evaluate[chromedp.Void](`Array.from(document.querySelectorAll('.leaflet-control-layers label'))
			.filter(function(l){return l.textContent.indexOf('热力图') >= 0;})[0].querySelector('input').click()`),
		waitTrue(`document.querySelectorAll('#dash-map canvas.leaflet-heatmap-layer').length === 1`),
		chromedp.Navigate(base+"/bulletins/"+id),
		chromedp.WaitVisible(chromedp.CSS(`main`)),
		textInto(`main`, &page),
		fetchInto(base+"/bulletins/"+id+".xlsx", &xlsx),
		fetchInto(base+"/bulletins/"+id+".pdf", &pdf),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, "第1期") && !strings.Contains(page, "第 1 期") {
		t.Errorf("bulletin page lacks its number:\n%.400s", page)
	}
	if !strings.HasPrefix(xlsx, "spreadsheetml PK") {
		t.Errorf("xlsx download: %q", xlsx)
	}
	if !strings.HasPrefix(pdf, "pdf %PDF") {
		t.Errorf("pdf download: %q", pdf)
	}
}

// fetchInto downloads url in the page's session and records its content
// type's last word and the first bytes.
func fetchInto(url string, dst *string) chromedp.Action[chromedp.Void] {
	js := `fetch(` + strconv.Quote(url) + `,{credentials:"same-origin"}).then(async r => {
		const ct = (r.headers.get("Content-Type") || "").split(/[\/.;]/).filter(Boolean);
		const buf = new Uint8Array(await r.arrayBuffer());
		return (ct.find(x => x === "pdf" || x === "spreadsheetml") || ct.join("")) + " " + String.fromCharCode(...buf.slice(0, 4));
	})`
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		*dst = v
		return chromedp.Void{}, err
	}
}

// waitTrue polls a JavaScript condition until it holds.
func waitTrue(expr string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](expr)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, t)
		return chromedp.Void{}, err
	}
}

// acceptConfirms makes the page's confirmation questions (data-confirm,
// window.confirm) answer yes, as the person would click.
func acceptConfirms() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`window.confirm = function () { return true; }`)
}

// TestOfficeMarksAssignsAndRenewsQR drives three things the office clicks
// through: marking a closed case's rectification as falsified on the case
// page, dealing a plan's sites to its inspector by street, and replacing a
// site's QR code.
func TestOfficeMarksAssignsAndRenewsQR(t *testing.T) {
	base, app := startAppWith(t)
	ctx := context.Background()
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	if _, err := demo.LoadCases(ctx, deps, time.Now(), 60, 30); err != nil {
		t.Fatal(err)
	}
	var closed int64
	if err := app.DB.QueryRow(ctx, "SELECT id FROM problem WHERE state = 'closed' AND falsified = ? ORDER BY id LIMIT 1", false).Scan(&closed); err != nil {
		t.Fatal(err)
	}
	if _, err := site.DemoSites(ctx, app.Sites); err != nil {
		t.Fatal(err)
	}
	office := actorNamed(t, app, "office")
	plan, err := app.Inspect.CreatePlan(ctx, office, inspect.PlanInput{Name: "分片包干", RegionCode: "410411",
		StartsOn: "2026-11-01", EndsOn: "2026-12-31", Inspectors: []int64{actorNamed(t, app, "inspector").UserID},
		Sampling: &inspect.Sampling{PerType: map[string]int{"square": 2, "main_road": 2}, Seed: 3}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := app.Inspect.PlanSiteIDs(ctx, office, plan.ID)
	if err != nil || len(ids) == 0 {
		t.Fatalf("plan sites: %v %v", ids, err)
	}
	before, err := app.Sites.Get(ctx, office, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	casePath := base + "/problems/" + strconv.FormatInt(closed, 10)
	planPath := base + "/inspections/" + strconv.FormatInt(plan.ID, 10)
	sitePath := base + "/sites/" + strconv.FormatInt(before.ID, 10)
	var marks, progress, qrFlash string
	b := newBrowser(t)
	err = chromedp.Do(b,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(casePath),
		chromedp.WaitVisible(chromedp.CSS(`#marks`)),
		acceptConfirms(),
		clickAndWait(`#marks form input[value=falsified] ~ button`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`#marks`, &marks),
		chromedp.Navigate(planPath),
		chromedp.WaitVisible(chromedp.CSS(`#plan-assign`)),
		acceptConfirms(),
		clickAndWait(`#plan-assign form input[value=street] ~ button`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`main`, &progress),
		chromedp.Navigate(sitePath),
		chromedp.WaitVisible(chromedp.CSS(`.site-qr`)),
		acceptConfirms(),
		clickAndWait(`.site-qr form button`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`.flash`, &qrFlash),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(marks, "已认定虚假整改") || !strings.Contains(marks, "撤销虚假整改认定") {
		t.Errorf("marks after clicking:\n%s", marks)
	}
	var falsified bool
	if err := app.DB.QueryRow(ctx, "SELECT falsified FROM problem WHERE id = ?", closed).Scan(&falsified); err != nil || !falsified {
		t.Errorf("the case is not marked: %v %v", falsified, err)
	}
	res, err := app.Inspect.Results(ctx, office, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range res.Sites {
		if sc.AssigneeID == 0 {
			t.Errorf("site %s not dealt after the click", sc.SiteName)
		}
	}
	if !strings.Contains(progress, "点位已分配") {
		t.Errorf("plan page after dealing:\n%.600s", progress)
	}
	after, err := app.Sites.Get(ctx, office, before.ID)
	if err != nil || after.QRToken == before.QRToken || !strings.Contains(qrFlash, "旧二维码已失效") {
		t.Errorf("QR code after the click: %q → %q, flash %q, %v", before.QRToken, after.QRToken, qrFlash, err)
	}
}
