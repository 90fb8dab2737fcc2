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
// asked once per batch of cases instead of joined into every ledger query.
func withNames(ctx context.Context, c db.Conn, cases []*Case) error {
	if len(cases) == 0 {
		return nil
	}
	var catIDs, unitIDs []int64
	var codes []string
	seenCat, seenUnit, seenCode := map[int64]bool{}, map[int64]bool{}, map[string]bool{}
	for _, x := range cases {
		if x.CategoryID != 0 && !seenCat[x.CategoryID] {
			seenCat[x.CategoryID] = true
			catIDs = append(catIDs, x.CategoryID)
		}
		if x.UnitID != 0 && !seenUnit[x.UnitID] {
			seenUnit[x.UnitID] = true
			unitIDs = append(unitIDs, x.UnitID)
		}
		if x.RegionCode != "" && !seenCode[x.RegionCode] {
			seenCode[x.RegionCode] = true
			codes = append(codes, x.RegionCode)
		}
	}
	cats, err := category.Names(ctx, c, catIDs)
	if err != nil {
		return err
	}
	units, err := org.UnitNames(ctx, c, unitIDs)
	if err != nil {
		return err
	}
	regions, err := region.Names(ctx, c, codes)
	if err != nil {
		return err
	}
	for _, x := range cases {
		x.CategoryName, x.UnitName, x.RegionName = cats[x.CategoryID], units[x.UnitID], regions[x.RegionCode]
	}
	return nil
}

// namedBatch is how many cases a stream reads before it looks their names up.
const namedBatch = 500

// eachNamed scans rows into cases and hands them to fn with their names, a
// batch at a time, so a stream of a million cases asks for names a few
// thousand times rather than a million.
func eachNamed(ctx context.Context, c db.Conn, rows *sql.Rows, fn func(*Case) error) error {
	defer rows.Close()
	batch := make([]*Case, 0, namedBatch)
	flush := func() error {
		if err := withNames(ctx, c, batch); err != nil {
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
