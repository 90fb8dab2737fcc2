package problem

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
)

// Area is a part of the city someone answers for (a street chief's road,
// a river chief's section, an area leader's communities): region subtrees,
// inspection sites, and lines with a buffer. A case is in the area when its
// region lies in one of the subtrees, it was found at one of the sites, or
// its place lies within a line's buffer.
//
// The functions that take an Area check no actor: the caller (the holder
// domain) has decided the area is the actor's to see.
type Area struct {
	Regions []string
	Sites   []int64
	Lines   []AreaLine
}

// AreaLine is a polyline (WGS-84) and how far from it a case still counts.
// Within, when set, are the deepest regions whose boundary box overlaps
// the line's buffered box (see OverlappingRegions): the cases are then
// read through the region index instead of by their coordinates, which no
// index holds.
type AreaLine struct {
	Points  []geo.Point
	BufferM float64
	Within  []string
}

// LineBox is a line's bounding box grown by its buffer.
func LineBox(l AreaLine) geo.BBox { return lineBox(l) }

// OverlappingRegions are the deepest of the regions whose box overlaps b:
// a region whose code begins another's is left out, so that a street
// gives way to its communities and a community to its grids.
func OverlappingRegions(boxes []region.Box, b geo.BBox) []string {
	var hit []string
	for _, x := range boxes {
		if x.MinLng <= b.MaxLng && x.MaxLng >= b.MinLng && x.MinLat <= b.MaxLat && x.MaxLat >= b.MinLat {
			hit = append(hit, x.Code)
		}
	}
	sort.Strings(hit)
	var out []string
	for i, c := range hit {
		if i+1 < len(hit) && strings.HasPrefix(hit[i+1], c) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// Empty reports whether the area holds nothing.
func (ar Area) Empty() bool { return len(ar.Regions) == 0 && len(ar.Sites) == 0 && len(ar.Lines) == 0 }

// AreaFigures are an area's figures for a period: the cases found in it
// (reported in the period, duplicates and rejected reports excluded), of
// those the ones closed and closed on or before their deadline, and the
// cases open past their deadline at the report time.
type AreaFigures struct {
	Found        int
	Closed       int
	ClosedOnTime int
	Overdue      int
}

// OnTimeText is closed on time / found as a percentage, a dash when none.
func (f AreaFigures) OnTimeText() string { return Percent(ratio(f.ClosedOnTime, f.Found), f.Found > 0) }

// lineBox is the bounding box of a line grown by its buffer.
func lineBox(l AreaLine) geo.BBox {
	b := geo.BBox{MinLng: math.Inf(1), MinLat: math.Inf(1), MaxLng: math.Inf(-1), MaxLat: math.Inf(-1)}
	for _, p := range l.Points {
		b.MinLng, b.MaxLng = math.Min(b.MinLng, p.Lng), math.Max(b.MaxLng, p.Lng)
		b.MinLat, b.MaxLat = math.Min(b.MinLat, p.Lat), math.Max(b.MaxLat, p.Lat)
	}
	dLat := l.BufferM / 111320
	dLng := l.BufferM / (111320 * math.Max(0.1, math.Cos((b.MinLat+b.MaxLat)/2*math.Pi/180)))
	b.MinLng, b.MaxLng, b.MinLat, b.MaxLat = b.MinLng-dLng, b.MaxLng+dLng, b.MinLat-dLat, b.MaxLat+dLat
	return b
}

// NearLine reports whether p lies within the line's buffer (distance to
// the nearest segment on a local equirectangular projection).
func NearLine(l AreaLine, p geo.Point) bool {
	if len(l.Points) == 0 {
		return false
	}
	kx := 111320 * math.Cos(p.Lat*math.Pi/180)
	const ky = 111320.0
	best := math.Inf(1)
	for i := range l.Points {
		a := l.Points[i]
		b := a
		if i+1 < len(l.Points) {
			b = l.Points[i+1]
		}
		ax, ay := (a.Lng-p.Lng)*kx, (a.Lat-p.Lat)*ky
		bx, by := (b.Lng-p.Lng)*kx, (b.Lat-p.Lat)*ky
		dx, dy := bx-ax, by-ay
		t := 0.0
		if d := dx*dx + dy*dy; d > 0 {
			t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/d))
		}
		x, y := ax+t*dx, ay+t*dy
		best = math.Min(best, math.Hypot(x, y))
	}
	return best <= l.BufferM
}

// sql is the area's condition on problem rows (alias p); the line parts
// are bounding boxes, refined by inArea.
func (ar Area) sql() (string, []any) {
	var parts []string
	var args []any
	for _, code := range ar.Regions {
		c, a := region.SubtreeSQL("p.region_code", code)
		parts = append(parts, c)
		args = append(args, a...)
	}
	if len(ar.Sites) > 0 {
		parts = append(parts, "p.site_id IN ("+db.Placeholders(len(ar.Sites))+")")
		for _, id := range ar.Sites {
			args = append(args, id)
		}
	}
	for _, l := range ar.Lines {
		b := lineBox(l)
		box := "p.lng >= ? AND p.lng <= ? AND p.lat >= ? AND p.lat <= ?"
		boxArgs := []any{b.MinLng, b.MaxLng, b.MinLat, b.MaxLat}
		if len(l.Within) == 0 {
			parts = append(parts, "("+box+")")
			args = append(args, boxArgs...)
			continue
		}
		// One term a region, each on the region index.
		for _, code := range l.Within {
			c, a := region.SubtreeSQL("p.region_code", code)
			parts = append(parts, "("+c+" AND "+box+")")
			args = append(append(args, a...), boxArgs...)
		}
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// holds reports whether a row the condition matched is in the area: by
// region or site at once, by a line only within its buffer.
func (ar Area) holds(regionCode string, siteID int64, p geo.Point, hasPlace bool) bool {
	for _, code := range ar.Regions {
		if strings.HasPrefix(regionCode, code) {
			return true
		}
	}
	for _, id := range ar.Sites {
		if id == siteID && id != 0 {
			return true
		}
	}
	if hasPlace {
		for _, l := range ar.Lines {
			if NearLine(l, p) {
				return true
			}
		}
	}
	return false
}

type areaRow struct {
	region    string
	site      int64
	p         geo.Point
	hasPlace  bool
	state     string
	reported  int64
	deadline  sql.NullInt64
	closed    sql.NullInt64
	rectified sql.NullInt64
}

// areaColumns are the columns of an areaRow, read by scanAreaRow.
const areaColumns = `COALESCE(p.region_code, ''), COALESCE(p.site_id, 0), COALESCE(p.lng, 0), COALESCE(p.lat, 0),
	p.lng IS NOT NULL, p.state, p.reported_at, p.deadline, p.closed_at, p.rectified_at`

func scanAreaRow(r *sql.Rows) (areaRow, error) {
	var x areaRow
	return x, r.Scan(&x.region, &x.site, &x.p.Lng, &x.p.Lat, &x.hasPlace, &x.state, &x.reported, &x.deadline, &x.closed, &x.rectified)
}

func (s *Store) areaRows(ctx context.Context, ar Area, where string, args []any) ([]areaRow, error) {
	cond, cargs := ar.sql()
	rows, err := s.DB.Query(ctx, "SELECT "+areaColumns+" FROM problem p WHERE "+cond+" AND ("+where+")", append(cargs, args...)...)
	out, err := db.Collect(rows, err, scanAreaRow)
	if err != nil {
		return nil, fmt.Errorf("area cases: %w", err)
	}
	kept := out[:0]
	for _, x := range out {
		if ar.holds(x.region, x.site, x.p, x.hasPlace) {
			kept = append(kept, x)
		}
	}
	return kept, nil
}

// AreaFigures counts an area's figures for the cases reported in
// [from, to), and the cases overdue at at: open past their deadline when
// at is now or later; for an earlier time, the cases of the half year
// before it that were past their deadline then and not rectified by then.
// One read of the area's cases serves both.
func (s *Store) AreaFigures(ctx context.Context, ar Area, from, to, at time.Time) (AreaFigures, error) {
	var f AreaFigures
	if ar.Empty() {
		return f, nil
	}
	// The area's terms drive the plan (the region and site indexes); on
	// SQLite the period's columns are kept off it, or its planner reads
	// every case of the month through the reported-time index.
	now := s.Now()
	period, late, args := s.figureConds(from, to, at, now, true)
	if len(ar.Lines) == 0 {
		return s.areaCounts(ctx, ar, period, late, args)
	}
	rows, err := s.areaRows(ctx, ar, period+" OR "+late, args)
	if err != nil {
		return f, err
	}
	w := newFigureWindow(from, to, at, now)
	for _, x := range rows {
		w.add(&f, x)
	}
	return f, nil
}

// figureConds are the conditions on problem rows (alias p) of
// AreaFigures: reported in the period, and overdue at at; args theirs in
// that order. offIndex keeps the time columns off the indexes on SQLite.
func (s *Store) figureConds(from, to, at, now time.Time, offIndex bool) (period, late string, args []any) {
	reported, deadline := "p.reported_at", "p.deadline"
	if offIndex {
		h := s.DB.Dialect().Hints()
		reported, deadline = h.NoIndex(reported), h.NoIndex(deadline)
	}
	period = "(" + reported + " >= ? AND " + reported + " < ? AND p.state NOT IN (?, ?))"
	args = []any{db.Millis(from), db.Millis(to), string(Rejected), string(Duplicate)}
	if !at.Before(now) {
		late = "(" + overdueStates + " AND " + deadline + " < ?)"
		return period, late, append(args, db.Millis(now))
	}
	late = "(" + reported + " >= ? AND " + reported + " < ? AND " + deadline + ` < ? AND p.state NOT IN (?, ?, ?)
		AND (p.rectified_at IS NULL OR p.rectified_at > ?) AND (p.closed_at IS NULL OR p.closed_at > ?))`
	return period, late, append(args, db.Millis(at.AddDate(0, -6, 0)), db.Millis(at), db.Millis(at), string(Rejected), string(Duplicate),
		string(Parked), db.Millis(at), db.Millis(at))
}

// figureWindow is the period and report time of AreaFigures in
// milliseconds, to count rows read from the database.
type figureWindow struct {
	from, to, at, now, sixBefore int64
	current                      bool
}

func newFigureWindow(from, to, at, now time.Time) figureWindow {
	return figureWindow{from: db.Millis(from), to: db.Millis(to), at: db.Millis(at), now: db.Millis(now),
		sixBefore: db.Millis(at.AddDate(0, -6, 0)), current: !at.Before(now)}
}

// add counts one case of the area into f, by the rules of AreaFigures.
func (w figureWindow) add(f *AreaFigures, x areaRow) {
	st := State(x.state)
	if x.reported >= w.from && x.reported < w.to && st != Rejected && st != Duplicate {
		f.Found++
		if st == Closed {
			f.Closed++
			if x.closed.Valid && (!x.deadline.Valid || x.closed.Int64 <= x.deadline.Int64) {
				f.ClosedOnTime++
			}
		}
	}
	switch {
	case w.current:
		if (st == Filed || st == Dispatched || st == InProgress) && x.deadline.Valid && x.deadline.Int64 < w.now {
			f.Overdue++
		}
	case x.reported >= w.sixBefore && x.reported < w.at && x.deadline.Valid && x.deadline.Int64 < w.at &&
		st != Rejected && st != Duplicate && st != Parked &&
		(!x.rectified.Valid || x.rectified.Int64 > w.at) && (!x.closed.Valid || x.closed.Int64 > w.at):
		f.Overdue++
	}
}

// areaCounts counts an area without lines in the database: every case
// the condition matches is in the area, so no row needs refining. period
// and late are the conditions of AreaFigures, args theirs in that order.
func (s *Store) areaCounts(ctx context.Context, ar Area, period, late string, args []any) (AreaFigures, error) {
	var f AreaFigures
	cond, cargs := ar.sql()
	nPeriod := strings.Count(period, "?")
	pArgs, lArgs := args[:nPeriod], args[nPeriod:]
	var q []any
	q = append(q, pArgs...)
	q = append(q, pArgs...)
	q = append(q, pArgs...)
	q = append(q, lArgs...)
	q = append(q, cargs...)
	q = append(q, args...)
	err := s.DB.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN `+period+` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN `+period+` AND p.state = 'closed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN `+period+` AND p.state = 'closed' AND p.closed_at IS NOT NULL AND (p.deadline IS NULL OR p.closed_at <= p.deadline) THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN `+late+` THEN 1 ELSE 0 END), 0)
		FROM problem p WHERE `+cond+" AND ("+period+" OR "+late+")", q...).Scan(&f.Found, &f.Closed, &f.ClosedOnTime, &f.Overdue)
	if err != nil {
		return f, fmt.Errorf("area figures: %w", err)
	}
	return f, nil
}

// AreaCases lists up to limit cases of an area, newest first, with their
// names; overdueOnly keeps the open ones past their deadline.
func (s *Store) AreaCases(ctx context.Context, ar Area, overdueOnly bool, limit int) ([]*Case, error) {
	if ar.Empty() {
		return nil, nil
	}
	cond, args := ar.sql()
	where := cond
	if overdueOnly {
		where += " AND " + overdueStates + " AND p.deadline < ?"
		args = append(args, db.Millis(s.Now()))
	}
	// Line boxes hold cases outside the buffers: read more, keep limit.
	args = append(args, limit*4)
	cases, err := s.namedCases(ctx, "SELECT "+caseColumns+caseFrom+" WHERE "+where+" ORDER BY "+s.DB.Dialect().Hints().NoIndex("p.reported_at")+" DESC, p.id DESC LIMIT ?", args)
	if err != nil {
		return nil, err
	}
	kept := cases[:0]
	for _, c := range cases {
		if len(kept) < limit && ar.holds(c.RegionCode, c.SiteID, geo.Point{Lng: c.Lng, Lat: c.Lat}, c.HasPlace) {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// InArea reports whether a case lies in an area.
func InArea(ar Area, c *Case) bool {
	return ar.holds(c.RegionCode, c.SiteID, geo.Point{Lng: c.Lng, Lat: c.Lat}, c.HasPlace)
}
