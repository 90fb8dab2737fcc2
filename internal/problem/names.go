package problem

import (
	"context"
	"database/sql"

	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// withNames fills in the category, region and unit names of cases read
// from the problem table. The names belong to their packages, which are
// asked once per batch of cases instead of joined into every ledger
// query. The names are kept for the reference data's generation the
// request read (every change to units, the catalogue or region names
// counts it up): a report, filing or dispatch answers with
// its case's names, and on PostgreSQL each lookup is a round trip.
func (s *Store) withNames(ctx context.Context, c db.Conn, cases []*Case) error {
	if len(cases) == 0 {
		return nil
	}
	gen, kept := org.RequestGeneration(ctx)
	cats, units := map[int64]string{}, map[int64]string{}
	var catIDs, unitIDs []int64
	var codes []string
	regions := map[string]string{}
	want := func(into map[int64]string, ids *[]int64, kind byte, id int64) {
		if _, seen := into[id]; id == 0 || seen {
			return
		}
		if name, ok := s.names.Get(gen, nameKey{kind, id}); kept && ok {
			into[id] = name
			return
		}
		into[id] = ""
		*ids = append(*ids, id)
	}
	for _, x := range cases {
		want(cats, &catIDs, 'c', x.CategoryID)
		want(units, &unitIDs, 'u', x.UnitID)
		if _, seen := regions[x.RegionCode]; x.RegionCode != "" && !seen {
			name, ok := s.regionNames.Get(gen, x.RegionCode)
			regions[x.RegionCode] = name
			if !kept || !ok {
				codes = append(codes, x.RegionCode)
			}
		}
	}
	for _, look := range []struct {
		kind byte
		ids  []int64
		into map[int64]string
		read func(context.Context, db.Conn, []int64) (map[int64]string, error)
	}{{'c', catIDs, cats, category.Names}, {'u', unitIDs, units, org.UnitNames}} {
		if len(look.ids) == 0 {
			continue
		}
		read, err := look.read(ctx, c, look.ids)
		if err != nil {
			return err
		}
		for _, id := range look.ids {
			look.into[id] = read[id]
			if kept {
				s.names.Put(gen, nameKey{look.kind, id}, read[id])
			}
		}
	}
	if len(codes) > 0 {
		read, err := region.Names(ctx, c, codes)
		if err != nil {
			return err
		}
		for _, code := range codes {
			regions[code] = read[code]
			if kept {
				s.regionNames.Put(gen, code, read[code])
			}
		}
	}
	for _, x := range cases {
		x.CategoryName, x.UnitName, x.RegionName = cats[x.CategoryID], units[x.UnitID], regions[x.RegionCode]
	}
	return nil
}

// nameKey names a category ('c') or a unit ('u') in the name cache.
type nameKey struct {
	kind byte
	id   int64
}

// namedBatch is how many cases a stream reads before it looks their names up.
const namedBatch = 500

// eachNamed scans rows into cases and hands them to fn with their names, a
// batch at a time, so a stream of a million cases asks for names a few
// thousand times rather than a million.
func (s *Store) eachNamed(ctx context.Context, c db.Conn, rows *sql.Rows, fn func(*Case) error) error {
	defer rows.Close()
	batch := make([]*Case, 0, namedBatch)
	flush := func() error {
		if err := s.withNames(ctx, c, batch); err != nil {
			return err
		}
		for _, x := range batch {
			if err := fn(x); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		x, err := scanCase(rows)
		if err != nil {
			return err
		}
		if batch = append(batch, x); len(batch) == namedBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}
