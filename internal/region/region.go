// Package region is the tree of administrative divisions the platform works
// in: the national statistical division codes (province, city, district,
// street, community) and the grids (网格) each community office draws under
// itself. It owns the region table, the import of the national CSV files
// and the grid boundaries.
package region

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// Level is the depth of a region in the tree, stored in region.level.
type Level int

// The levels, top down.
const (
	Province  Level = 1 // 省级
	City      Level = 2 // 地市级
	District  Level = 3 // 区县级
	Street    Level = 4 // 街道/乡镇
	Community Level = 5 // 社区/村
	Grid      Level = 6 // 网格
)

// Levels lists the levels top down.
func Levels() []Level { return []Level{Province, City, District, Street, Community, Grid} }

// Valid reports whether l is one of the six levels.
func (l Level) Valid() bool { return l >= Province && l <= Grid }

// Key returns the catalogue key of the level's name, e.g. "region.level.street".
func (l Level) Key() string {
	switch l {
	case Province:
		return "region.level.province"
	case City:
		return "region.level.city"
	case District:
		return "region.level.district"
	case Street:
		return "region.level.street"
	case Community:
		return "region.level.community"
	case Grid:
		return "region.level.grid"
	}
	return "region.level.unknown"
}

// CodeLen is the length of the codes of level l (0 for an invalid level).
func (l Level) CodeLen() int {
	switch l {
	case Province:
		return 2
	case City:
		return 4
	case District:
		return 6
	case Street:
		return 9
	case Community:
		return 12
	case Grid:
		return 15
	}
	return 0
}

// LevelOf derives the level from a code: the national codes have a fixed
// length per level and a grid code is its community's code plus a 3-digit
// serial.
func LevelOf(code string) (Level, bool) {
	if !allDigits(code) {
		return 0, false
	}
	for _, l := range Levels() {
		if l.CodeLen() == len(code) {
			return l, true
		}
	}
	return 0, false
}

// ParentOf returns the code of the parent the code implies ("" for a
// province or an invalid code).
func ParentOf(code string) string {
	l, ok := LevelOf(code)
	if !ok || l == Province {
		return ""
	}
	return code[:(l - 1).CodeLen()]
}

// Region is one node of the tree.
type Region struct {
	Code       string
	Name       string
	Level      Level
	ParentCode string // "" for a province
	Boundary   string // GeoJSON geometry (WGS-84), or "" when none is drawn
	ChildCount int    // number of direct children
}

// Store reads and writes regions.
type Store struct {
	DB *db.DB
	// Progress, when set, is told now and then how far a long import has
	// come. Stage is a catalogue key (region.import.stage.*); total is 0
	// when not known in advance.
	Progress func(stage string, done, total int)
	// Changed, when set, is called after grids or their boundaries were
	// changed, so this server's spatial index is rebuilt at once.
	Changed func()
}

func (s *Store) changed() {
	if s.Changed != nil {
		s.Changed()
	}
}

// Page sizes of the listing queries.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// regionCols reads the columns scanRegion expects from a row source r,
// counting the children through the region_parent index.
const regionCols = `r.code, r.name, r.level, r.parent_code, r.boundary,
	(SELECT COUNT(*) FROM region c WHERE c.parent_code = r.code)`

func scanRegion(sc interface{ Scan(...any) error }) (Region, error) {
	var r Region
	var parent, boundary sql.NullString
	if err := sc.Scan(&r.Code, &r.Name, &r.Level, &parent, &boundary, &r.ChildCount); err != nil {
		return Region{}, err
	}
	r.ParentCode = parent.String
	r.Boundary = boundary.String
	return r, nil
}

func collect(rows *sql.Rows) ([]Region, error) {
	defer rows.Close()
	var out []Region
	for rows.Next() {
		r, err := scanRegion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Get returns the region with the given code.
func (s *Store) Get(ctx context.Context, code string) (Region, error) {
	return get(ctx, s.DB, code)
}

func get(ctx context.Context, c db.Conn, code string) (Region, error) {
	r, err := scanRegion(c.QueryRow(ctx, "SELECT "+regionCols+" FROM region r WHERE r.code = ?", code))
	if errors.Is(err, sql.ErrNoRows) {
		return Region{}, apperr.NotFound("region.not_found", code)
	}
	if err != nil {
		return Region{}, fmt.Errorf("get region %s: %w", code, err)
	}
	return r, nil
}

// Children lists the direct children of parentCode ordered by code, one page
// at a time, with the total count; parentCode "" lists the top-level
// regions. An unknown parent is apperr.ErrNotFound.
func (s *Store) Children(ctx context.Context, parentCode string, offset, limit int) ([]Region, int, error) {
	offset, limit = page(offset, limit)
	where, args := "parent_code = ?", []any{parentCode}
	if parentCode == "" {
		where, args = "parent_code IS NULL", nil
	}
	var total int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM region WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count children of %q: %w", parentCode, err)
	}
	if total == 0 {
		if parentCode != "" {
			if _, err := s.Get(ctx, parentCode); err != nil {
				return nil, 0, err
			}
		}
		return nil, 0, nil
	}
	// The page is cut first so that the children are counted for its rows only.
	rows, err := s.DB.Query(ctx, "SELECT "+regionCols+" FROM (SELECT code, name, level, parent_code, boundary FROM region WHERE "+
		where+" ORDER BY code LIMIT ? OFFSET ?) r ORDER BY r.code", append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list children of %q: %w", parentCode, err)
	}
	list, err := collect(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("list children of %q: %w", parentCode, err)
	}
	return list, total, nil
}

// Ancestors returns the path from the top-level region down to and
// including code, for breadcrumbs.
func (s *Store) Ancestors(ctx context.Context, code string) ([]Region, error) {
	rows, err := s.DB.Query(ctx, `WITH RECURSIVE chain (code, name, level, parent_code, boundary) AS (
			SELECT code, name, level, parent_code, boundary FROM region WHERE code = ?
			UNION ALL
			SELECT p.code, p.name, p.level, p.parent_code, p.boundary FROM region p JOIN chain ON p.code = chain.parent_code
		)
		SELECT `+regionCols+` FROM chain r ORDER BY r.level`, code)
	if err != nil {
		return nil, fmt.Errorf("ancestors of %s: %w", code, err)
	}
	list, err := collect(rows)
	if err != nil {
		return nil, fmt.Errorf("ancestors of %s: %w", code, err)
	}
	if len(list) == 0 {
		return nil, apperr.NotFound("region.not_found", code)
	}
	return list, nil
}

// Search finds regions whose name contains q or, when q is all digits,
// whose code starts with q; within, when set, restricts the search to that
// subtree. Results come top level first, then by code. Latin letters match
// regardless of case.
func (s *Store) Search(ctx context.Context, within, q string, offset, limit int) ([]Region, int, error) {
	offset, limit = page(offset, limit)
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, 0, nil
	}
	var conds []string
	var args []any
	if within != "" {
		if !allDigits(within) {
			return nil, 0, apperr.Invalid("region.bad_code", within)
		}
		c, a := prefixCond(within)
		conds, args = append(conds, c), append(args, a...)
	}
	// SQLite's LIKE ignores ASCII case already. On PostgreSQL LOWER costs
	// twice the time of a plain LIKE on a full scan, so it is used only
	// when there is a case to ignore.
	match := `name LIKE ? ESCAPE '\'`
	if s.DB.Dialect() == db.Postgres && hasASCIILetter(q) {
		match = `LOWER(name) LIKE LOWER(?) ESCAPE '\'`
	}
	args = append(args, "%"+escapeLike(q)+"%")
	if allDigits(q) {
		c, a := prefixCond(q)
		match = "(" + match + " OR (" + c + "))"
		args = append(args, a...)
	}
	where := strings.Join(append(conds, match), " AND ")
	// The window count saves a second scan of the table; the children are
	// counted for the rows of the page only.
	rows, err := s.DB.Query(ctx, "SELECT "+regionCols+", r.total FROM (SELECT code, name, level, parent_code, boundary, COUNT(*) OVER () AS total FROM region WHERE "+
		where+" ORDER BY level, code LIMIT ? OFFSET ?) r ORDER BY r.level, r.code", append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("search regions: %w", err)
	}
	defer rows.Close()
	var list []Region
	total := 0
	for rows.Next() {
		var r Region
		var parent, boundary sql.NullString
		if err := rows.Scan(&r.Code, &r.Name, &r.Level, &parent, &boundary, &r.ChildCount, &total); err != nil {
			return nil, 0, fmt.Errorf("search regions: %w", err)
		}
		r.ParentCode, r.Boundary = parent.String, boundary.String
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("search regions: %w", err)
	}
	if len(list) == 0 && offset > 0 {
		// Past the last page: the window had no row to carry the total.
		if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM region WHERE "+where, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("search regions: %w", err)
		}
	}
	return list, total, nil
}

// Count returns the number of regions per level.
func (s *Store) Count(ctx context.Context) (map[Level]int, error) {
	rows, err := s.DB.Query(ctx, "SELECT level, COUNT(*) FROM region GROUP BY level")
	if err != nil {
		return nil, fmt.Errorf("count regions: %w", err)
	}
	defer rows.Close()
	out := map[Level]int{}
	for rows.Next() {
		var l Level
		var n int
		if err := rows.Scan(&l, &n); err != nil {
			return nil, fmt.Errorf("count regions: %w", err)
		}
		out[l] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count regions: %w", err)
	}
	return out, nil
}

func page(offset, limit int) (int, int) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	return max(offset, 0), min(limit, MaxLimit)
}

// prefixCond matches the codes that start with the digit string p. The
// range keeps it on the primary-key index; its upper bound is p plus one,
// not p+":", because collations other than C (PostgreSQL's en_US, for
// one) do not sort punctuation after digits. Digit-only strings sort the
// same in every collation, and the substr test makes the match exact
// regardless.
func prefixCond(p string) (string, []any) {
	exact := fmt.Sprintf("substr(code, 1, %d) = ?", len(p))
	if hi, ok := NextPrefix(p); ok {
		return "code >= ? AND code < ? AND " + exact, []any{p, hi, p}
	}
	return "code >= ? AND " + exact, []any{p, p}
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func hasASCIILetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
