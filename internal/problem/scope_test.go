package problem_test

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
)

// scopeWorld is the demo district with one case of each kind of
// placement, and an account for every role the scope rule concerns.
type scopeWorld struct {
	*world
	cases map[string]*problem.Case // by a short name
	units map[string]int64         // by unit code
}

func newScopeWorld(t *testing.T) *scopeWorld {
	t.Helper()
	ctx := context.Background()
	w := &scopeWorld{world: newWorld(t), cases: map[string]*problem.Case{}, units: map[string]int64{}}
	for _, code := range []string{"410411001", "410411001001", "410411002", "410411-cg"} {
		id, err := org.UnitIDByCode(ctx, w.app.DB, code)
		if err != nil || id == 0 {
			t.Fatalf("unit %s: %d %v", code, id, err)
		}
		w.units[code] = id
	}
	// A leader of the street, the handlers of another street and of a
	// department, and the demo's citizen.
	for _, u := range []struct {
		name, unit string
		role       access.Role
	}{
		{"street-leader", "410411001", access.RoleLeader},
		{"other-street", "410411002", access.RoleHandler},
		{"department", "410411-cg", access.RoleHandler},
	} {
		if _, _, err := w.app.Org.CreateUser(ctx, access.System(), org.UserInput{Username: u.name, DisplayName: u.name,
			UnitID: w.units[u.unit], Roles: []access.Role{u.role}, Password: "a-long-password-2026"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"street-leader", "other-street", "department", "citizen"} {
		var id int64
		if err := w.app.DB.QueryRow(ctx, "SELECT id FROM app_user WHERE username = ?", name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		a, _, err := w.app.Org.Actor(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		w.actors[name] = a
	}
	dispatch := func(name, region string, unit int64) {
		c, err := w.app.Problems.Report(ctx, w.actors["inspector"], problem.ReportInput{Source: problem.SourceInspection,
			CategoryID: w.catID, Description: "堆物 " + name, RegionCode: region, Photos: []string{w.photo}})
		if err != nil {
			t.Fatal(err)
		}
		w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActFile})
		w.cases[name] = w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActDispatch, UnitID: unit})
	}
	dispatch("community", "410411001001", 0)                     // routed to 电力社区 by territory
	dispatch("street", "410411001001", w.units["410411001"])     // by hand to the street itself
	dispatch("department", "410411001001", w.units["410411-cg"]) // by hand to 城管局
	dispatch("other street", "410411002001", 0)                  // another street's community
	dispatch("outside", "410411002001", w.units["410411001001"]) // 电力社区, though the place is elsewhere
	w.cases["reported"] = w.report(t)
	c, err := w.app.Problems.Report(ctx, w.actors["citizen"], problem.ReportInput{Source: problem.SourceSnapshot,
		CategoryID: w.catID, Description: "市民随手拍", RegionCode: "410411001001", Photos: []string{w.photo}})
	if err != nil {
		t.Fatal(err)
	}
	w.cases["citizen"] = c
	if got := w.cases["community"].UnitID; got != w.units["410411001001"] {
		t.Fatalf("the community case went to unit %d", got)
	}
	return w
}

// names gives the short names of the cases among ids, sorted.
func (w *scopeWorld) names(ids []int64) []string {
	var out []string
	for name, c := range w.cases {
		if slices.Contains(ids, c.ID) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// scopeWants says which of the scope world's cases each actor sees.
func scopeWants() map[string][]string {
	all := []string{"citizen", "community", "department", "other street", "outside", "reported", "street"}
	return map[string][]string{
		"office":    all,
		"inspector": all,
		"leader":    all, // the district's leader
		// The street's leader: its area, and its communities' case placed elsewhere.
		"street-leader": {"citizen", "community", "department", "outside", "reported", "street"},
		// The street's handler: its own case and its communities'.
		"handler":      {"community", "outside", "street"},
		"shequ":        {"community", "outside"},
		"other-street": {"other street"},
		"department":   {"department"},
		"citizen":      {"citizen"},
	}
}

// TestScopeOfSupervisingUnits: lists, counts, exports, the case itself and
// the KPIs follow the rule that a unit sees its own cases and those of the
// units below it, and only its own cases are its to act on.
func TestScopeOfSupervisingUnits(t *testing.T) {
	t.Parallel()
	w := newScopeWorld(t)
	ctx := context.Background()
	ps := w.app.Problems
	day := time.Date(w.now.Year(), w.now.Month(), w.now.Day(), 0, 0, 0, 0, w.now.Location())
	// Two days on, every dispatched case is past its one working day.
	w.now = w.now.Add(48 * time.Hour)
	for who, want := range scopeWants() {
		t.Run(who, func(t *testing.T) {
			a := w.actors[who]
			list, total, err := ps.List(ctx, a, problem.Filter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			if got := w.names(ids); !slices.Equal(got, want) || total != len(want) {
				t.Errorf("list %v (count %d), want %v", got, total, want)
			}
			var streamed []int64
			if err := ps.Each(ctx, a, problem.Filter{}, func(c *problem.Case) error { streamed = append(streamed, c.ID); return nil }); err != nil {
				t.Fatal(err)
			}
			if got := w.names(streamed); !slices.Equal(got, want) {
				t.Errorf("export %v, want %v", got, want)
			}
			// The briefs a campaign counts, and whole cases read by id, follow
			// the same rule; a brief carries its case's own columns.
			var briefed []int64
			if err := ps.EachBrief(ctx, a, problem.Filter{}, func(b *problem.Brief) error {
				for _, c := range w.cases {
					if c.ID == b.ID && (b.UnitID != c.UnitID || b.RegionCode != c.RegionCode || !b.ReportedAt.Equal(c.ReportedAt)) {
						t.Errorf("brief %+v of case %+v", *b, *c)
					}
				}
				briefed = append(briefed, b.ID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if got := w.names(briefed); !slices.Equal(got, want) {
				t.Errorf("briefs %v, want %v", got, want)
			}
			var every []int64
			for _, c := range w.cases {
				every = append(every, c.ID)
			}
			byID, err := ps.ByIDs(ctx, a, every)
			if err != nil {
				t.Fatal(err)
			}
			var read []int64
			for _, c := range byID {
				read = append(read, c.ID)
				if c.CategoryName == "" {
					t.Errorf("ByIDs read case %d without its names", c.ID)
				}
			}
			if got := w.names(read); !slices.Equal(got, want) {
				t.Errorf("ByIDs %v, want %v", got, want)
			}
			for name, c := range w.cases {
				_, err := ps.Get(ctx, a, c.ID)
				if seen := err == nil; seen != slices.Contains(want, name) {
					t.Errorf("Get(%s): %v", name, err)
				}
			}
			// The KPIs, from the tally where it can answer, are those counted
			// from the cases, for the filters a supervising unit uses.
			for fn, f := range map[string]problem.Filter{"none": {}, "below": {Below: true},
				"a community": {UnitID: w.units["410411001001"]}, "the street": {Region: "410411001"}} {
				got, err := ps.KPIs(ctx, a, f, day, w.now.Add(time.Minute), w.app.Clock)
				if err != nil {
					t.Fatal(err)
				}
				counted, err := ps.KPIsFromCases(ctx, a, f, day, w.now.Add(time.Minute), w.app.Clock)
				if err != nil {
					t.Fatal(err)
				}
				if got != counted {
					t.Errorf("KPIs %s: %+v, counted %+v", fn, got, counted)
				}
			}
			k, err := ps.KPIs(ctx, a, problem.Filter{}, day, w.now.Add(time.Minute), w.app.Clock)
			if err != nil {
				t.Fatal(err)
			}
			filed := 0
			for _, name := range want {
				if w.cases[name].State != problem.Reported {
					filed++
				}
			}
			if k.Filed != filed || k.Dispatched != filed || k.Overdue != filed {
				t.Errorf("KPIs: filed %d, dispatched %d, overdue %d; want %d", k.Filed, k.Dispatched, k.Overdue, filed)
			}
		})
	}
}

// TestSupervisedCasesAreReadOnly: the street's handler and leader read
// their communities' cases but take no action on them; the street's own
// case is the handler's to act on.
func TestSupervisedCasesAreReadOnly(t *testing.T) {
	t.Parallel()
	w := newScopeWorld(t)
	ctx := context.Background()
	ps := w.app.Problems
	community, street := w.cases["community"], w.cases["street"]
	for _, who := range []string{"handler", "street-leader"} {
		a := w.actors[who]
		if acts := problem.Actions(a, community); len(acts) != 0 {
			t.Errorf("%s is offered %v on the community's case", who, acts)
		}
		// The handler is told why; a leader acts on no case anyway.
		if problem.Supervised(a, community) != (who == "handler") || problem.Supervised(a, street) {
			t.Errorf("%s: Supervised community %v, street %v", who, problem.Supervised(a, community), problem.Supervised(a, street))
		}
		for _, in := range []problem.MoveInput{{Action: problem.ActAccept}, {Action: problem.ActReturn, Note: "不归街道"}} {
			_, err := ps.Move(ctx, a, community.ID, in)
			if e := apperr.As(err); e == nil || e.Kind != apperr.KindForbidden || e.Code != "problem.not_your_move" {
				t.Errorf("%s %s on the community's case: %v", who, in.Action, err)
			}
		}
	}
	if problem.Supervised(w.actors["shequ"], community) {
		t.Error("the community's own handler is shown its case as supervised")
	}
	if acts := problem.Actions(w.actors["handler"], street); !slices.Contains(acts, problem.ActAccept) {
		t.Errorf("the street's handler is offered %v on its own case", acts)
	}
	if c := w.move(t, "handler", street.ID, problem.MoveInput{Action: problem.ActAccept}); c.State != problem.InProgress {
		t.Errorf("the street's own case: %s", c.State)
	}
	w.move(t, "shequ", community.ID, problem.MoveInput{Action: problem.ActAccept})
	// Only the communities' cases, for the street's workbench and ledger.
	list, total, err := ps.List(ctx, w.actors["handler"], problem.Filter{Below: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	if got := w.names(ids); !slices.Equal(got, []string{"community", "outside"}) || total != 2 {
		t.Errorf("below the street: %v (%d)", got, total)
	}
	if _, total, err := ps.List(ctx, w.actors["shequ"], problem.Filter{Below: true}); err != nil || total != 0 {
		t.Errorf("below a community without units: %d cases (%v)", total, err)
	}
}

// TestHandlerPagesMatchTheScopeRule: a handler's pages are read unit by
// unit and from the cases they reported outside their units, then
// merged; paged two at a time under each filter, they show exactly the
// cases CanSee grants that match, newest first, each once.
func TestHandlerPagesMatchTheScopeRule(t *testing.T) {
	t.Parallel()
	w := newScopeWorld(t)
	ctx := context.Background()
	// The street's handler reports a case of another street (theirs to
	// see only as its reporter), and one in their own street.
	for i, region := range []string{"410411002001", "410411001001"} {
		w.now = w.now.Add(time.Minute)
		c, err := w.app.Problems.Report(ctx, w.actors["handler"], problem.ReportInput{Source: problem.SourceSnapshot,
			CategoryID: w.catID, Description: "街道巡查发现 " + region, RegionCode: region, Photos: []string{w.photo}})
		if err != nil {
			t.Fatal(err)
		}
		w.cases["handler's own "+strconv.Itoa(i)] = w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActFile})
		w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActDispatch})
	}
	w.now = w.now.Add(48 * time.Hour) // every dispatched case overdue
	every, _, err := w.app.Problems.List(ctx, access.System(), problem.Filter{Limit: problem.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	filters := map[string]struct {
		f     problem.Filter
		match func(*problem.Case) bool
	}{
		"all":        {problem.Filter{}, func(*problem.Case) bool { return true }},
		"dispatched": {problem.Filter{States: []problem.State{problem.Dispatched}}, func(c *problem.Case) bool { return c.State == problem.Dispatched }},
		"overdue":    {problem.Filter{Overdue: true}, func(c *problem.Case) bool { return c.State == problem.Dispatched }},
		"other street": {problem.Filter{Region: "410411002"}, func(c *problem.Case) bool {
			return strings.HasPrefix(c.RegionCode, "410411002")
		}},
		"a community": {problem.Filter{UnitID: w.units["410411001001"]}, func(c *problem.Case) bool { return c.UnitID == w.units["410411001001"] }},
		"category":    {problem.Filter{CategoryID: w.catID}, func(c *problem.Case) bool { return c.CategoryID == w.catID }},
	}
	for _, who := range []string{"handler", "shequ", "street-leader", "department"} {
		for name, tc := range filters {
			var want []string
			for _, c := range every { // newest first, as the ledger
				if problem.CanSee(w.actors[who], c) && tc.match(c) {
					want = append(want, c.Code)
				}
			}
			f := tc.f
			f.Limit = 2
			if got := pageAll(t, w.world, who, f, nil); !slices.Equal(got, want) {
				t.Errorf("%s, %s: paged %v, want %v", who, name, got, want)
			}
		}
	}
	// The handler sees their report in the other street; the fixture
	// must hold it, or the reporter's part is not tested.
	own := w.cases["handler's own 0"]
	if own.UnitID == w.units["410411001"] || !problem.CanSee(w.actors["handler"], own) {
		t.Fatalf("the handler's report went to unit %d", own.UnitID)
	}
}
