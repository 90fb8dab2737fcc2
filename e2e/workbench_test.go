//go:build browser

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/site"
)

// screenshotInto saves a full-page PNG as name under dir and, when
// WENMING_SCREENSHOT_DIR is set, there too.
func screenshotInto(t *testing.T, dir, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			return chromedp.Void{}, err
		}
		dirs := []string{dir}
		if extra := os.Getenv("WENMING_SCREENSHOT_DIR"); extra != "" {
			if err := os.MkdirAll(extra, 0o755); err != nil {
				return chromedp.Void{}, err
			}
			dirs = append(dirs, extra)
		}
		for _, d := range dirs {
			if err := os.WriteFile(filepath.Join(d, name), png, 0o644); err != nil {
				return chromedp.Void{}, err
			}
		}
		return chromedp.Void{}, nil
	}
}

// TestWorkbenchInBrowser: every demo role lands on its workbench, sees the
// items of its role for the demo data, on a phone without sideways
// scrolling and on a desktop, and an item's entry leads to the action.
func TestWorkbenchInBrowser(t *testing.T) {
	base, app := startAppWith(t)
	ctx := context.Background()
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	if _, err := demo.LoadCases(ctx, deps, time.Now(), 120, 30); err != nil {
		t.Fatal(err)
	}
	if _, err := site.DemoSites(ctx, app.Sites); err != nil {
		t.Fatal(err)
	}
	office := actorNamed(t, app, "office")
	local := time.Now().In(calendar.Shanghai())
	if _, err := app.Inspect.CreatePlan(ctx, office, inspect.PlanInput{Name: "12 月模拟测评", RegionCode: "410411",
		StartsOn: local.Format("2006-01-02"), EndsOn: local.AddDate(0, 0, 7).Format("2006-01-02"),
		Inspectors: []int64{actorNamed(t, app, "inspector").UserID},
		Sampling:   &inspect.Sampling{PerType: map[string]int{"square": 2, "main_road": 2}, Seed: 3}}); err != nil {
		t.Fatal(err)
	}
	// A case waiting for the community to accept it, and the citizen's report.
	sub, err := app.Categories.ByCode(ctx, "SR02")
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.Problems.Report(ctx, actorNamed(t, app, "inspector"), problem.ReportInput{Source: problem.SourceInspection, CategoryID: sub.ID,
		Description: "单元门口堆放废旧家具", RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []problem.Action{problem.ActFile, problem.ActDispatch} {
		if _, err := app.Problems.Move(ctx, office, c.ID, problem.MoveInput{Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := app.Problems.Report(ctx, actorNamed(t, app, "citizen"), problem.ReportInput{Source: problem.SourceSnapshot, CategoryID: sub.ID,
		Description: "人行道上有破损井盖", RegionCode: "410411001001"}); err != nil {
		t.Fatal(err)
	}

	shots := t.TempDir()
	for _, tc := range []struct {
		role    string
		kinds   []string // cards the role must see
		follow  string   // the card whose first entry is followed
		landsOn string   // what the page it leads to shows
	}{
		{"office", []string{"problem/file", "problem/red", "inspect/plans", "problem/new_today", "problem/overdue_now"}, "inspect/plans", "12 月模拟测评"},
		{"leader", []string{"problem/new_today", "problem/overdue_now", "problem/black_list"}, "problem/black_list", "问题台账"},
		{"handler", []string{"problem/accept", "problem/today", "problem/overdue", "problem/rework"}, "", ""},
		{"shequ", []string{"problem/accept", "problem/overdue"}, "problem/accept", "签收"},
		{"inspector", []string{"problem/verify", "inspect/sites"}, "inspect/sites", "提交"},
		{"citizen", []string{"problem/mine"}, "problem/mine", "人行道上有破损井盖"},
	} {
		t.Run(tc.role, func(t *testing.T) {
			b := newBrowser(t)
			var kinds []string
			var phoneWidth, deskCols int
			var landed, where string
			steps := []chromedp.Action[chromedp.Void]{
				chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
				signIn(base, tc.role, "wenming-"+tc.role+"-2026"),
				chromedp.Navigate(base + "/"),
				chromedp.WaitVisible(chromedp.CSS(`.wb-head`)),
				evalInto(`[...document.querySelectorAll('.wb-card')].map(e => e.dataset.kind)`, &kinds),
				evalInto(`document.documentElement.scrollWidth`, &phoneWidth),
				screenshotInto(t, shots, "workbench-"+tc.role+"-390x844.png"),
				chromedp.EmulateViewport(1366, 900),
				chromedp.Navigate(base + "/"),
				chromedp.WaitVisible(chromedp.CSS(`.wb-head`)),
				evalInto(`getComputedStyle(document.querySelector('.wb-grid') || document.body).gridTemplateColumns.split(' ').length`, &deskCols),
				screenshotInto(t, shots, "workbench-"+tc.role+"-1366x900.png"),
			}
			if tc.follow != "" {
				steps = append(steps, clickAndWait(`.wb-card[data-kind="`+tc.follow+`"] .wb-list a`),
					textInto(`main`, &landed), locationInto(&where))
			}
			if err := chromedp.Do(b, steps...); err != nil {
				t.Fatal(err)
			}
			for _, k := range tc.kinds {
				if !strings.Contains(strings.Join(kinds, " "), k) {
					t.Errorf("no %s card; cards %v", k, kinds)
				}
			}
			if phoneWidth > 390 {
				t.Errorf("the workbench is %d px wide on a 390 px phone", phoneWidth)
			}
			if deskCols < 2 {
				t.Errorf("%d columns on a desktop", deskCols)
			}
			if tc.follow != "" && !strings.Contains(landed, tc.landsOn) {
				t.Errorf("following %s to %s: no %q in\n%.600s", tc.follow, where, tc.landsOn, landed)
			}
		})
	}
	t.Logf("screenshots in %s", shots)
}
