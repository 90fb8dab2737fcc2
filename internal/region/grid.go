package region

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/setting"
)

// MaxGridName is the longest grid name, in characters.
const MaxGridName = 64

// maxGridSerial is the last grid serial of a community: codes have three
// digits for it.
const maxGridSerial = 999

func checkGridName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", apperr.Invalid("region.grid_name_required")
	}
	if utf8.RuneCountInString(name) > MaxGridName {
		return "", apperr.Invalid("region.grid_name_too_long", MaxGridName)
	}
	return name, nil
}

// lockCommunity checks that code is a community and, on PostgreSQL, locks
// its row so that grid codes and names under it are chosen one transaction
// at a time (SQLite has a single writer already).
func lockCommunity(ctx context.Context, tx *db.Tx, code string) error {
	if l, ok := LevelOf(code); !ok || l != Community {
		return apperr.Invalid("region.not_community", code)
	}
	var level Level
	err := tx.QueryRow(ctx, "SELECT level FROM region WHERE code = ?"+tx.ForUpdate(), code).Scan(&level)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("region.not_found", code)
	}
	if err != nil {
		return fmt.Errorf("lock community %s: %w", code, err)
	}
	if level != Community {
		return apperr.Invalid("region.not_community", code)
	}
	return nil
}

// gridsOf returns the grids of a community, name → code.
func gridsOf(ctx context.Context, tx *db.Tx, community string) (map[string]string, error) {
	rows, err := tx.Query(ctx, "SELECT code, name FROM region WHERE parent_code = ? AND level = ?", community, int(Grid))
	if err != nil {
		return nil, fmt.Errorf("grids of %s: %w", community, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, fmt.Errorf("grids of %s: %w", community, err)
		}
		out[name] = code
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("grids of %s: %w", community, err)
	}
	return out, nil
}

// freeGridCodes returns n unused grid codes of a community, continuing
// after the highest serial so that a deleted grid's code, which old cases
// may still name, is not handed out again until the serials run out.
func freeGridCodes(community string, grids map[string]string, n int) ([]string, error) {
	used := make([]bool, maxGridSerial+1)
	highest := 0
	for _, code := range grids {
		if v, err := strconv.Atoi(strings.TrimPrefix(code, community)); err == nil && v >= 1 && v <= maxGridSerial {
			used[v] = true
			highest = max(highest, v)
		}
	}
	var out []string
	for _, from := range []int{highest + 1, 1} {
		for v := from; v <= maxGridSerial && len(out) < n; v++ {
			if !used[v] {
				used[v] = true
				out = append(out, fmt.Sprintf("%s%03d", community, v))
			}
		}
	}
	if len(out) < n {
		return nil, apperr.Conflict("region.grid_codes_exhausted", community)
	}
	return out, nil
}

func insertGrid(ctx context.Context, tx *db.Tx, code, name, community string, b *boundary, now int64) error {
	geom, box := boundaryArgs(b)
	_, err := tx.Exec(ctx, `INSERT INTO region (code, name, level, parent_code, boundary, min_lng, min_lat, max_lng, max_lat, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, code, name, int(Grid), community, geom, box[0], box[1], box[2], box[3], now, now)
	if db.IsUniqueViolation(err) {
		return apperr.Conflict("region.grid_name_taken", name)
	}
	if err != nil {
		return fmt.Errorf("insert grid %s: %w", code, err)
	}
	return nil
}

// boundaryArgs gives the column values of an optional boundary.
func boundaryArgs(b *boundary) (any, [4]any) {
	if b == nil {
		return nil, [4]any{}
	}
	return b.geometry, [4]any{b.minLng, b.minLat, b.maxLng, b.maxLat}
}

// AddGrid draws a new grid under a community the actor manages. The code is
// the community code plus the next free 3-digit serial; boundary is an
// optional GeoJSON Polygon or MultiPolygon (or a Feature holding one).
func (s *Store) AddGrid(ctx context.Context, actor access.Actor, communityCode, name string, boundaryJSON []byte) (Region, error) {
	if !actor.Manages(communityCode) {
		return Region{}, apperr.Forbidden("region.forbidden")
	}
	name, err := checkGridName(name)
	if err != nil {
		return Region{}, err
	}
	var b *boundary
	if !isNull(boundaryJSON) {
		parsed, err := parseBoundary(boundaryJSON)
		if err != nil {
			return Region{}, err
		}
		b = &parsed
	}
	var out Region
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := lockCommunity(ctx, tx, communityCode); err != nil {
			return err
		}
		grids, err := gridsOf(ctx, tx, communityCode)
		if err != nil {
			return err
		}
		if _, taken := grids[name]; taken {
			return apperr.Conflict("region.grid_name_taken", name)
		}
		codes, err := freeGridCodes(communityCode, grids, 1)
		if err != nil {
			return err
		}
		if err := insertGrid(ctx, tx, codes[0], name, communityCode, b, db.Millis(time.Now())); err != nil {
			return err
		}
		if err := boundariesChanged(ctx, tx); err != nil {
			return err
		}
		out, err = get(ctx, tx, codes[0])
		return err
	})
	if err != nil {
		return Region{}, fmt.Errorf("add grid: %w", err)
	}
	s.changed()
	return out, nil
}

// UpdateGrid renames a grid and sets its boundary: a nil boundary keeps the
// current one, an empty one or JSON null removes it.
func (s *Store) UpdateGrid(ctx context.Context, actor access.Actor, code, name string, boundaryJSON []byte) (Region, error) {
	if !actor.Manages(code) {
		return Region{}, apperr.Forbidden("region.forbidden")
	}
	if l, ok := LevelOf(code); !ok || l != Grid {
		return Region{}, apperr.Invalid("region.not_grid", code)
	}
	name, err := checkGridName(name)
	if err != nil {
		return Region{}, err
	}
	set := "name = ?, updated_at = ?"
	args := []any{name, db.Millis(time.Now())}
	if boundaryJSON != nil {
		var b *boundary
		if !isNull(boundaryJSON) {
			parsed, err := parseBoundary(boundaryJSON)
			if err != nil {
				return Region{}, err
			}
			b = &parsed
		}
		geom, box := boundaryArgs(b)
		set += ", boundary = ?, min_lng = ?, min_lat = ?, max_lng = ?, max_lat = ?"
		args = append(args, geom, box[0], box[1], box[2], box[3])
	}
	community := ParentOf(code)
	var out Region
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := lockCommunity(ctx, tx, community); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				return apperr.NotFound("region.not_found", code)
			}
			return err
		}
		grids, err := gridsOf(ctx, tx, community)
		if err != nil {
			return err
		}
		if other, taken := grids[name]; taken && other != code {
			return apperr.Conflict("region.grid_name_taken", name)
		}
		res, err := tx.Exec(ctx, "UPDATE region SET "+set+" WHERE code = ? AND level = ?", append(args, code, int(Grid))...)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("region.grid_name_taken", name)
		}
		if err != nil {
			return fmt.Errorf("update grid %s: %w", code, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update grid %s: %w", code, err)
		} else if n == 0 {
			return apperr.NotFound("region.not_found", code)
		}
		if err := boundariesChanged(ctx, tx); err != nil {
			return err
		}
		if err := setting.ReferenceChanged(ctx, tx); err != nil { // the names kept on cases (problem.Store) are read again
			return err
		}
		out, err = get(ctx, tx, code)
		return err
	})
	if err != nil {
		return Region{}, fmt.Errorf("update grid: %w", err)
	}
	s.changed()
	return out, nil
}

// DeleteGrid removes a grid that nothing refers to any more.
func (s *Store) DeleteGrid(ctx context.Context, actor access.Actor, code string) error {
	if !actor.Manages(code) {
		return apperr.Forbidden("region.forbidden")
	}
	if l, ok := LevelOf(code); !ok || l != Grid {
		return apperr.Invalid("region.not_grid", code)
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM region WHERE code = ? AND level = ?", code, int(Grid))
		if db.IsForeignKeyViolation(err) {
			return apperr.Conflict("region.grid_in_use", code)
		}
		if err != nil {
			return fmt.Errorf("delete grid %s: %w", code, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("delete grid %s: %w", code, err)
		}
		if n == 0 {
			return apperr.NotFound("region.not_found", code)
		}
		return boundariesChanged(ctx, tx)
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// GeoJSONFile is the File of the problems ImportGrids reports; their Line
// is the 1-based feature number.
const GeoJSONFile = "GeoJSON"

// ImportGrids adds the grids of a GeoJSON FeatureCollection to a community
// the actor manages: each feature needs a "name" property and a Polygon or
// MultiPolygon geometry. Either every feature is added or none; problems
// come as an *ImportError naming the feature numbers.
func (s *Store) ImportGrids(ctx context.Context, actor access.Actor, communityCode string, geojson []byte) ([]Region, error) {
	if !actor.Manages(communityCode) {
		return nil, apperr.Forbidden("region.forbidden")
	}
	var fc geoObject
	if err := json.Unmarshal(geojson, &fc); err != nil {
		return nil, apperr.Invalid("region.geojson.invalid")
	}
	if fc.Type != "FeatureCollection" {
		return nil, apperr.Invalid("region.geojson.not_collection", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, apperr.Invalid("region.geojson.no_features")
	}
	if len(fc.Features) > maxGridSerial {
		return nil, apperr.Invalid("region.geojson.too_many_features", maxGridSerial)
	}
	type grid struct {
		name string
		b    boundary
		n    int // feature number
	}
	var probs problems
	report := func(n int, err error) {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			probs.add(0, GeoJSONFile, n, ae.Code, ae.Args...)
			return
		}
		probs.add(0, GeoJSONFile, n, "region.geojson.invalid")
	}
	var grids []grid
	firstByName := map[string]int{}
	for i, raw := range fc.Features {
		n := i + 1
		var f geoObject
		if err := json.Unmarshal(raw, &f); err != nil || f.Type != "Feature" {
			probs.add(0, GeoJSONFile, n, "region.geojson.not_feature")
			continue
		}
		var props struct {
			Name any `json:"name"`
		}
		if !isNull(f.Properties) {
			if err := json.Unmarshal(f.Properties, &props); err != nil {
				probs.add(0, GeoJSONFile, n, "region.geojson.invalid")
				continue
			}
		}
		text, _ := props.Name.(string)
		name, err := checkGridName(text)
		if err != nil {
			report(n, err)
			continue
		}
		if first, dup := firstByName[name]; dup {
			probs.add(0, GeoJSONFile, n, "region.grid_name_duplicate", name, first)
			continue
		}
		firstByName[name] = n
		b, err := parseBoundary(raw)
		if err != nil {
			report(n, err)
			continue
		}
		grids = append(grids, grid{name: name, b: b, n: n})
	}
	var out []Region
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := lockCommunity(ctx, tx, communityCode); err != nil {
			return err
		}
		existing, err := gridsOf(ctx, tx, communityCode)
		if err != nil {
			return err
		}
		for _, g := range grids {
			if _, taken := existing[g.name]; taken {
				probs.add(0, GeoJSONFile, g.n, "region.grid_name_taken", g.name)
			}
		}
		if e := probs.err(); e != nil {
			e.Features = true
			return e
		}
		codes, err := freeGridCodes(communityCode, existing, len(grids))
		if err != nil {
			return err
		}
		now := db.Millis(time.Now())
		for i, g := range grids {
			if err := insertGrid(ctx, tx, codes[i], g.name, communityCode, &g.b, now); err != nil {
				return err
			}
			out = append(out, Region{Code: codes[i], Name: g.name, Level: Grid, ParentCode: communityCode, Boundary: g.b.geometry})
		}
		return boundariesChanged(ctx, tx)
	})
	if err != nil {
		var ie *ImportError
		if errors.As(err, &ie) {
			return nil, ie
		}
		return nil, fmt.Errorf("import grids: %w", err)
	}
	s.changed()
	return out, nil
}
