package category

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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
	out := make(map[int64]string, len(ids))
	var args []any
	for _, id := range ids {
		if id != 0 {
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	// Categories are a few hundred at most: one query for the whole list.
	rows, err := c.Query(ctx, "SELECT id, name FROM category WHERE id IN (?"+strings.Repeat(", ?", len(args)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("category names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("category names: %w", err)
		}
		out[id] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("category names: %w", err)
	}
	return out, nil
}

// Label names a sub-category and its top category.
type Label struct {
	Name, Top string
}

// Labels returns the names and top-category names of the sub-categories
// with the ids, in one query.
func Labels(ctx context.Context, c db.Conn, ids []int64) (map[int64]Label, error) {
	out := make(map[int64]Label, len(ids))
	seen := make(map[int64]bool, len(ids))
	var args []any
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	rows, err := c.Query(ctx, `SELECT c.id, c.name, COALESCE(t.name, '') FROM category c LEFT JOIN category_top t ON t.id = c.top_id
		WHERE c.id IN (`+db.Placeholders(len(args))+")", args...)
	type idLabel struct {
		id int64
		Label
	}
	labels, err := db.Collect(rows, err, func(r *sql.Rows) (idLabel, error) {
		var x idLabel
		return x, r.Scan(&x.id, &x.Name, &x.Top)
	})
	if err != nil {
		return nil, fmt.Errorf("category labels: %w", err)
	}
	for _, x := range labels {
		out[x.id] = x.Label
	}
	return out, nil
}
