package problem_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/synth"
)

// TestAreasFiguresEqualsEachArea counts the figures of 60 areas of a
// generated district (communities, streets, grids, sites, lines with and
// without their boxed regions, mixes, an empty one) at once and one by
// one, in the current month and in the months before, and wants the same
// figures, and enough of them to mean something.
func TestAreasFiguresEqualsEachArea(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	end := time.Date(2026, 11, 18, 10, 0, 0, 0, calendar.Shanghai())
	if _, err := synth.Generate(ctx, d, synth.Options{Seed: 5, Problems: 4000, Grids: 120, Units: 120, Months: 3, End: end}); err != nil {
		t.Fatal(err)
	}
	codes := func(n int) []string {
		out, err := db.Strings(ctx, d, "SELECT code FROM region WHERE length(code) = ? AND code >= ? AND code < ? ORDER BY code", n,
			synth.District, synth.District+"~")
		if err != nil || len(out) < 3 {
			t.Fatalf("regions of length %d: %d %v", n, len(out), err)
		}
		return out
	}
	streets, communities, grids := codes(9), codes(12), codes(15)
	const siteType = "market"
	if _, err := d.Exec(ctx, `INSERT INTO site_type (code, name, position, builtin, active, created_at) VALUES (?, '集贸市场', 1, ?, ?, 0)`,
		siteType, false, true); err != nil {
		t.Fatal(err)
	}
	var sites []int64
	for i := range 3 {
		var id int64
		if err := d.ExecReturning(ctx, `INSERT INTO site (code, name, type_code, region_code, qr_token, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 0, 0) RETURNING id`, fmt.Sprintf("S-T%d", i), fmt.Sprintf("点位%d", i), siteType, streets[0], fmt.Sprintf("qr-%d", i)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		sites = append(sites, id)
		if _, err := d.Exec(ctx, "UPDATE problem SET site_id = ? WHERE id % 23 = ?", id, i); err != nil {
			t.Fatal(err)
		}
	}
	// Lines from cases' places 600 m east, 30 m wide; half of them
	// narrowed to their boxed regions as the holders' are.
	rows, err := d.Query(ctx, "SELECT lng, lat FROM problem WHERE lng IS NOT NULL ORDER BY id LIMIT 16")
	starts, err := db.Collect(rows, err, func(r *sql.Rows) (geo.Point, error) {
		var p geo.Point
		return p, r.Scan(&p.Lng, &p.Lat)
	})
	if err != nil {
		t.Fatal(err)
	}
	boxes, err := region.Boxes(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	line := func(i int) problem.AreaLine {
		p := starts[i%len(starts)]
		l := problem.AreaLine{Points: []geo.Point{p, {Lng: p.Lng + 0.0065, Lat: p.Lat + 0.001}}, BufferM: 30}
		if i%2 == 0 {
			l.Within = problem.OverlappingRegions(boxes, problem.LineBox(l))
		}
		return l
	}
	var areas []problem.Area
	for i := range 12 {
		areas = append(areas, problem.Area{Regions: []string{communities[i%len(communities)]}})
		areas = append(areas, problem.Area{Regions: []string{grids[i%len(grids)], grids[(i*7+3)%len(grids)]}})
		areas = append(areas, problem.Area{Lines: []problem.AreaLine{line(i)}})
	}
	for i := range streets {
		areas = append(areas, problem.Area{Regions: []string{streets[i]}})
	}
	areas = append(areas,
		problem.Area{Sites: sites[:1]},
		problem.Area{Sites: sites[1:], Regions: []string{communities[0]}},
		problem.Area{Regions: []string{streets[0], communities[0]}, Lines: []problem.AreaLine{line(3), line(4)}},
		problem.Area{Sites: []int64{sites[2]}, Lines: []problem.AreaLine{line(5)}},
		problem.Area{},
	)
	problems := &problem.Store{DB: d, Now: func() time.Time { return end }}
	months := []time.Time{
		time.Date(2026, 11, 1, 0, 0, 0, 0, calendar.Shanghai()),
		time.Date(2026, 10, 1, 0, 0, 0, 0, calendar.Shanghai()),
		time.Date(2026, 9, 1, 0, 0, 0, 0, calendar.Shanghai()),
	}
	var found, overdue, onLines int
	for _, from := range months {
		to := from.AddDate(0, 1, 0)
		at := to
		if end.Before(at) {
			at = end
		}
		all, err := problems.AreasFigures(ctx, areas, from, to, at)
		if err != nil {
			t.Fatal(err)
		}
		for i, ar := range areas {
			one, err := problems.AreaFigures(ctx, ar, from, to, at)
			if err != nil {
				t.Fatal(err)
			}
			if all[i] != one {
				t.Errorf("%s area %d %+v: together %+v, alone %+v", from.Format("2006-01"), i, ar, all[i], one)
			}
			found += one.Found
			overdue += one.Overdue
			if len(ar.Lines) > 0 && len(ar.Regions) == 0 && len(ar.Sites) == 0 {
				onLines += one.Found
			}
		}
	}
	if found < 500 || overdue < 20 || onLines < 5 {
		t.Fatalf("found %d, overdue %d, on lines %d: too few to compare", found, overdue, onLines)
	}
}
