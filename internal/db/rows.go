package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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

// ListMarker stands in a query of CollectIn for the placeholders of a batch
// of keys: "SELECT id, name FROM unit WHERE id IN (:list)".
const ListMarker = ":list"

// inBatch bounds the keys of one statement, well under both databases'
// limits on parameters.
const inBatch = 500

// CollectIn runs q once per batch of the keys (zero values and repeats left
// out), with the batch in place of ListMarker, and reads every row with
// scan. The rows of the batches come back in the order the database gives.
func CollectIn[K comparable, T any](ctx context.Context, c Conn, q string, keys []K, scan func(*sql.Rows) (T, error)) ([]T, error) {
	var zero K
	seen := make(map[K]bool, len(keys))
	args := make([]any, 0, len(keys))
	for _, k := range keys {
		if k != zero && !seen[k] {
			seen[k] = true
			args = append(args, k)
		}
	}
	var out []T
	for start := 0; start < len(args); start += inBatch {
		batch := args[start:min(start+inBatch, len(args))]
		rows, err := c.Query(ctx, strings.Replace(q, ListMarker, Placeholders(len(batch)), 1), batch...)
		part, err := Collect(rows, err, scan)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

// IDNames runs CollectIn for a query of (id, name) rows and returns the
// names by id; ids with no row are left out.
func IDNames(ctx context.Context, c Conn, q string, ids []int64) (map[int64]string, error) {
	type row struct {
		id   int64
		name string
	}
	rows, err := CollectIn(ctx, c, q, ids, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.name)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(rows))
	for _, x := range rows {
		out[x.id] = x.name
	}
	return out, nil
}
