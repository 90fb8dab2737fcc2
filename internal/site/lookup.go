package site

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
)

// RegionsOf returns the region codes of the sites with the ids; unknown
// ids are left out. It takes the caller's transaction.
func RegionsOf(ctx context.Context, c db.Conn, ids []int64) (map[int64]string, error) {
	type row struct {
		id   int64
		code string
	}
	rows, err := db.CollectIn(ctx, c, "SELECT id, region_code FROM site WHERE id IN ("+db.ListMarker+")", ids,
		func(r *sql.Rows) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.code)
		})
	if err != nil {
		return nil, fmt.Errorf("site regions: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, x := range rows {
		out[x.id] = x.code
	}
	return out, nil
}

// Basic is what other domains show of a site next to their own data.
type Basic struct {
	Name, TypeCode, RegionCode string
}

// Basics returns the name, type and region of the sites with the ids;
// unknown ids are left out.
func Basics(ctx context.Context, c db.Conn, ids []int64) (map[int64]Basic, error) {
	type row struct {
		id int64
		Basic
	}
	rows, err := db.CollectIn(ctx, c, "SELECT id, name, type_code, region_code FROM site WHERE id IN ("+db.ListMarker+")", ids,
		func(r *sql.Rows) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.Name, &x.TypeCode, &x.RegionCode)
		})
	if err != nil {
		return nil, fmt.Errorf("site basics: %w", err)
	}
	out := make(map[int64]Basic, len(rows))
	for _, x := range rows {
		out[x.id] = x.Basic
	}
	return out, nil
}

// Points returns the representative point of each of the sites ids that has
// a place, for a page that orders a plan's sites by distance from where the
// inspector stands. Sites without a place are left out.
func (s *Store) Points(ctx context.Context, ids []int64) (map[int64]geo.Point, error) {
	type row struct {
		id int64
		p  geo.Point
	}
	rows, err := db.CollectIn(ctx, s.DB, "SELECT id, lng, lat FROM site WHERE lng IS NOT NULL AND lat IS NOT NULL AND id IN ("+db.ListMarker+")", ids,
		func(r *sql.Rows) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.p.Lng, &x.p.Lat)
		})
	if err != nil {
		return nil, fmt.Errorf("site points: %w", err)
	}
	out := make(map[int64]geo.Point, len(rows))
	for _, x := range rows {
		out[x.id] = x.p
	}
	return out, nil
}

// ResponsibleUnits returns the unit answerable for each of the sites: its
// territorial unit (属地), or its line department when it has none. Sites
// with neither are left out.
func ResponsibleUnits(ctx context.Context, c db.Conn, ids []int64) (map[int64]int64, error) {
	type row struct{ id, unit int64 }
	rows, err := db.CollectIn(ctx, c, `SELECT id, COALESCE(territorial_unit_id, department_unit_id, 0) FROM site
		WHERE id IN (`+db.ListMarker+")", ids, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.unit)
	})
	if err != nil {
		return nil, fmt.Errorf("site units: %w", err)
	}
	out := make(map[int64]int64, len(rows))
	for _, x := range rows {
		if x.unit != 0 {
			out[x.id] = x.unit
		}
	}
	return out, nil
}
