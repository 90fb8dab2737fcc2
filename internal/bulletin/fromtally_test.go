package bulletin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/synth"
)

// TestBulletinFromTheTallyEqualsCounting builds the bulletins of a
// generated district, weekly and monthly, for the district and a street,
// once from the ledger's tally and once by counting the period's cases,
// and wants the same content: totals, tables by source and category, and
// every unit's figures, weights, score and place on the red and black
// lists. Some cases carry the office's marks, and the returners column is
// emptied and read again from the timeline before counting.
func TestBulletinFromTheTallyEqualsCounting(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	end := time.Date(2026, 11, 18, 0, 0, 0, 0, calendar.Shanghai())
	if _, err := synth.Generate(ctx, d, synth.Options{Seed: 11, Problems: 4000, Grids: 200, Units: 200, Months: 3, End: end}); err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.New(d).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock := synth.CalendarClock{Calendar: cal}
	problems := &problem.Store{DB: d, Now: func() time.Time { return end }, Clock: clock}
	var officeID int64
	if err := d.QueryRow(ctx, "SELECT id FROM app_user WHERE username = ?", synth.UserOffice).Scan(&officeID); err != nil {
		t.Fatal(err)
	}
	office, _, err := org.New(d).Actor(ctx, officeID)
	if err != nil {
		t.Fatal(err)
	}
	mark := func(q string, fn func(id int64) error) int {
		t.Helper()
		rows, err := d.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			if err := fn(id); err != nil {
				t.Fatalf("mark %d: %v", id, err)
			}
		}
		return len(ids)
	}
	falsified := mark("SELECT id FROM problem WHERE rectified_at IS NOT NULL AND unit_id IS NOT NULL ORDER BY id DESC LIMIT 40",
		func(id int64) error { return problems.MarkFalsified(ctx, office, id, true) })
	unjust := mark("SELECT id FROM problem WHERE return_count > 0 ORDER BY id DESC LIMIT 30",
		func(id int64) error { return problems.MarkUnjustifiedReturn(ctx, office, id) })
	if falsified < 20 || unjust < 10 {
		t.Fatalf("the city has %d cases to mark falsified and %d returned ones; too few to test", falsified, unjust)
	}
	// The returners of every case, read again from the timeline.
	if _, err := d.Exec(ctx, "UPDATE problem SET returners = NULL"); err != nil {
		t.Fatal(err)
	}
	if err := problems.RebuildTally(ctx); err != nil {
		t.Fatal(err)
	}
	var street string
	if err := d.QueryRow(ctx, `SELECT substr(region_code, 1, 9) FROM problem WHERE LENGTH(region_code) >= 9
		GROUP BY substr(region_code, 1, 9) ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&street); err != nil {
		t.Fatal(err)
	}
	fromTally := &bulletin.Store{DB: d, Problems: problems, Now: func() time.Time { return end }, Hours: clock}
	counting := &bulletin.Store{DB: d, Problems: problems, Now: func() time.Time { return end }, Hours: clock, CountCases: true}
	local := end.In(calendar.Shanghai())
	var periods []bulletin.Period
	for weeks := 1; weeks <= 4; weeks++ {
		p, err := bulletin.ParsePeriod(bulletin.PeriodWeek, local.AddDate(0, 0, -7*weeks).Format("2006-01-02"), "")
		if err != nil {
			t.Fatal(err)
		}
		periods = append(periods, p)
	}
	month, err := bulletin.ParsePeriod(bulletin.PeriodMonth, local.AddDate(0, -1, 0).Format("2006-01-02"), "")
	if err != nil {
		t.Fatal(err)
	}
	periods = append(periods, month)
	units, returned := 0, 0
	for _, region := range []string{office.Region, street} {
		for _, p := range periods {
			req := bulletin.Request{Region: region, Period: p}
			got := preview(t, fromTally, office, req)
			want := preview(t, counting, office, req)
			if want.Totals.Filed == 0 {
				t.Fatalf("%s %s: no cases", region, p.Start().Format("2006-01-02")+"~"+p.End().Format("01-02"))
			}
			if diffs := differences("", normalised(t, got), normalised(t, want)); len(diffs) > 0 {
				t.Errorf("%s %s: from the tally and by counting differ at\n%s", region, p.Start().Format("2006-01-02"),
					strings.Join(diffs[:min(len(diffs), 20)], "\n"))
			}
			for _, g := range want.Groups {
				for _, u := range g.Units {
					units++
					returned += u.Figures.Returned + u.UnjustifiedReturns + u.Falsified
				}
			}
		}
	}
	if units < 50 || returned == 0 {
		t.Errorf("only %d unit rows with %d returns and marks compared", units, returned)
	}
}

// differences lists the paths where two JSON values differ, with both.
func differences(path string, a, b any) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		var out []string
		for k := range am {
			out = append(out, differences(path+"."+k, am[k], bm[k])...)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing from the tally's", path, k))
			}
		}
		slices.Sort(out)
		return out
	}
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok {
		if len(as) != len(bs) {
			return []string{fmt.Sprintf("%s: %d items, counting %d", path, len(as), len(bs))}
		}
		var out []string
		for i := range as {
			out = append(out, differences(fmt.Sprintf("%s[%d]", path, i), as[i], bs[i])...)
		}
		return out
	}
	if !reflect.DeepEqual(a, b) {
		return []string{fmt.Sprintf("%s: %v, counting %v", path, a, b)}
	}
	return nil
}

func preview(t *testing.T, s *bulletin.Store, a access.Actor, req bulletin.Request) bulletin.Content {
	t.Helper()
	b, err := s.Preview(context.Background(), a, req)
	if err != nil {
		t.Fatal(err)
	}
	return b.Content
}

// normalised is the content as JSON values with floats rounded to nine
// places: sums of weights added in another order differ in the last bits.
func normalised(t *testing.T, c bulletin.Content) any {
	t.Helper()
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var round func(any) any
	round = func(x any) any {
		switch x := x.(type) {
		case float64:
			return math.Round(x*1e9) / 1e9
		case []any:
			for i := range x {
				x[i] = round(x[i])
			}
		case map[string]any:
			for k := range x {
				x[k] = round(x[k])
			}
		}
		return x
	}
	return round(v)
}
