package site

import (
	"context"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
)

// RegionsOf returns the region codes of the sites with the ids; unknown
// ids are left out. It takes the caller's transaction.
func RegionsOf(ctx context.Context, c db.Conn, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		rows, err := c.Query(ctx, "SELECT id, region_code FROM site WHERE id IN ("+db.Placeholders(n)+")", args...)
		if err != nil {
			return nil, fmt.Errorf("site regions: %w", err)
		}
		for rows.Next() {
			var id int64
			var code string
			if err := rows.Scan(&id, &code); err != nil {
				rows.Close()
				return nil, fmt.Errorf("site regions: %w", err)
			}
			out[id] = code
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("site regions: %w", err)
		}
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
	out := make(map[int64]Basic, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		rows, err := c.Query(ctx, "SELECT id, name, type_code, region_code FROM site WHERE id IN ("+db.Placeholders(n)+")", args...)
		if err != nil {
			return nil, fmt.Errorf("site basics: %w", err)
		}
		for rows.Next() {
			var id int64
			var b Basic
			if err := rows.Scan(&id, &b.Name, &b.TypeCode, &b.RegionCode); err != nil {
				rows.Close()
				return nil, fmt.Errorf("site basics: %w", err)
			}
			out[id] = b
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("site basics: %w", err)
		}
	}
	return out, nil
}
