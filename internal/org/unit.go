// Package org holds the organisation of a city: units (offices, line
// departments, territorial units, sponsors, property companies) and the
// users who belong to them. Every read and write takes the acting user and
// is limited to what that user's role and unit reach.
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/region"
)

// UnitKind is the kind of a unit, stored as a stable word.
type UnitKind string

// The kinds of unit.
const (
	KindOffice      UnitKind = "office"      // 文明办/创文办
	KindDepartment  UnitKind = "department"  // 职能部门
	KindTerritorial UnitKind = "territorial" // 街道办/乡镇、社区/村
	KindSponsor     UnitKind = "sponsor"     // 包保单位
	KindProperty    UnitKind = "property"    // 物业公司
	KindOther       UnitKind = "other"
)

// UnitKinds lists the kinds in display order.
func UnitKinds() []UnitKind {
	return []UnitKind{KindOffice, KindDepartment, KindTerritorial, KindSponsor, KindProperty, KindOther}
}

// Valid reports whether k is a known kind.
func (k UnitKind) Valid() bool {
	for _, x := range UnitKinds() {
		if x == k {
			return true
		}
	}
	return false
}

// Key is the catalogue key of the kind's name.
func (k UnitKind) Key() string { return "org.kind." + string(k) }

// Lines lists the line (条) a department belongs to; routing of components
// to their owning department uses it.
func Lines() []string {
	return []string{
		"urban_management", "market_regulation", "traffic_police", "public_security",
		"housing", "landscaping", "education", "health", "transport", "ecology",
		"culture_tourism", "commerce", "civil_affairs", "water", "other",
	}
}

// LineKey is the catalogue key of a line's name.
func LineKey(line string) string { return "org.line." + line }

// Unit is one organisation.
type Unit struct {
	ID           int64
	Code         string
	Name         string
	Kind         UnitKind
	Line         string
	ParentID     int64
	ParentName   string
	RegionCode   string // root of the jurisdiction, "" if none
	RegionName   string
	HeadName     string
	HeadPhone    string
	LiaisonName  string
	LiaisonPhone string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Store reads and writes units and users.
type Store struct {
	DB     *db.DB
	Hasher password.Params
	Now    func() time.Time
	// actors keeps the actors Actor loaded (see actorcache.go); nil keeps
	// none.
	actors *GenCache[int64, cachedActor]
}

// New returns a store with the default password cost and clock.
func New(d *db.DB) *Store {
	return &Store{DB: d, Hasher: password.DefaultParams(), Now: time.Now, actors: NewGenCache[int64, cachedActor](maxCachedActors)}
}

var (
	codePattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$`)
	phonePattern = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$`)
)

// canManageUnit: administrators everywhere; the office for units whose
// jurisdiction lies inside its own.
// CanCreate reports whether the actor may add units and users (inside its
// jurisdiction): the office and administrators.
func CanCreate(a access.Actor) bool { return a.HasAny(access.RoleAdmin, access.RoleOffice) }

// CanEditUnit reports whether the actor may change unit u, for pages that
// offer the form only to those who may use it.
func CanEditUnit(a access.Actor, u Unit) bool { return a.Manages(u.RegionCode) }

// EditUnit returns a unit to edit (id 0: none, for a new one) to someone
// who may change it.
func (s *Store) EditUnit(ctx context.Context, a access.Actor, id int64) (Unit, error) {
	if id == 0 {
		if !CanCreate(a) {
			return Unit{}, apperr.Forbidden("error.forbidden")
		}
		return Unit{}, nil
	}
	u, err := s.GetUnit(ctx, a, id)
	if err != nil {
		return Unit{}, err
	}
	if !CanEditUnit(a, u) {
		return Unit{}, apperr.Forbidden("org.unit_outside_scope")
	}
	return u, nil
}

func canManageUnit(a access.Actor, regionCode string) bool {
	if a.IsAdmin() {
		return true
	}
	return regionCode != "" && a.Manages(regionCode)
}

// scopeFilter returns a SQL condition on unit alias u limiting rows to what
// the actor may see: the whole jurisdiction for office and leaders, the own
// unit and the units below it for everyone else.
func scopeFilter(a access.Actor) (string, []any) {
	if a.IsAdmin() {
		return "1 = 1", nil
	}
	tree := `u.id IN (WITH RECURSIVE sub(id) AS (SELECT CAST(? AS BIGINT) UNION ALL
		SELECT c.id FROM unit c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub)`
	if a.HasAny(access.RoleOffice, access.RoleLeader) && a.Region != "" {
		return "(substr(u.region_code, 1, ?) = ? OR " + tree + ")", []any{len(a.Region), a.Region, a.UnitID}
	}
	return tree, []any{a.UnitID}
}

const unitColumns = `u.id, u.code, u.name, u.kind, u.line, COALESCE(u.parent_id, 0), COALESCE(p.name, ''),
	COALESCE(u.region_code, ''), u.head_name, u.head_phone, u.liaison_name, u.liaison_phone,
	u.created_at, u.updated_at`

const unitFrom = ` FROM unit u LEFT JOIN unit p ON p.id = u.parent_id`

func scanUnit(sc interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	var created, updated int64
	err := sc.Scan(&u.ID, &u.Code, &u.Name, &u.Kind, &u.Line, &u.ParentID, &u.ParentName,
		&u.RegionCode, &u.HeadName, &u.HeadPhone, &u.LiaisonName, &u.LiaisonPhone, &created, &updated)
	u.CreatedAt, u.UpdatedAt = db.FromMillis(created), db.FromMillis(updated)
	return u, err
}

// UnitFilter narrows a unit listing.
type UnitFilter struct {
	Query  string // name or code contains
	Exact  string // name or code is
	Kind   UnitKind
	Kinds  []UnitKind // one of these kinds (none: any)
	Region string     // jurisdiction inside this subtree
	Offset int
	Limit  int
}

// ListUnits returns the units the actor may see that match f, and their count.
func (s *Store) ListUnits(ctx context.Context, a access.Actor, f UnitFilter) ([]Unit, int, error) {
	if !a.SignedIn() {
		return nil, 0, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	where, args := scopeFilter(a)
	if q := strings.TrimSpace(f.Query); q != "" {
		where += ` AND (LOWER(u.name) LIKE ? ESCAPE '\' OR LOWER(u.code) LIKE ? ESCAPE '\')`
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		args = append(args, like, like)
	}
	if x := strings.TrimSpace(f.Exact); x != "" {
		where += " AND (u.name = ? OR u.code = ?)"
		args = append(args, x, x)
	}
	if f.Kind != "" {
		where += " AND u.kind = ?"
		args = append(args, string(f.Kind))
	}
	if len(f.Kinds) > 0 {
		where += " AND u.kind IN (" + db.Placeholders(len(f.Kinds)) + ")"
		for _, k := range f.Kinds {
			args = append(args, string(k))
		}
	}
	if f.Region != "" {
		where += " AND substr(u.region_code, 1, ?) = ?"
		args = append(args, len(f.Region), f.Region)
	}
	var total int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM unit u WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count units: %w", err)
	}
	limit := clampLimit(f.Limit)
	rows, err := s.DB.Query(ctx, "SELECT "+unitColumns+unitFrom+" WHERE "+where+
		" ORDER BY u.region_code, CASE u.kind WHEN 'office' THEN 0 WHEN 'territorial' THEN 1 WHEN 'department' THEN 2 ELSE 3 END, u.name, u.id LIMIT ? OFFSET ?", append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list units: %w", err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan unit: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list units: %w", err)
	}
	if err := fillRegionNames(ctx, s.DB, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// fillRegionNames sets the region names of units, one query for them all.
func fillRegionNames(ctx context.Context, c db.Conn, units []Unit) error {
	codes := make([]string, 0, len(units))
	for _, u := range units {
		codes = append(codes, u.RegionCode)
	}
	names, err := region.Names(ctx, c, codes)
	if err != nil {
		return err
	}
	for i := range units {
		units[i].RegionName = names[units[i].RegionCode]
	}
	return nil
}

// GetUnit returns one unit if the actor may see it.
func (s *Store) GetUnit(ctx context.Context, a access.Actor, id int64) (Unit, error) {
	if !a.SignedIn() {
		return Unit{}, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	where, args := scopeFilter(a)
	u, err := scanUnit(s.DB.QueryRow(ctx, "SELECT "+unitColumns+unitFrom+" WHERE u.id = ? AND "+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		// Out of scope and missing look the same, so ids cannot be probed.
		return Unit{}, apperr.NotFound("org.unit_not_found")
	}
	if err != nil {
		return Unit{}, fmt.Errorf("get unit %d: %w", id, err)
	}
	us := []Unit{u}
	if err := fillRegionNames(ctx, s.DB, us); err != nil {
		return Unit{}, err
	}
	return us[0], nil
}

// maxVisibleUnits bounds the ids one VisibleUnits call checks.
const maxVisibleUnits = 2000

// VisibleUnits returns the units of ids (zero ids and repeats left out,
// in the order given: id, code, name, kind and jurisdiction) if the actor
// may see every one of them, for forms that post several chosen units.
// One the actor may not see, or that does not exist, refuses them all,
// alike, so ids cannot be probed.
func (s *Store) VisibleUnits(ctx context.Context, a access.Actor, ids []int64) ([]Unit, error) {
	want, found, err := s.seenUnits(ctx, a, ids)
	if err != nil {
		return nil, err
	}
	if len(found) < len(want) {
		return nil, apperr.NotFound("org.unit_not_found")
	}
	return found, nil
}

// SeenUnits returns those of the units of ids the actor may see, in the
// order given, for a form showing units chosen earlier (one moved out of
// the actor's area since is left out, not refused).
func (s *Store) SeenUnits(ctx context.Context, a access.Actor, ids []int64) ([]Unit, error) {
	_, found, err := s.seenUnits(ctx, a, ids)
	return found, err
}

// seenUnits reads the units of ids the actor may see: want is ids
// without zeros and repeats, found those of them seen, in that order.
func (s *Store) seenUnits(ctx context.Context, a access.Actor, ids []int64) (want []int64, found []Unit, err error) {
	if !a.SignedIn() {
		return nil, nil, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return nil, nil, nil
	}
	if len(want) > maxVisibleUnits {
		return nil, nil, apperr.Invalid("org.too_many_units", maxVisibleUnits)
	}
	scope, scopeArgs := scopeFilter(a)
	byID := make(map[int64]Unit, len(want))
	const batch = 500
	for start := 0; start < len(want); start += batch {
		part := want[start:min(start+batch, len(want))]
		args := make([]any, 0, len(part)+len(scopeArgs))
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := s.DB.Query(ctx, `SELECT u.id, u.code, u.name, u.kind, COALESCE(u.region_code, '') FROM unit u
			WHERE u.id IN (`+db.Placeholders(len(part))+`) AND `+scope, append(args, scopeArgs...)...)
		list, err := db.Collect(rows, err, func(r *sql.Rows) (Unit, error) {
			var u Unit
			return u, r.Scan(&u.ID, &u.Code, &u.Name, &u.Kind, &u.RegionCode)
		})
		if err != nil {
			return nil, nil, fmt.Errorf("visible units: %w", err)
		}
		for _, u := range list {
			byID[u.ID] = u
		}
	}
	for _, id := range want {
		if u, ok := byID[id]; ok {
			found = append(found, u)
		}
	}
	return want, found, nil
}

// unitByID reads a unit without a scope check, for internal decisions.
func (s *Store) unitByID(ctx context.Context, c db.Conn, id int64) (Unit, error) {
	u, err := scanUnit(c.QueryRow(ctx, "SELECT "+unitColumns+unitFrom+" WHERE u.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Unit{}, apperr.NotFound("org.unit_not_found")
	}
	if err != nil {
		return Unit{}, fmt.Errorf("read unit %d: %w", id, err)
	}
	us := []Unit{u}
	if err := fillRegionNames(ctx, c, us); err != nil {
		return Unit{}, err
	}
	u = us[0]
	return u, nil
}

// UnitInput is what a person enters for a unit.
type UnitInput struct {
	Code         string
	Name         string
	Kind         UnitKind
	Line         string
	ParentID     int64
	RegionCode   string
	HeadName     string
	HeadPhone    string
	LiaisonName  string
	LiaisonPhone string
}

func (in *UnitInput) normalize() {
	for _, p := range []*string{&in.Code, &in.Name, &in.Line, &in.RegionCode, &in.HeadName, &in.HeadPhone, &in.LiaisonName, &in.LiaisonPhone} {
		*p = strings.TrimSpace(*p)
	}
}

func (s *Store) validateUnit(ctx context.Context, c db.Conn, a access.Actor, in UnitInput, selfID int64) error {
	switch {
	case !codePattern.MatchString(in.Code):
		return apperr.Invalid("org.unit_code_invalid")
	case in.Name == "" || len([]rune(in.Name)) > 100:
		return apperr.Invalid("org.unit_name_invalid")
	case !in.Kind.Valid():
		return apperr.Invalid("org.unit_kind_invalid")
	case in.Kind == KindDepartment && in.Line == "":
		return apperr.Invalid("org.unit_line_required")
	case in.HeadPhone != "" && !phonePattern.MatchString(in.HeadPhone),
		in.LiaisonPhone != "" && !phonePattern.MatchString(in.LiaisonPhone):
		return apperr.Invalid("org.phone_invalid")
	case (in.Kind == KindOffice || in.Kind == KindTerritorial) && in.RegionCode == "":
		return apperr.Invalid("org.unit_region_required")
	}
	if in.Line != "" {
		known := false
		for _, l := range Lines() {
			known = known || l == in.Line
		}
		if !known {
			return apperr.Invalid("org.unit_line_invalid")
		}
	}
	if in.RegionCode != "" {
		ok, err := region.Exists(ctx, c, in.RegionCode)
		if err != nil {
			return fmt.Errorf("check region: %w", err)
		}
		if !ok {
			return apperr.Invalid("org.unit_region_unknown", in.RegionCode)
		}
	}
	if !canManageUnit(a, in.RegionCode) {
		return apperr.Forbidden("org.unit_outside_scope")
	}
	if in.ParentID != 0 {
		if in.ParentID == selfID {
			return apperr.Invalid("org.unit_parent_cycle")
		}
		if _, err := s.unitByID(ctx, c, in.ParentID); err != nil {
			return apperr.Invalid("org.unit_parent_unknown")
		}
		if selfID != 0 {
			// The new parent must not lie below the unit itself.
			var n int
			err := c.QueryRow(ctx, `WITH RECURSIVE up(id, parent_id) AS (
				SELECT id, parent_id FROM unit WHERE id = ?
				UNION ALL SELECT u.id, u.parent_id FROM unit u JOIN up ON u.id = up.parent_id)
				SELECT COUNT(*) FROM up WHERE id = ?`, in.ParentID, selfID).Scan(&n)
			if err != nil {
				return fmt.Errorf("check unit cycle: %w", err)
			}
			if n > 0 {
				return apperr.Invalid("org.unit_parent_cycle")
			}
		}
	}
	return nil
}

// CreateUnit adds a unit inside the actor's jurisdiction.
func (s *Store) CreateUnit(ctx context.Context, a access.Actor, in UnitInput) (Unit, error) {
	in.normalize()
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := s.validateUnit(ctx, tx, a, in, 0); err != nil {
			return err
		}
		now := db.Millis(s.Now())
		err := tx.QueryRow(ctx, `INSERT INTO unit (code, name, kind, line, parent_id, region_code, head_name, head_phone,
			liaison_name, liaison_phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Code, in.Name, string(in.Kind), in.Line, db.NullID(in.ParentID), nullString(in.RegionCode),
			in.HeadName, in.HeadPhone, in.LiaisonName, in.LiaisonPhone, now, now).Scan(&id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("org.unit_code_taken", in.Code)
		}
		if err != nil {
			return fmt.Errorf("insert unit: %w", err)
		}
		return changed(ctx, tx)
	})
	if err != nil {
		return Unit{}, err
	}
	return s.unitByID(ctx, s.DB, id)
}

// UpdateUnit changes a unit the actor manages; its new jurisdiction must
// also be inside the actor's.
func (s *Store) UpdateUnit(ctx context.Context, a access.Actor, id int64, in UnitInput) (Unit, error) {
	in.normalize()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := s.unitByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canManageUnit(a, cur.RegionCode) {
			return apperr.Forbidden("org.unit_outside_scope")
		}
		if err := s.validateUnit(ctx, tx, a, in, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE unit SET code = ?, name = ?, kind = ?, line = ?, parent_id = ?, region_code = ?,
			head_name = ?, head_phone = ?, liaison_name = ?, liaison_phone = ?, updated_at = ? WHERE id = ?`,
			in.Code, in.Name, string(in.Kind), in.Line, db.NullID(in.ParentID), nullString(in.RegionCode),
			in.HeadName, in.HeadPhone, in.LiaisonName, in.LiaisonPhone, db.Millis(s.Now()), id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("org.unit_code_taken", in.Code)
		}
		if err != nil {
			return fmt.Errorf("update unit %d: %w", id, err)
		}
		return changed(ctx, tx)
	})
	if err != nil {
		return Unit{}, err
	}
	return s.unitByID(ctx, s.DB, id)
}

// UnitPath returns the unit's id followed by its ancestors' ids.
func (s *Store) UnitPath(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.DB.Query(ctx, `WITH RECURSIVE up(id, parent_id, depth) AS (
		SELECT id, parent_id, 0 FROM unit WHERE id = ?
		UNION ALL SELECT u.id, u.parent_id, up.depth + 1 FROM unit u JOIN up ON u.id = up.parent_id WHERE up.depth < 32)
		SELECT id FROM up ORDER BY depth`, id)
	if err != nil {
		return nil, fmt.Errorf("unit path %d: %w", id, err)
	}
	defer rows.Close()
	var path []int64
	for rows.Next() {
		var x int64
		if err := rows.Scan(&x); err != nil {
			return nil, fmt.Errorf("unit path: %w", err)
		}
		path = append(path, x)
	}
	return path, rows.Err()
}

// SubUnits returns the ids of the units below the unit, at every depth, in
// no particular order: one recursive query down the parent index. The
// depth bound and the de-duplication guard against a cycle in bad data.
func (s *Store) SubUnits(ctx context.Context, id int64) ([]int64, error) {
	if id == 0 {
		return nil, nil
	}
	rows, err := s.DB.Query(ctx, `WITH RECURSIVE down(id, depth) AS (
		SELECT id, 1 FROM unit WHERE parent_id = ?
		UNION ALL SELECT u.id, down.depth + 1 FROM unit u JOIN down ON u.parent_id = down.id WHERE down.depth < 32)
		SELECT id FROM down`, id)
	if err != nil {
		return nil, fmt.Errorf("sub-units of %d: %w", id, err)
	}
	defer rows.Close()
	var out []int64
	seen := map[int64]bool{id: true}
	for rows.Next() {
		var x int64
		if err := rows.Scan(&x); err != nil {
			return nil, fmt.Errorf("sub-units of %d: %w", id, err)
		}
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sub-units of %d: %w", id, err)
	}
	return out, nil
}

// UnitChoices lists id and name of the units the actor may assign (as a
// parent or as a user's unit), for select boxes.
func (s *Store) UnitChoices(ctx context.Context, a access.Actor) ([]Unit, error) {
	units, _, err := s.ListUnits(ctx, a, UnitFilter{Limit: maxLimit})
	return units, err
}

const (
	defaultLimit = 20
	maxLimit     = 2000
)

func clampLimit(n int) int {
	if n <= 0 {
		return defaultLimit
	}
	return min(n, maxLimit)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// MaskPhone hides the middle of a phone number for lists: 138****1234.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}
