package merchant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/setting"
)

// Index finds the merchants whose frontage holds a point: a packed R-tree
// (geo.BoxIndex) over the frontages' boxes, then the exact test of each
// candidate. Immutable once built and safe for concurrent use.
type Index struct {
	boxes  *geo.BoxIndex
	ids    []int64
	places []geo.Point
	fronts []Frontage
}

// Entry is one merchant's frontage to index.
type Entry struct {
	ID       int64
	Place    geo.Point
	Frontage Frontage
}

// NewIndex indexes the frontages.
func NewIndex(entries []Entry) *Index {
	ix := &Index{ids: make([]int64, len(entries)), places: make([]geo.Point, len(entries)), fronts: make([]Frontage, len(entries))}
	boxes := make([]geo.BBox, len(entries))
	for i, e := range entries {
		ix.ids[i], ix.places[i], ix.fronts[i] = e.ID, e.Place, e.Frontage
		boxes[i] = e.Frontage.BBox(e.Place)
	}
	ix.boxes = geo.NewBoxIndex(boxes)
	return ix
}

// Len is the number of frontages indexed.
func (ix *Index) Len() int { return len(ix.ids) }

// Match appends to dst the ids of the merchants whose frontage holds p.
func (ix *Index) Match(p geo.Point, dst []int64) []int64 {
	var buf [32]int32
	for _, i := range ix.boxes.Search(p, buf[:0]) {
		if ix.fronts[i].Contains(ix.places[i], p) {
			dst = append(dst, ix.ids[i])
		}
	}
	return dst
}

// Candidates is the box search alone (no exact test): the raw lookup a
// benchmark sets Match beside.
func (ix *Index) Candidates(p geo.Point, dst []int32) []int32 { return ix.boxes.Search(p, dst) }

// revSetting counts the changes to merchants, so every server knows when
// to rebuild its index.
const revSetting = "merchant.rev"

// LoadIndex builds the index of every active merchant's frontage.
func LoadIndex(ctx context.Context, c db.Conn) (*Index, error) {
	rows, err := c.Query(ctx, "SELECT id, lng, lat, frontage_kind, frontage, frontage_meters FROM merchant WHERE active = TRUE ORDER BY id")
	entries, err := db.Collect(rows, err, func(r *sql.Rows) (Entry, error) {
		var e Entry
		var kind, front string
		var m float64
		err := r.Scan(&e.ID, &e.Place.Lng, &e.Place.Lat, &kind, &front, &m)
		e.Frontage = restore(kind, front, m)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("merchant frontages: %w", err)
	}
	return NewIndex(entries), nil
}

// Frontages returns the current index, rebuilt when merchants changed.
func (s *Store) Frontages(ctx context.Context) (*Index, error) {
	rev, err := setting.Get(ctx, s.DB, revSetting)
	if err != nil && !errors.Is(err, setting.ErrNotFound) {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index != nil && s.rev == rev {
		return s.index, nil
	}
	ix, err := LoadIndex(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	s.index, s.rev = ix, rev
	return ix, nil
}

// linkMark is the watermark of LinkNew: the (filed_at ms, id) of the last
// case looked at.
const linkMark = "merchant.link_mark"

// linkOverlap is how far before its watermark LinkNew looks again, for a
// case whose filing committed after a later one was seen.
const linkOverlap = 10 * time.Minute

// LinkReport says what a linking run did.
type LinkReport struct {
	Cases  int // cases looked at
	Linked int // links made
}

// LinkNew links the cases filed since the watermark to the frontages that
// hold their place, when their category is one of the 门前三包 categories.
// The server runs it every minute; every server may: links are idempotent.
func (s *Store) LinkNew(ctx context.Context) (LinkReport, error) {
	// From a little before the watermark's filing time: the cases seen
	// again are linked again, which changes nothing.
	from := time.Time{}
	if v, err := setting.Get(ctx, s.DB, linkMark); err == nil {
		ms, _, _ := strings.Cut(v, ":")
		n, _ := strconv.ParseInt(ms, 10, 64)
		from = db.FromMillis(n).Add(-linkOverlap)
	} else if !errors.Is(err, setting.ErrNotFound) {
		return LinkReport{}, err
	}
	rep, last, err := s.link(ctx, from, 0)
	if err != nil {
		return rep, err
	}
	if last.ID != 0 {
		if err := setting.Put(ctx, s.DB, linkMark, fmt.Sprintf("%d:%d", db.Millis(last.FiledAt), last.ID)); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// Backfill links every filed case (a new installation, a changed set of
// categories, frontages drawn after their cases); it is LinkNew from the
// beginning and moves the watermark.
func (s *Store) Backfill(ctx context.Context) (LinkReport, error) {
	if err := setting.Delete(ctx, s.DB, linkMark); err != nil {
		return LinkReport{}, err
	}
	return s.LinkNew(ctx)
}

// link reads the cases filed after (from, after) in batches and links them.
func (s *Store) link(ctx context.Context, from time.Time, after int64) (LinkReport, problem.PlacedCase, error) {
	var rep LinkReport
	var last problem.PlacedCase
	cfg, err := s.Config(ctx)
	if err != nil {
		return rep, last, err
	}
	cats, err := s.categoryIDs(ctx, cfg)
	if err != nil {
		return rep, last, err
	}
	ix, err := s.Frontages(ctx)
	if err != nil {
		return rep, last, err
	}
	const batch = 2000
	var hits []int64
	for {
		cases, err := s.Problems.FiledPlaced(ctx, from, after, batch)
		if err != nil {
			return rep, last, err
		}
		if len(cases) == 0 {
			return rep, last, nil
		}
		var args []any
		now := db.Millis(s.now())
		for _, c := range cases {
			rep.Cases++
			if !cats[c.CategoryID] {
				continue
			}
			hits = ix.Match(geo.Point{Lng: c.Lng, Lat: c.Lat}, hits[:0])
			for _, m := range hits {
				args = append(args, m, c.ID, Month(c.FiledAt), now)
			}
		}
		if len(args) > 0 {
			n, err := s.insertLinks(ctx, args)
			if err != nil {
				return rep, last, err
			}
			rep.Linked += n
		}
		last = cases[len(cases)-1]
		from, after = last.FiledAt, last.ID
		if len(cases) < batch {
			return rep, last, nil
		}
	}
}

// LinkCase links one case now (a caller that has just filed it need not
// wait for the job); it returns the merchants it was linked to.
func (s *Store) LinkCase(ctx context.Context, c problem.PlacedCase) ([]int64, error) {
	cfg, err := s.Config(ctx)
	if err != nil {
		return nil, err
	}
	cats, err := s.categoryIDs(ctx, cfg)
	if err != nil || !cats[c.CategoryID] {
		return nil, err
	}
	ix, err := s.Frontages(ctx)
	if err != nil {
		return nil, err
	}
	hits := ix.Match(geo.Point{Lng: c.Lng, Lat: c.Lat}, nil)
	var args []any
	now := db.Millis(s.now())
	for _, m := range hits {
		args = append(args, m, c.ID, Month(c.FiledAt), now)
	}
	if len(args) > 0 {
		if _, err := s.insertLinks(ctx, args); err != nil {
			return nil, err
		}
	}
	return hits, nil
}

// insertLinks stores links (4 values each), leaving those already there.
func (s *Store) insertLinks(ctx context.Context, args []any) (int, error) {
	total := 0
	const per = 200
	for start := 0; start < len(args); start += per * 4 {
		part := args[start:min(start+per*4, len(args))]
		rows := len(part) / 4
		q := "INSERT INTO merchant_case (merchant_id, problem_id, month, linked_at) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", rows), ", ") + " ON CONFLICT (merchant_id, problem_id) DO NOTHING"
		res, err := s.DB.Exec(ctx, q, part...)
		if err != nil {
			return total, fmt.Errorf("link cases: %w", err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}

// LinkedCase is a case linked to a merchant, as its page lists it.
type LinkedCase struct {
	problem.Fact
	Month string
}

// Cases lists the cases linked to a merchant the actor sees, newest first.
func (s *Store) Cases(ctx context.Context, m Merchant, limit int) ([]LinkedCase, error) {
	rows, err := s.DB.Query(ctx, "SELECT problem_id, month FROM merchant_case WHERE merchant_id = ? ORDER BY problem_id DESC LIMIT ?", m.ID, limit)
	type link struct {
		id    int64
		month string
	}
	links, err := db.Collect(rows, err, func(r *sql.Rows) (link, error) {
		var l link
		return l, r.Scan(&l.id, &l.month)
	})
	if err != nil {
		return nil, fmt.Errorf("merchant cases: %w", err)
	}
	ids := make([]int64, len(links))
	for i, l := range links {
		ids[i] = l.id
	}
	facts, err := s.Problems.Facts(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]LinkedCase, 0, len(links))
	for _, l := range links {
		if f, ok := facts[l.id]; ok {
			out = append(out, LinkedCase{Fact: f, Month: l.month})
		}
	}
	return out, nil
}

// MonthCount is the linked cases of one month.
type MonthCount struct {
	Month   string
	Cases   int
	Overdue int
}

// CasesByMonth counts a merchant's linked cases by month, newest first.
func (s *Store) CasesByMonth(ctx context.Context, m Merchant) ([]MonthCount, error) {
	rows, err := s.DB.Query(ctx, "SELECT month, problem_id FROM merchant_case WHERE merchant_id = ? ORDER BY month DESC", m.ID)
	type link struct {
		month string
		id    int64
	}
	links, err := db.Collect(rows, err, func(r *sql.Rows) (link, error) {
		var l link
		return l, r.Scan(&l.month, &l.id)
	})
	if err != nil {
		return nil, fmt.Errorf("merchant months: %w", err)
	}
	ids := make([]int64, len(links))
	for i, l := range links {
		ids[i] = l.id
	}
	facts, err := s.Problems.Facts(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []MonthCount
	for _, l := range links {
		if len(out) == 0 || out[len(out)-1].Month != l.month {
			out = append(out, MonthCount{Month: l.month})
		}
		mc := &out[len(out)-1]
		f, ok := facts[l.id]
		if !ok || f.State == problem.Rejected || f.State == problem.Duplicate {
			continue
		}
		mc.Cases++
		if f.Late(now) {
			mc.Overdue++
		}
	}
	return out, nil
}
