package db

import (
	"context"
	"database/sql"
	"fmt"
)

// Collect reads every row of a query with scan, closes the rows and returns
// the first error of the query, a scan or the iteration.
func Collect[T any](rows *sql.Rows, err error, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Int64s runs a query of one integer column and returns its values.
func Int64s(ctx context.Context, c Conn, q string, args ...any) ([]int64, error) {
	rows, err := c.Query(ctx, q, args...)
	return Collect(rows, err, func(r *sql.Rows) (int64, error) {
		var v int64
		return v, r.Scan(&v)
	})
}

// Strings runs a query of one text column and returns its values.
func Strings(ctx context.Context, c Conn, q string, args ...any) ([]string, error) {
	rows, err := c.Query(ctx, q, args...)
	return Collect(rows, err, func(r *sql.Rows) (string, error) {
		var v string
		return v, r.Scan(&v)
	})
}

// NullID stores 0 as NULL: an optional reference to another row.
func NullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id > 0} }

// Count runs a COUNT query.
func Count(ctx context.Context, c Conn, q string, args ...any) (int, error) {
	var n int
	if err := c.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}
