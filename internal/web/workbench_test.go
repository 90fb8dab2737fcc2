package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// wbCard is one card of the workbench as the page shows it.
type wbCard struct {
	kind    string
	count   int
	link    string
	entries []string // entry links
}

var (
	wbCardStart = regexp.MustCompile(`<article class="wb-card wb-(normal|warn|danger)" data-kind="([^"]+)" data-count="(\d+)">`)
	wbTop       = regexp.MustCompile(`class="wb-top" href="([^"]*)"`)
	wbEntry     = regexp.MustCompile(`<li class="wb-[a-z]+"><a href="([^"]+)"`)
	ledgerTotal = regexp.MustCompile(`共 (\d+) 条`)
)

// wbCards reads the cards of a workbench page, by kind.
func wbCards(t *testing.T, body string) map[string]wbCard {
	t.Helper()
	out := map[string]wbCard{}
	locs := wbCardStart.FindAllStringSubmatchIndex(body, -1)
	for i, loc := range locs {
		end := len(body)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		block := body[loc[0]:end]
		if j := strings.Index(block, "</article>"); j >= 0 {
			block = block[:j]
		}
		n, _ := strconv.Atoi(body[loc[6]:loc[7]])
		c := wbCard{kind: body[loc[4]:loc[5]], count: n}
		if m := wbTop.FindStringSubmatch(block); m != nil {
			c.link = html.UnescapeString(m[1])
		}
		for _, m := range wbEntry.FindAllStringSubmatch(block, -1) {
			c.entries = append(c.entries, html.UnescapeString(m[1]))
		}
		out[c.kind] = c
	}
	return out
}

// wbApp is the test app with the demo's cases and inspection rounds, and
// a case in each queue the demo may leave empty.
func wbApp(t *testing.T) *servertest.App {
	t.Helper()
	app := servertest.New(t)
	ctx := context.Background()
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	if _, err := demo.LoadCases(ctx, deps, time.Now(), 120, 30); err != nil {
		t.Fatal(err)
	}
	if _, _, err := demo.LoadInspections(ctx, demo.InspectDeps{CaseDeps: deps, Sites: app.Sites, Inspect: app.Inspect}, time.Now()); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := app.DB.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// The community's handler gets a case to accept, due later today,
	// another one red and overdue, and one back for rework.
	shequ := dashActor(t, app, "shequ").UnitID
	due := servertest.DispatchedCase(t, app)
	exec("UPDATE problem SET unit_id = ?, deadline = ? WHERE id = ?", shequ, now.Add(problem.EndOfDay(now).Sub(now)/2).UnixMilli(), due.ID)
	red := servertest.DispatchedCase(t, app)
	exec("UPDATE problem SET unit_id = ?, deadline = ?, escalation_level = 2 WHERE id = ?", shequ, now.Add(-30*time.Hour).UnixMilli(), red.ID)
	rework := servertest.DispatchedCase(t, app)
	exec("UPDATE problem SET unit_id = ?, state = 'in_progress', rework_count = 1 WHERE id = ?", shequ, rework.ID)
	// The office decides: a case returned by its unit, an extension asked
	// for (through the life cycle, as the units do).
	returned := servertest.DispatchedCase(t, app)
	moveAs := func(who string, id int64, in problem.MoveInput) {
		t.Helper()
		if _, err := app.Problems.Move(ctx, dashActor(t, app, who), id, in); err != nil {
			t.Fatalf("%s: %v", in.Action, err)
		}
	}
	moveAs("shequ", returned.ID, problem.MoveInput{Action: problem.ActReturn, Note: "不属于本社区"})
	ext := servertest.DispatchedCase(t, app)
	moveAs("shequ", ext.ID, problem.MoveInput{Action: problem.ActAccept})
	moveAs("shequ", ext.ID, problem.MoveInput{Action: problem.ActRequestExtension, Note: "需协调物业", Deadline: now.AddDate(0, 0, 10)})
	// A plan running now, for the demo inspector.
	office := app.SignedIn(t, "office")
	office.Get("/inspections")
	local := now.In(calendar.Shanghai())
	res := office.Post("/inspections", url.Values{"name": {"12 月模拟测评"}, "region": {"410411"},
		"starts_on": {local.Format("2006-01-02")}, "ends_on": {local.AddDate(0, 0, 7).Format("2006-01-02")},
		"inspectors": {servertest.UserIDByName(t, app, "inspector")}, "mode": {"sample"}, "n_square": {"2"}, "n_main_road": {"2"}, "seed": {"7"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("plan: %d\n%s", res.Status, res.Body)
	}
	// The citizen reported one.
	cat := servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02"))
	if _, err := app.Problems.Report(ctx, dashActor(t, app, "citizen"), problem.ReportInput{Source: problem.SourceSnapshot, CategoryID: cat,
		Description: "人行道上有破损井盖", RegionCode: "410411001001"}); err != nil {
		t.Fatal(err)
	}
	return app
}

// TestWorkbenchByRole: every role's workbench shows its items, each count
// equal to an independent count of the rows, each queue's link opening a
// ledger of exactly that many cases, and each entry's link an open page.
func TestWorkbenchByRole(t *testing.T) {
	t.Parallel()
	app := wbApp(t)
	ctx := context.Background()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := app.DB.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	now := time.Now()
	ms := now.UnixMilli()
	local := now.In(calendar.Shanghai())
	dayStart := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, calendar.Shanghai()).UnixMilli()
	eod := problem.EndOfDay(now).UnixMilli()
	today := local.Format("2006-01-02")
	area := "410411%"
	open3 := "state IN ('filed', 'dispatched', 'in_progress')"
	unitOf := func(name string) int64 { return dashActor(t, app, name).UnitID }
	unitQueues := func(u int64) map[string]int {
		return map[string]int{
			"problem/accept":  count("SELECT COUNT(*) FROM problem WHERE unit_id = ? AND state = 'dispatched'", u),
			"problem/today":   count("SELECT COUNT(*) FROM problem WHERE unit_id = ? AND "+open3+" AND deadline >= ? AND deadline < ?", u, ms, eod),
			"problem/overdue": count("SELECT COUNT(*) FROM problem WHERE unit_id = ? AND "+open3+" AND deadline < ?", u, ms),
			"problem/rework":  count("SELECT COUNT(*) FROM problem WHERE unit_id = ? AND state = 'in_progress' AND rework_count > 0", u),
		}
	}
	inspector := dashActor(t, app, "inspector")
	// The street's handler also chases its communities' overdue cases.
	streetQueues := func() map[string]int {
		street := unitOf("handler")
		below, err := app.Org.SubUnits(ctx, street)
		if err != nil || len(below) == 0 {
			t.Fatalf("units below the street: %v %v", below, err)
		}
		args := []any{ms}
		for _, id := range below {
			args = append(args, id)
		}
		m := unitQueues(street)
		m["problem/below_overdue"] = count("SELECT COUNT(*) FROM problem WHERE "+open3+" AND deadline < ? AND unit_id IN ("+
			strings.TrimSuffix(strings.Repeat("?, ", len(below)), ", ")+")", args...)
		return m
	}

	// A daily bulletin due later today, when there is a later today.
	schedule := local.Hour() < 23
	if schedule {
		if _, err := app.Bulletins.CreateSchedule(ctx, dashActor(t, app, "office"), bulletin.ScheduleInput{Kind: bulletin.PeriodDay, Hour: 23, Minute: 30}); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		role    string
		first   string         // the first section
		want    map[string]int // kind → independent count
		nonzero []string       // kinds the fixtures fill
		absent  []string       // kinds this role must not see
	}{
		{role: "office", first: "todo", want: map[string]int{
			"problem/file":         count("SELECT COUNT(*) FROM problem WHERE state = 'reported' AND region_code LIKE ?", area),
			"problem/returned":     count("SELECT COUNT(*) FROM problem WHERE state = 'filed' AND return_count > 0 AND region_code LIKE ?", area),
			"problem/extension":    count("SELECT COUNT(*) FROM problem WHERE state = 'in_progress' AND ext_requested_deadline IS NOT NULL AND region_code LIKE ?", area),
			"problem/red":          count("SELECT COUNT(*) FROM problem WHERE "+open3+" AND escalation_level >= 2 AND region_code LIKE ?", area),
			"problem/verify_late":  count("SELECT COUNT(*) FROM problem WHERE state = 'rectified' AND rectified_at < ? AND region_code LIKE ?", ms-48*3600*1000, area),
			"problem/overdue_now":  count("SELECT COUNT(*) FROM problem WHERE "+open3+" AND deadline < ? AND region_code LIKE ?", ms, area),
			"problem/new_today":    count("SELECT COUNT(*) FROM problem WHERE state <> 'duplicate' AND reported_at >= ? AND region_code LIKE ?", dayStart, area),
			"problem/closed_today": count("SELECT COUNT(*) FROM problem WHERE state = 'closed' AND closed_at >= ? AND region_code LIKE ?", dayStart, area),
			"inspect/plans": count(`SELECT COUNT(*) FROM inspection_plan p WHERE p.ends_on >= ? AND p.region_code LIKE ?
				AND (SELECT COUNT(*) FROM inspection_plan_site x WHERE x.plan_id = p.id) > (SELECT COUNT(*) FROM inspection i WHERE i.plan_id = p.id)`, today, area),
		}, nonzero: []string{"problem/red", "problem/overdue_now", "problem/returned", "problem/extension", "inspect/plans"}, absent: []string{"problem/accept", "problem/mine", "problem/black_list"}},
		{role: "handler", first: "todo", want: streetQueues(), nonzero: []string{"problem/below_overdue"},
			absent: []string{"problem/file", "problem/new_today", "problem/mine"}},
		{role: "shequ", first: "todo", want: unitQueues(unitOf("shequ")),
			nonzero: []string{"problem/accept", "problem/today", "problem/overdue", "problem/rework"}, absent: []string{"problem/file", "inspect/plans"}},
		{role: "inspector", first: "todo", want: map[string]int{
			"problem/verify": count("SELECT COUNT(*) FROM problem WHERE state = 'rectified' AND region_code LIKE ?", inspector.Region+"%"),
			"inspect/sites": count(`SELECT COUNT(*) FROM inspection_plan_site x JOIN inspection_plan p ON p.id = x.plan_id
				WHERE p.ends_on >= ? AND EXISTS (SELECT 1 FROM inspection_plan_inspector u WHERE u.plan_id = p.id AND u.user_id = ?)
				AND (x.inspector_id IS NULL OR x.inspector_id = ?)
				AND NOT EXISTS (SELECT 1 FROM inspection i WHERE i.plan_id = x.plan_id AND i.site_id = x.site_id)`, today, inspector.UserID, inspector.UserID),
		}, nonzero: []string{"inspect/sites"}, absent: []string{"problem/file", "problem/accept"}},
		{role: "leader", first: "figures", want: map[string]int{
			"problem/red":         count("SELECT COUNT(*) FROM problem WHERE "+open3+" AND escalation_level >= 2 AND region_code LIKE ?", area),
			"problem/overdue_now": count("SELECT COUNT(*) FROM problem WHERE "+open3+" AND deadline < ? AND region_code LIKE ?", ms, area),
			"problem/new_today":   count("SELECT COUNT(*) FROM problem WHERE state <> 'duplicate' AND reported_at >= ? AND region_code LIKE ?", dayStart, area),
		}, nonzero: []string{"problem/red"}, absent: []string{"problem/file", "problem/accept", "inspect/plans", "bulletin/due"}},
		{role: "citizen", first: "mine", want: map[string]int{
			"problem/mine": count("SELECT COUNT(*) FROM problem WHERE reporter_id = ?", dashActor(t, app, "citizen").UserID),
		}, nonzero: []string{"problem/mine"}, absent: []string{"problem/file", "problem/accept", "problem/new_today"}},
	} {
		t.Run(tc.role, func(t *testing.T) {
			b := app.SignedIn(t, tc.role)
			res := b.Get("/")
			if res.Status != http.StatusOK {
				t.Fatalf("workbench: %d\n%s", res.Status, res.Body)
			}
			servertest.MustContain(t, res.Body, "工作台", `data-section="`+tc.first+`"`)
			if i := strings.Index(res.Body, `data-section="`); i < 0 || !strings.HasPrefix(res.Body[i:], `data-section="`+tc.first+`"`) {
				t.Errorf("first section is not %s", tc.first)
			}
			cards := wbCards(t, res.Body)
			for kind, want := range tc.want {
				c, ok := cards[kind]
				if !ok {
					t.Errorf("no %s card; cards %v", kind, cards)
					continue
				}
				if c.count != want {
					t.Errorf("%s: count %d, want %d", kind, c.count, want)
				}
			}
			for _, kind := range tc.nonzero {
				if cards[kind].count == 0 {
					t.Errorf("%s: count 0, the fixtures put cases in it", kind)
				}
			}
			for _, kind := range tc.absent {
				if _, ok := cards[kind]; ok {
					t.Errorf("%s sees %s", tc.role, kind)
				}
			}
			for kind, c := range cards {
				// Every queue lists its first cases (the overdue figure is a count).
				if c.count > 0 && len(c.entries) == 0 && strings.HasPrefix(c.link, "/problems?") && kind != "problem/overdue_now" {
					t.Errorf("%s: %d cases but no entries", kind, c.count)
				}
				if len(c.entries) > 5 || len(c.entries) > c.count && kind != "problem/black_list" {
					t.Errorf("%s: %d entries for a count of %d", kind, len(c.entries), c.count)
				}
				// A queue's link is the ledger of exactly the counted cases.
				if strings.HasPrefix(c.link, "/problems?") && c.count <= problem.CountCap {
					page := b.Get(c.link)
					m := ledgerTotal.FindStringSubmatch(page.Body)
					if page.Status != http.StatusOK || m == nil {
						t.Errorf("%s: ledger %s: %d", kind, c.link, page.Status)
					} else if m[1] != strconv.Itoa(c.count) {
						t.Errorf("%s: ledger %s shows %s cases, the workbench %d", kind, c.link, m[1], c.count)
					}
				}
				for _, link := range c.entries {
					if page := b.Get(link); page.Status != http.StatusOK {
						t.Errorf("%s: entry %s: %d", kind, link, page.Status)
					}
				}
			}
			if tc.role == "office" && schedule && cards["bulletin/due"].count == 0 {
				t.Errorf("the office's daily bulletin at 23:30 is not due today")
			}
		})
	}
}

// TestWorkbenchSignedOut: the home page needs a session.
func TestWorkbenchSignedOut(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	res := app.Browser(t).Get("/")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login") {
		t.Fatalf("signed out: %d %s", res.Status, res.Location)
	}
}

// TestWorkbenchNearestFirst: with the phone's position the inspector's
// cases to verify come nearest first, each with its distance; a position
// that is not a place is ignored.
func TestWorkbenchNearestFirst(t *testing.T) {
	t.Parallel()
	app := wbApp(t)
	ctx := context.Background()
	inspector := dashActor(t, app, "inspector")
	type spot struct {
		code     string
		lng, lat float64
	}
	rows, err := app.DB.Query(ctx, `SELECT code, lng, lat FROM problem WHERE state = 'rectified' AND lng IS NOT NULL
		AND region_code LIKE ? ORDER BY id`, inspector.Region+"%")
	if err != nil {
		t.Fatal(err)
	}
	var spots []spot
	for rows.Next() {
		var s spot
		if err := rows.Scan(&s.code, &s.lng, &s.lat); err != nil {
			t.Fatal(err)
		}
		spots = append(spots, s)
	}
	rows.Close()
	if len(spots) < 2 {
		t.Fatalf("the demo left %d rectified cases with a place", len(spots))
	}
	b := app.SignedIn(t, "inspector")
	firstEntry := func(body string) string {
		t.Helper()
		i := strings.Index(body, `data-kind="problem/verify"`)
		if i < 0 {
			t.Fatalf("no card of cases to verify:\n%s", body)
		}
		card := body[i:]
		card = card[:strings.Index(card, "</article>")]
		li := strings.Index(card, "<li")
		if li < 0 {
			t.Fatalf("the card lists no case:\n%s", card)
		}
		return card[li:]
	}
	plain := b.Get("/")
	if !strings.Contains(plain.Body, "data-nearest") {
		t.Fatal("no 离我最近的优先 button for the inspector")
	}
	// Standing at each of two cases, that case is listed first, with its
	// distance (0.0 km).
	for _, s := range []spot{spots[len(spots)-1], spots[0]} {
		res := b.Get("/?near=" + strconv.FormatFloat(s.lng, 'f', 6, 64) + "," + strconv.FormatFloat(s.lat, 'f', 6, 64))
		first := firstEntry(res.Body)
		if !strings.Contains(first, s.code) || !strings.Contains(first, "距您约 0.0 公里") {
			t.Errorf("standing at %s, the first case is %s", s.code, first)
		}
		if !strings.Contains(res.Body, "已按离您的距离排序") {
			t.Error("the page does not say it is sorted by distance")
		}
	}
	if res := b.Get("/?near=999,1"); strings.Contains(res.Body, "已按离您的距离排序") || res.Status != http.StatusOK {
		t.Errorf("a position off the Earth was used: %d", res.Status)
	}
	// Only inspectors get the order.
	if res := app.SignedIn(t, "office").Get("/?near=113.3,33.7"); strings.Contains(res.Body, "data-nearest") || strings.Contains(res.Body, "已按离您的距离排序") {
		t.Error("the office got the inspector's nearest order")
	}
}
