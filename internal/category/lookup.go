package category

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
)

// CodeName is one category's code and name.
type CodeName struct {
	ID         int64
	Code, Name string
}

// CodesAndNames lists every category (top level and sub), in catalogue
// order, for importers that match categories by code or name.
func CodesAndNames(ctx context.Context, c db.Conn) ([]CodeName, error) {
	rows, err := c.Query(ctx, "SELECT id, code, name FROM category ORDER BY position, id")
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	defer rows.Close()
	var out []CodeName
	for rows.Next() {
		var cn CodeName
		if err := rows.Scan(&cn.ID, &cn.Code, &cn.Name); err != nil {
			return nil, fmt.Errorf("read categories: %w", err)
		}
		out = append(out, cn)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	return out, nil
}

// CodeExists tells whether a category has the code.
func CodeExists(ctx context.Context, c db.Conn, code string) (bool, error) {
	return exists(ctx, c, "SELECT COUNT(*) FROM category WHERE code = ?", code)
}

// Exists tells whether a category has the id.
func Exists(ctx context.Context, c db.Conn, id int64) (bool, error) {
	return exists(ctx, c, "SELECT COUNT(*) FROM category WHERE id = ?", id)
}

// Names returns the names of the categories with the ids, in one query.
func Names(ctx context.Context, c db.Conn, ids []int64) (map[int64]string, error) {
	m, err := db.IDNames(ctx, c, "SELECT id, name FROM category WHERE id IN ("+db.ListMarker+")", ids)
	if err != nil {
		return nil, fmt.Errorf("category names: %w", err)
	}
	return m, nil
}

// Label names a sub-category and its top category.
type Label struct {
	Name, Top string
}

// Labels returns the names and top-category names of the sub-categories
// with the ids, in one query.
func Labels(ctx context.Context, c db.Conn, ids []int64) (map[int64]Label, error) {
	type row struct {
		id int64
		Label
	}
	rows, err := db.CollectIn(ctx, c, `SELECT c.id, c.name, COALESCE(t.name, '') FROM category c
		LEFT JOIN category_top t ON t.id = c.top_id WHERE c.id IN (`+db.ListMarker+")", ids,
		func(r *sql.Rows) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.Name, &x.Top)
		})
	if err != nil {
		return nil, fmt.Errorf("category labels: %w", err)
	}
	out := make(map[int64]Label, len(rows))
	for _, x := range rows {
		out[x.id] = x.Label
	}
	return out, nil
}
