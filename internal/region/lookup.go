package region

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/setting"
)

// Boundary is a region's drawn boundary as stored: GeoJSON (WGS-84).
type Boundary struct {
	Code    string
	Level   Level
	GeoJSON string
}

// Boundaries lists every region that has a boundary, for the spatial index.
func Boundaries(ctx context.Context, c db.Conn) ([]Boundary, error) {
	rows, err := c.Query(ctx, `SELECT code, level, boundary FROM region WHERE boundary IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("load region boundaries: %w", err)
	}
	defer rows.Close()
	var out []Boundary
	for rows.Next() {
		var b Boundary
		if err := rows.Scan(&b.Code, &b.Level, &b.GeoJSON); err != nil {
			return nil, fmt.Errorf("load region boundaries: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load region boundaries: %w", err)
	}
	return out, nil
}

// boundaryVersion names the setting that takes a new value, in the same
// transaction, whenever grids or boundaries are added, changed or removed.
const boundaryVersion = "boundary.version"

// BoundaryRevision tells whether the stored boundaries changed: its value
// is new after every change made through this package, on any server. It
// is one keyed read, cheap enough for every server to ask every second or
// so, and unlike a fingerprint of the rows (a count and the latest
// updated_at) it does not depend on the clocks of the servers agreeing.
// "" means no change was recorded since the database was set up.
func BoundaryRevision(ctx context.Context, c db.Conn) (string, error) {
	v, err := setting.Get(ctx, c, boundaryVersion)
	if errors.Is(err, setting.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("region boundary revision: %w", err)
	}
	return v, nil
}

// boundariesChanged records a change of the boundaries for
// BoundaryRevision; call it in the transaction of the change.
func boundariesChanged(ctx context.Context, c db.Conn) error {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("region boundary revision: %w", err)
	}
	v := strconv.FormatInt(time.Now().UnixMilli(), 10) + "-" + hex.EncodeToString(b[:])
	if err := setting.Put(ctx, c, boundaryVersion, v); err != nil {
		return fmt.Errorf("region boundary revision: %w", err)
	}
	return nil
}

// Exists tells whether a region has the code.
func Exists(ctx context.Context, c db.Conn, code string) (bool, error) {
	var n int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM region WHERE code = ?", code).Scan(&n); err != nil {
		return false, fmt.Errorf("check region %s: %w", code, err)
	}
	return n > 0, nil
}

// Names returns the names of the regions with the codes, in one query;
// unknown codes are left out.
func Names(ctx context.Context, c db.Conn, codes []string) (map[string]string, error) {
	type row struct{ code, name string }
	rows, err := db.CollectIn(ctx, c, "SELECT code, name FROM region WHERE code IN ("+db.ListMarker+")", codes,
		func(r *sql.Rows) (row, error) {
			var x row
			return x, r.Scan(&x.code, &x.name)
		})
	if err != nil {
		return nil, fmt.Errorf("region names: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, x := range rows {
		out[x.code] = x.name
	}
	return out, nil
}

// FindByCodeOrName lists up to 50 region codes, in code order, whose code
// or name is v; "电力社区" also finds 电力社区居民委员会. within, when not
// empty, limits them to that subtree.
func FindByCodeOrName(ctx context.Context, c db.Conn, v, within string) ([]string, error) {
	q := "SELECT code FROM region WHERE (code = ? OR name = ? OR name = ? OR name = ?)"
	args := []any{v, v, v + "居民委员会", v + "村民委员会"}
	if within != "" {
		q += " AND substr(code, 1, ?) = ?"
		args = append(args, len(within), within)
	}
	rows, err := c.Query(ctx, q+" ORDER BY code LIMIT 50", args...)
	if err != nil {
		return nil, fmt.Errorf("find region: %w", err)
	}
	defer rows.Close()
	var codes []string
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, fmt.Errorf("find region: %w", err)
		}
		codes = append(codes, code)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find region: %w", err)
	}
	return codes, nil
}

// Box is the bounding box of a region's boundary.
type Box struct {
	Code                           string
	MinLng, MinLat, MaxLng, MaxLat float64
}

// Boxes lists the bounding boxes of every region that has a boundary, for
// callers that narrow a place to the regions around it (a drawn line's
// grids) without reading the boundaries.
func Boxes(ctx context.Context, c db.Conn) ([]Box, error) {
	rows, err := c.Query(ctx, `SELECT code, min_lng, min_lat, max_lng, max_lat FROM region
		WHERE boundary IS NOT NULL AND min_lng IS NOT NULL AND min_lat IS NOT NULL AND max_lng IS NOT NULL AND max_lat IS NOT NULL`)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Box, error) {
		var b Box
		return b, r.Scan(&b.Code, &b.MinLng, &b.MinLat, &b.MaxLng, &b.MaxLat)
	})
	if err != nil {
		return nil, fmt.Errorf("region boxes: %w", err)
	}
	return out, nil
}
