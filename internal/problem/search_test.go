package problem_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/problem"
)

// TestTextSearch checks the indexed search against a plain substring test
// over the same cases: two- and three-character Chinese words, case codes,
// addresses, a one-character query (which scans), and text whose bigrams
// are all present but not in one piece (which must not match).
func TestTextSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	texts := []struct{ desc, addr string }{
		{"井盖破损，存在安全隐患", "建设路12号"},
		{"商户占道经营，影响通行", "开源路与建设路交叉口"},
		{"道路两侧占道 经营摊点", "湛河区姚孟大道"},
		{"楼道内堆放杂物", "电力小区3号楼"},
		{"甲乙 乙丙", "Room B-12"},
		{"垃圾桶满溢，井盖缺失", "光明路88号"},
	}
	var cases []*problem.Case
	for _, x := range texts {
		c, err := w.app.Problems.Report(ctx, w.actors["inspector"], problem.ReportInput{
			Source: problem.SourceInspection, CategoryID: w.catID, Description: x.desc, Address: x.addr,
			RegionCode: "410411001001", Photos: []string{w.photo}})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	office := w.actors["office"]
	search := func(t *testing.T, q string) []string {
		t.Helper()
		got, _, err := w.app.Problems.List(ctx, office, problem.Filter{Text: q, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, c := range got {
			codes = append(codes, c.Code)
		}
		slices.Sort(codes)
		return codes
	}
	// What a substring test over every case finds (the demo's own cases
	// are in the ledger too).
	want := func(t *testing.T, q string) []string {
		t.Helper()
		var codes []string
		err := w.app.Problems.Each(ctx, office, problem.Filter{}, func(c *problem.Case) error {
			if strings.Contains(strings.ToLower(c.Code+"\x00"+c.Description+"\x00"+c.Address), strings.ToLower(q)) {
				codes = append(codes, c.Code)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(codes)
		return codes
	}
	queries := []struct {
		q    string
		want []int // indexes into texts that must be among the results
		not  []int
	}{
		{"井盖", []int{0, 5}, []int{1, 2, 3, 4}},
		{"占道经营", []int{1}, []int{2}}, // 2 has both words, apart
		{"建设路", []int{0, 1}, []int{2}},
		{"12号", []int{0}, []int{4}},
		{"甲乙丙", nil, []int{4}}, // every bigram is in case 4, not the word
		{"堆", []int{3}, nil},   // one character: scanned
		{"b-12", []int{4}, nil},
		{cases[2].Code, []int{2}, []int{0, 1}},
	}
	// On SQLite the new cases wait for the index (IndexPending, in the
	// background) and are found meanwhile; then they are found by it.
	var queued int
	if err := w.app.DB.QueryRow(ctx, "SELECT COUNT(*) FROM problem_search_pending").Scan(&queued); err != nil {
		t.Fatal(err)
	}
	if sqlite := w.app.DB.Dialect() == db.SQLite; (queued >= len(texts)) != sqlite {
		t.Fatalf("%d cases queued for the index (SQLite: %v)", queued, sqlite)
	}
	for _, phase := range []string{"queued", "indexed"} {
		if phase == "indexed" {
			n, err := w.app.Problems.IndexPending(ctx)
			if err != nil || n != queued {
				t.Fatalf("indexed %d of %d queued, %v", n, queued, err)
			}
		}
		// Each page as counted and sorted, and walked newest first (past
		// one match).
		for _, walkAbove := range []int{0, 1} {
			w.app.Problems.WalkNewestAbove = walkAbove
			for _, tc := range queries {
				got := search(t, tc.q)
				if ref := want(t, tc.q); !slices.Equal(got, ref) {
					t.Errorf("%s, walk above %d: %q: search found %v, a substring test %v", phase, walkAbove, tc.q, got, ref)
				}
				for _, i := range tc.want {
					if !slices.Contains(got, cases[i].Code) {
						t.Errorf("%s, walk above %d: %q: %q (%s) not found", phase, walkAbove, tc.q, texts[i].desc, cases[i].Code)
					}
				}
				for _, i := range tc.not {
					if slices.Contains(got, cases[i].Code) {
						t.Errorf("%s, walk above %d: %q: %q found", phase, walkAbove, tc.q, texts[i].desc)
					}
				}
			}
		}
		w.app.Problems.WalkNewestAbove = 0
	}

	// Built again from the cases (as after a bulk load), the index finds
	// the same.
	before := search(t, "井盖")
	if _, err := w.app.DB.Exec(ctx, "DELETE FROM problem_search"); err != nil {
		t.Fatal(err)
	}
	if emptied := search(t, "井盖"); len(emptied) != 0 {
		t.Fatalf("with the index emptied the search still found %v: it did not use the index", emptied)
	}
	if err := w.app.Problems.RebuildSearch(ctx); err != nil {
		t.Fatal(err)
	}
	if after := search(t, "井盖"); !slices.Equal(before, after) || len(after) < 2 {
		t.Fatalf("after a rebuild %v, before %v", after, before)
	}
}

// TestPagesWalkedByReportedTimeMatch: a page read by walking the
// reported-time index (what List does when many cases match) holds the
// same cases in the same order as the planner's own plan, for each filter,
// sort and offset.
func TestPagesWalkedByReportedTimeMatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	for i, st := range []problem.State{problem.Reported, problem.Filed, problem.Dispatched, problem.InProgress,
		problem.Rectified, problem.Closed, problem.Dispatched, problem.InProgress, problem.Reported, problem.Parked} {
		w.caseIn(t, st)
		w.now = w.now.Add(time.Duration(i+1) * 7 * time.Minute) // distinct reported times, some equal below
	}
	for range 3 { // the same reported time: the id breaks the tie
		w.caseIn(t, problem.Dispatched)
	}
	// Cases the street's handler reported itself: not yet with any unit
	// (a NULL unit), so only the "reported by me" part of its scope holds
	// them.
	for range 2 {
		if _, err := w.app.Problems.Report(ctx, w.actors["handler"], problem.ReportInput{Source: problem.SourceSnapshot,
			CategoryID: w.catID, Description: "路边堆放废旧家具", RegionCode: "410411001001", Photos: []string{w.photo}}); err != nil {
			t.Fatal(err)
		}
	}
	// One the office reported without a region (a hotline call with no
	// place): outside every area, inside the office's own reports.
	nowhere, err := w.app.Problems.Report(ctx, w.actors["office"], problem.ReportInput{Source: problem.SourceHotline,
		CategoryID: w.catID, Description: "来电反映旧家具堆放", RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.DB.Exec(ctx, "UPDATE problem SET region_code = NULL WHERE id = ?", nowhere.ID); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.AddDate(0, 0, 10) // some deadlines pass
	// Red and yellow cases (督办), as the escalation job leaves them.
	if _, err := w.app.DB.Exec(ctx, "UPDATE problem SET escalation_level = CASE WHEN state = 'dispatched' THEN 2 ELSE 1 END WHERE state IN ('dispatched', 'in_progress')"); err != nil {
		t.Fatal(err)
	}
	office := w.actors["office"]
	filters := map[string]problem.Filter{
		"all":                {},
		"dispatched":         {States: []problem.State{problem.Dispatched}},
		"overdue":            {Overdue: true},
		"street":             {Region: "410411001"},
		"text":               {Text: "家具"},
		"text, three":        {Text: "旧家具"},
		"red":                {Escalation: 2},
		"yellow":             {Escalation: 1},
		"source":             {Source: problem.SourceSnapshot},
		"category":           {CategoryID: w.catID},
		"street, dispatched": {Region: "410411001", States: []problem.State{problem.Dispatched}},
		"old":                {Sort: "old"},
		"offset":             {Offset: 3, Limit: 4},
		"old, offset":        {Sort: "old", Offset: 5, Limit: 3},
		"deadline":           {Sort: "deadline"},
	}
	codes := func(cs []*problem.Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Code)
		}
		return out
	}
	for name, f := range filters {
		// The office (an area), a street's handler (its units) and a
		// community's: each scope's hints and indexes, planned and walked.
		for _, who := range []string{"office", "handler", "shequ"} {
			w.app.Problems.WalkNewestAbove = 0
			planned, n1, err := w.app.Problems.List(ctx, w.actors[who], f)
			if err != nil {
				t.Fatal(name, who, err)
			}
			w.app.Problems.WalkNewestAbove = 1 // walk whenever two or more match
			walked, n2, err := w.app.Problems.List(ctx, w.actors[who], f)
			if err != nil {
				t.Fatal(name, who, err)
			}
			if n1 != n2 || !slices.Equal(codes(planned), codes(walked)) {
				t.Errorf("%s as %s: planned %d %v, walked %d %v", name, who, n1, codes(planned), n2, codes(walked))
			}
		}
		w.app.Problems.WalkNewestAbove = 1
		walked, _, err := w.app.Problems.List(ctx, office, f)
		if err != nil {
			t.Fatal(err)
		}
		// The capped count, taken in disjoint parts of the scope, equals
		// the exact count of the whole scope, for every kind of actor.
		for _, who := range []string{"office", "leader", "inspector", "handler", "shequ"} {
			_, capped, err := w.app.Problems.List(ctx, w.actors[who], f)
			if err != nil {
				t.Fatal(err)
			}
			exact, err := w.app.Problems.Count(ctx, w.actors[who], f)
			if err != nil {
				t.Fatal(err)
			}
			if capped != exact {
				t.Errorf("%s as %s: List counts %d, Count %d", name, who, capped, exact)
			}
			if who == "handler" && name == "all" && capped < 2 {
				t.Errorf("the handler's own reports are not counted: %d", capped)
			}
		}
		if (name == "dispatched" || name == "red") && len(walked) < 4 {
			t.Errorf("%s: only %d cases, the fixture made 5", name, len(walked))
		}
	}
}

// TestSearchFindsAMovedCaseInItsNewUnit: a dispatched case is in its new
// unit's handler's search at once, while its row of the index (which
// names the unit) waits to be written again on SQLite, and after.
func TestSearchFindsAMovedCaseInItsNewUnit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	handler := w.actors["shequ"]
	c, err := w.app.Problems.Report(ctx, w.actors["inspector"], problem.ReportInput{
		Source: problem.SourceInspection, CategoryID: w.catID, Description: "人行道井盖松动异响", RegionCode: "410411001001",
		Photos: []string{w.photo}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Problems.IndexPending(ctx); err != nil {
		t.Fatal(err)
	}
	found := func(phase string) {
		t.Helper()
		got, _, err := w.app.Problems.List(ctx, handler, problem.Filter{Text: "井盖松动", Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != c.ID {
			t.Errorf("%s: the unit's handler found %d cases, want case %d", phase, len(got), c.ID)
		}
	}
	w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActFile})
	w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActDispatch, UnitID: handler.UnitID})
	found("queued")
	if w.app.DB.Dialect() == db.SQLite {
		// A queued case without its row leaves the queue too.
		if _, err := w.app.DB.Exec(ctx, "INSERT INTO problem_search_pending (problem_id, indexed) VALUES (?, 1)", c.ID+1000000); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.app.Problems.IndexPending(ctx); err != nil {
		t.Fatal(err)
	}
	var queued int
	if err := w.app.DB.QueryRow(ctx, "SELECT COUNT(*) FROM problem_search_pending").Scan(&queued); err != nil || queued != 0 {
		t.Fatalf("%d cases still queued, %v", queued, err)
	}
	found("indexed")
}
