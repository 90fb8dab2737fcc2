package web_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var siteRow = regexp.MustCompile(`<tr data-site="(\d+)"( data-lat="[^"]+" data-lng="[^"]+")?`)

// planRows lists the site ids of the plan page's full list, in order, and
// how many of them carry a position.
func planRows(t *testing.T, body string) ([]int64, int) {
	t.Helper()
	i := strings.Index(body, `id="plan-sites"`)
	if i < 0 {
		t.Fatal("no site list on the plan page")
	}
	var ids []int64
	placed := 0
	for _, m := range siteRow.FindAllStringSubmatch(body[i:], -1) {
		ids = append(ids, servertest.MustAtoi(t, m[1]))
		if m[2] != "" {
			placed++
		}
	}
	return ids, placed
}

// TestPlanFilters: a plan's page filters its sites by 待检查 / 已检查 with
// the counts of each, lists the inspector's own sites first, and gives each
// site its position for the nearest-first sort.
func TestPlanFilters(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	servertest.MakeInspector(t, app, "inspector2")
	office, insp := app.SignedIn(t, "office"), app.SignedIn(t, "inspector")
	plan := servertest.NewSharedPlan(t, app, office, "even")
	if _, res, _ := inspectFirstSite(t, insp, strconv.FormatInt(plan, 10), "filter-1"); res.Status >= 400 {
		t.Fatalf("checklist: %d", res.Status)
	}
	results := servertest.PlanResults(t, app, plan)
	me := servertest.MustAtoi(t, servertest.UserIDByName(t, app, "inspector"))
	var all, todo, done, mineFirst []int64
	var rest []int64
	for _, sc := range results.Sites {
		all = append(all, sc.SiteID)
		if sc.Done {
			done = append(done, sc.SiteID)
		} else {
			todo = append(todo, sc.SiteID)
		}
		if sc.AssigneeID == me {
			mineFirst = append(mineFirst, sc.SiteID)
		} else {
			rest = append(rest, sc.SiteID)
		}
	}
	mineFirst = append(mineFirst, rest...)
	if len(done) != 1 || len(todo) < 2 {
		t.Fatalf("plan has %d done, %d to do", len(done), len(todo))
	}
	counts := []string{"全部 " + strconv.Itoa(len(all)), "待检查 " + strconv.Itoa(len(todo)), "已检查 " + strconv.Itoa(len(done))}
	sorted := func(x []int64) []int64 { y := slices.Clone(x); slices.Sort(y); return y }
	path := "/inspections/" + strconv.FormatInt(plan, 10)
	tests := []struct {
		name, who, query string
		want             []int64
		ordered          bool // the order matters, not only the set
		current          string
	}{
		{"office sees all", "office", "", all, false, "all"},
		{"inspector sees own sites first", "inspector", "", mineFirst, true, "all"},
		{"to do", "inspector", "?show=todo", todo, false, "todo"},
		{"done", "inspector", "?show=done", done, false, "done"},
		{"unknown filter shows all", "office", "?show=x", all, false, "all"},
	}
	for _, tc := range tests {
		// One browser per person, so the subtests run one after another.
		t.Run(tc.name, func(t *testing.T) {
			b := map[string]*servertest.Browser{"office": office, "inspector": insp}[tc.who]
			res := b.Get(path + tc.query)
			servertest.MustContain(t, res.Body, counts...)
			servertest.MustContain(t, res.Body, `aria-current="page" data-show="`+tc.current+`"`)
			got, placed := planRows(t, res.Body)
			if tc.ordered && !slices.Equal(got, tc.want) || !slices.Equal(sorted(got), sorted(tc.want)) {
				t.Errorf("sites %v, want %v", got, tc.want)
			}
			if placed != len(got) {
				t.Errorf("%d of %d sites carry their position", placed, len(got))
			}
		})
	}
}
