package site

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

var (
	codePattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$`)
	phonePattern = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$`)
	tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)
)

// Text limits.
const (
	maxName    = 100
	maxAddress = 200
	maxPerson  = 50
)

const (
	defaultLimit = 20
	maxLimit     = 5000
)

// CanRead reports whether the actor's role lets it see sites at all:
// administrators, and the office, leaders and inspectors of a jurisdiction.
func CanRead(a access.Actor) bool {
	if a.IsAdmin() {
		return true
	}
	return a.Region != "" && a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector)
}

// CanWrite reports whether the actor may create sites somewhere.
func CanWrite(a access.Actor) bool {
	return a.IsAdmin() || (a.Has(access.RoleOffice) && a.Region != "")
}

// CanExport reports whether the actor may export the register (what it
// sees of it): administrators, the office and leaders.
func CanExport(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader)
}

// Sees reports whether the actor may see a site in region code.
func Sees(a access.Actor, code string) bool {
	if a.IsAdmin() {
		return true
	}
	return CanRead(a) && access.InSubtree(code, a.Region)
}

// scope is the SQL condition on alias s limiting sites to the actor's
// jurisdiction.
func scope(a access.Actor) (string, []any, error) {
	if !a.SignedIn() {
		return "", nil, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	if a.IsAdmin() {
		return "1 = 1", nil, nil
	}
	if !CanRead(a) {
		return "", nil, apperr.Forbidden("site.forbidden")
	}
	return "substr(s.region_code, 1, ?) = ?", []any{len(a.Region), a.Region}, nil
}

const siteColumns = `s.id, s.code, s.name, s.type_code, COALESCE(s.geometry, ''),
	s.lng, s.lat, s.min_lng, s.min_lat, s.max_lng, s.max_lat, s.region_code, s.address,
	COALESCE(s.territorial_unit_id, 0), COALESCE(s.department_unit_id, 0),
	COALESCE(s.sponsor_unit_id, 0), s.sponsor_leader, s.head_name, s.head_phone,
	s.liaison_name, s.liaison_phone, s.active, s.qr_token, s.created_at, s.updated_at`

// The names of type, region and units are read afterwards from their
// owners, one query per owner for a page (fillNames).
const siteFrom = ` FROM site s`

// fillNames sets the display names of sites' type, region and units.
func (s *Store) fillNames(ctx context.Context, c db.Conn, xs []Site) error {
	if len(xs) == 0 {
		return nil
	}
	if s.Scores != nil {
		ids := make([]int64, len(xs))
		for i, x := range xs {
			ids[i] = x.ID
		}
		scores, err := s.Scores(ctx, c, ids)
		if err != nil {
			return err
		}
		for i := range xs {
			if v, ok := scores[xs[i].ID]; ok {
				xs[i].Score = &v
			}
		}
	}
	types, err := framework.SiteTypeNames(ctx, c)
	if err != nil {
		return err
	}
	regions := make([]string, 0, len(xs))
	units := make([]int64, 0, 3*len(xs))
	for _, x := range xs {
		regions = append(regions, x.RegionCode)
		units = append(units, x.TerritorialUnitID, x.DepartmentUnitID, x.SponsorUnitID)
	}
	regionNames, err := region.Names(ctx, c, regions)
	if err != nil {
		return err
	}
	unitNames, err := org.UnitNames(ctx, c, units)
	if err != nil {
		return err
	}
	for i := range xs {
		x := &xs[i]
		x.TypeName = x.TypeCode
		if n, ok := types[x.TypeCode]; ok {
			x.TypeName = n
		}
		x.RegionName = regionNames[x.RegionCode]
		x.TerritorialUnitName = unitNames[x.TerritorialUnitID]
		x.DepartmentUnitName = unitNames[x.DepartmentUnitID]
		x.SponsorUnitName = unitNames[x.SponsorUnitID]
	}
	return nil
}

// withNames is fillNames for one site.
func (s *Store) withNames(ctx context.Context, c db.Conn, x Site) (Site, error) {
	xs := []Site{x}
	err := s.fillNames(ctx, c, xs)
	return xs[0], err
}

func scanSite(sc interface{ Scan(...any) error }) (Site, error) {
	var x Site
	var lng, lat, minLng, minLat, maxLng, maxLat sql.NullFloat64
	var created, updated int64
	err := sc.Scan(&x.ID, &x.Code, &x.Name, &x.TypeCode, &x.Geometry, &lng, &lat, &minLng, &minLat, &maxLng, &maxLat,
		&x.RegionCode, &x.Address, &x.TerritorialUnitID, &x.DepartmentUnitID,
		&x.SponsorUnitID, &x.SponsorLeader, &x.HeadName, &x.HeadPhone,
		&x.LiaisonName, &x.LiaisonPhone, &x.Active, &x.QRToken, &created, &updated)
	if err != nil {
		return x, err
	}
	x.HasPlace = lng.Valid && lat.Valid && x.Geometry != ""
	if x.HasPlace {
		x.Lng, x.Lat = lng.Float64, lat.Float64
		x.BBox.MinLng, x.BBox.MinLat, x.BBox.MaxLng, x.BBox.MaxLat = minLng.Float64, minLat.Float64, maxLng.Float64, maxLat.Float64
		x.GeometryType = geometryType(x.Geometry)
	}
	x.CreatedAt, x.UpdatedAt = db.FromMillis(created), db.FromMillis(updated)
	return x, nil
}

// geometryType reads the type member of stored (normalised) GeoJSON.
func geometryType(g string) string {
	for _, t := range []string{GeomPoint, GeomLineString, GeomPolygon} {
		if strings.HasPrefix(g, `{"type":"`+t+`"`) {
			return t
		}
	}
	return ""
}

func (f Filter) where(a access.Actor) (string, []any, error) {
	where, args, err := scope(a)
	if err != nil {
		return "", nil, err
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		where += ` AND (LOWER(s.name) LIKE ? ESCAPE '\' OR LOWER(s.code) LIKE ? ESCAPE '\' OR LOWER(s.address) LIKE ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	if f.Type != "" {
		where += " AND s.type_code = ?"
		args = append(args, f.Type)
	}
	if r := strings.TrimSpace(f.Region); r != "" {
		where += " AND substr(s.region_code, 1, ?) = ?"
		args = append(args, len(r), r)
	}
	if f.UnitID != 0 {
		where += " AND (s.territorial_unit_id = ? OR s.department_unit_id = ? OR s.sponsor_unit_id = ?)"
		args = append(args, f.UnitID, f.UnitID, f.UnitID)
	}
	switch f.State {
	case "active":
		where += " AND s.active = ?"
		args = append(args, true)
	case "inactive":
		where += " AND s.active = ?"
		args = append(args, false)
	}
	return where, args, nil
}

// List returns the sites the actor may see that match f, and their count.
func (s *Store) List(ctx context.Context, a access.Actor, f Filter) ([]Site, int, error) {
	where, args, err := f.where(a)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM site s WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count sites: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	out, err := s.query(ctx, " WHERE "+where+" ORDER BY s.region_code, s.code LIMIT ? OFFSET ?", append(args, limit, max(f.Offset, 0))...)
	return out, total, err
}

// Each calls fn for every site the actor may see that matches f (f's
// offset and limit are ignored), in region and code order.
func (s *Store) Each(ctx context.Context, a access.Actor, f Filter, fn func(Site) error) error {
	where, args, err := f.where(a)
	if err != nil {
		return err
	}
	rows, err := s.DB.Query(ctx, "SELECT "+siteColumns+siteFrom+" WHERE "+where+" ORDER BY s.region_code, s.code", args...)
	if err != nil {
		return fmt.Errorf("list sites: %w", err)
	}
	// Read everything first: fn may query the database, and on SQLite the
	// reader connection stays busy while rows are open.
	var all []Site
	for rows.Next() {
		x, err := scanSite(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("scan site: %w", err)
		}
		all = append(all, x)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return fmt.Errorf("list sites: %w", err)
	}
	rows.Close()
	for len(all) > 0 {
		// Names a batch at a time, so a long export does not hold them all.
		n := min(len(all), 500)
		if err := s.fillNames(ctx, s.DB, all[:n]); err != nil {
			return err
		}
		for _, x := range all[:n] {
			if err := fn(x); err != nil {
				return err
			}
		}
		all = all[n:]
	}
	return nil
}

func (s *Store) query(ctx context.Context, tail string, args ...any) ([]Site, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+siteColumns+siteFrom+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("list sites: %w", err)
	}
	defer rows.Close()
	var out []Site
	for rows.Next() {
		x, err := scanSite(rows)
		if err != nil {
			return nil, fmt.Errorf("scan site: %w", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sites: %w", err)
	}
	if err := s.fillNames(ctx, s.DB, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Get returns one site if the actor may see it. A site out of scope and a
// missing one look the same, so ids cannot be probed.
func (s *Store) Get(ctx context.Context, a access.Actor, id int64) (Site, error) {
	where, args, err := scope(a)
	if err != nil {
		return Site{}, err
	}
	x, err := scanSite(s.DB.QueryRow(ctx, "SELECT "+siteColumns+siteFrom+" WHERE s.id = ? AND "+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return Site{}, apperr.NotFound("site.not_found")
	}
	if err != nil {
		return Site{}, fmt.Errorf("get site %d: %w", id, err)
	}
	return s.withNames(ctx, s.DB, x)
}

// Edit returns a site to edit (id 0: none, for a new one) to someone who
// may change it: the office inside its jurisdiction, administrators.
func (s *Store) Edit(ctx context.Context, a access.Actor, id int64) (Site, error) {
	if !CanWrite(a) {
		return Site{}, apperr.Forbidden("site.forbidden")
	}
	if id == 0 {
		return Site{}, nil
	}
	x, err := s.Get(ctx, a, id)
	if err != nil {
		return Site{}, err
	}
	if !a.Manages(x.RegionCode) {
		return Site{}, apperr.Forbidden("site.outside_scope")
	}
	return x, nil
}

// ByQRToken returns the site a QR code names, with no scope check: the
// caller decides what the person scanning it may see.
func (s *Store) ByQRToken(ctx context.Context, token string) (Site, error) {
	if !tokenPattern.MatchString(token) {
		return Site{}, apperr.NotFound("site.not_found")
	}
	x, err := scanSite(s.DB.QueryRow(ctx, "SELECT "+siteColumns+siteFrom+" WHERE s.qr_token = ?", token))
	if errors.Is(err, sql.ErrNoRows) {
		return Site{}, apperr.NotFound("site.not_found")
	}
	if err != nil {
		return Site{}, fmt.Errorf("site by token: %w", err)
	}
	return s.withNames(ctx, s.DB, x)
}

func (s *Store) byID(ctx context.Context, c db.Conn, id int64) (Site, error) {
	x, err := scanSite(c.QueryRow(ctx, "SELECT "+siteColumns+siteFrom+" WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Site{}, apperr.NotFound("site.not_found")
	}
	if err != nil {
		return Site{}, fmt.Errorf("read site %d: %w", id, err)
	}
	return s.withNames(ctx, c, x)
}

// Types lists the site types for select boxes, in their order; inactive
// ones only when asked.
func (s *Store) Types(ctx context.Context, includeInactive bool) ([]Type, error) {
	types, err := framework.SiteTypeList(ctx, s.DB, includeInactive)
	if err != nil {
		return nil, err
	}
	out := make([]Type, 0, len(types))
	for _, t := range types {
		out = append(out, Type{Code: t.Code, Name: t.Name, Active: t.Active})
	}
	return out, nil
}

func (in *Input) normalize() {
	for _, p := range []*string{&in.Code, &in.Name, &in.TypeCode, &in.Geometry, &in.RegionCode, &in.Address,
		&in.SponsorLeader, &in.HeadName, &in.HeadPhone, &in.LiaisonName, &in.LiaisonPhone} {
		*p = strings.TrimSpace(*p)
	}
}

// resolved is an input after validation: the place parsed and the region
// and territorial unit settled.
type resolved struct {
	Input
	place    *Place
	region   string
	typeName string
}

// validate checks an input and settles its region; cur is the site being
// changed (nil on create). It only reads, so an import can validate every
// row inside one transaction without aborting it.
func (s *Store) validate(ctx context.Context, c db.Conn, a access.Actor, in Input, cur *Site) (resolved, error) {
	in.normalize()
	r := resolved{Input: in}
	switch {
	case in.Code != "" && !codePattern.MatchString(in.Code):
		return r, apperr.Invalid("site.code_invalid")
	case in.Name == "" || len([]rune(in.Name)) > maxName:
		return r, apperr.Invalid("site.name_invalid")
	case len([]rune(in.Address)) > maxAddress:
		return r, apperr.Invalid("site.address_too_long")
	case len([]rune(in.SponsorLeader)) > maxPerson || len([]rune(in.HeadName)) > maxPerson || len([]rune(in.LiaisonName)) > maxPerson:
		return r, apperr.Invalid("site.person_too_long")
	case in.HeadPhone != "" && !phonePattern.MatchString(in.HeadPhone),
		in.LiaisonPhone != "" && !phonePattern.MatchString(in.LiaisonPhone):
		return r, apperr.Invalid("site.phone_invalid")
	case in.TypeCode == "":
		return r, apperr.Invalid("site.type_required")
	}
	st, found, err := framework.SiteTypeByCode(ctx, c, in.TypeCode)
	if err != nil {
		return r, fmt.Errorf("check site type: %w", err)
	}
	if !found {
		return r, apperr.Invalid("site.type_unknown", in.TypeCode)
	}
	r.typeName = st.Name
	typeActive := st.Active
	// A site may keep a type the framework has since retired.
	if !typeActive && (cur == nil || cur.TypeCode != in.TypeCode) {
		return r, apperr.Invalid("site.type_inactive", r.typeName)
	}
	if in.Geometry != "" {
		p, err := ParsePlace(in.Geometry)
		if err != nil {
			return r, err
		}
		r.place = &p
		r.Geometry = p.GeoJSON
	}
	if r.place != nil && s.Locator != nil {
		code, ok, err := s.Locator.Locate(ctx, r.place.Point.Lng, r.place.Point.Lat)
		if err != nil {
			return r, fmt.Errorf("locate site: %w", err)
		}
		if ok {
			r.region = code
		}
	}
	if r.region == "" {
		if in.RegionCode == "" {
			if r.place != nil {
				return r, apperr.Invalid("site.region_not_found")
			}
			return r, apperr.Invalid("site.region_required")
		}
		r.region = in.RegionCode
	}
	if ok, err := region.Exists(ctx, c, r.region); err != nil {
		return r, fmt.Errorf("check region: %w", err)
	} else if !ok {
		return r, apperr.Invalid("site.region_unknown", r.region)
	}
	if !a.Manages(r.region) {
		return r, apperr.Forbidden("site.outside_scope")
	}
	r.RegionCode = r.region
	if r.TerritorialUnitID == 0 {
		id, err := territorialFor(ctx, c, r.region)
		if err != nil {
			return r, err
		}
		r.TerritorialUnitID = id
	}
	checks := []struct {
		id    int64
		kinds []string
		code  string
	}{
		{r.TerritorialUnitID, []string{"territorial"}, "site.territorial_unit_invalid"},
		{r.DepartmentUnitID, []string{"department"}, "site.department_unit_invalid"},
		{r.SponsorUnitID, []string{"sponsor", "department", "office", "other"}, "site.sponsor_unit_invalid"},
	}
	for i, ch := range checks {
		if ch.id == 0 {
			continue
		}
		kind, unitRegion, found, err := org.UnitKindRegion(ctx, c, ch.id)
		if err != nil {
			return r, fmt.Errorf("check unit %d: %w", ch.id, err)
		}
		if !found {
			return r, apperr.Invalid(ch.code)
		}
		ok := false
		for _, k := range ch.kinds {
			ok = ok || k == string(kind)
		}
		if !ok {
			return r, apperr.Invalid(ch.code)
		}
		// The territorial unit answers for the place: its jurisdiction
		// must hold the site's region.
		if i == 0 && !access.InSubtree(r.region, unitRegion) {
			return r, apperr.Invalid("site.territorial_unit_elsewhere")
		}
	}
	if r.Code != "" {
		var id int64
		err := c.QueryRow(ctx, "SELECT id FROM site WHERE code = ?", r.Code).Scan(&id)
		if err == nil && (cur == nil || cur.ID != id) {
			return r, apperr.Conflict("site.code_taken", r.Code)
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return r, fmt.Errorf("check site code: %w", err)
		}
	}
	return r, nil
}

// territorialFor finds the territorial unit whose jurisdiction is the
// smallest one holding region code (the community's, else the street's).
func territorialFor(ctx context.Context, c db.Conn, code string) (int64, error) {
	u, _, err := org.SmallestUnit(ctx, c, code, org.KindTerritorial, "")
	if err != nil {
		return 0, fmt.Errorf("find territorial unit: %w", err)
	}
	return u.ID, nil
}

// newToken is the random part of a site's QR URL: 128 bits.
func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("site token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// nextCode finds the first free S<district>-NNNN code for a region.
func nextCode(ctx context.Context, c db.Conn, region string, reserved map[string]bool) (string, error) {
	district := region
	if len(district) > 6 {
		district = district[:6]
	}
	prefix := "S" + district + "-"
	var n int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM site WHERE substr(code, 1, ?) = ?", len(prefix), prefix).Scan(&n); err != nil {
		return "", fmt.Errorf("count site codes: %w", err)
	}
	for i := n + 1; ; i++ {
		code := fmt.Sprintf("%s%04d", prefix, i)
		if reserved[code] {
			continue
		}
		var taken int
		if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM site WHERE code = ?", code).Scan(&taken); err != nil {
			return "", fmt.Errorf("check site code: %w", err)
		}
		if taken == 0 {
			return code, nil
		}
	}
}

func placeArgs(p *Place) []any {
	if p == nil {
		return []any{nil, nil, nil, nil, nil, nil, nil}
	}
	return []any{p.GeoJSON, p.Point.Lng, p.Point.Lat, p.BBox.MinLng, p.BBox.MinLat, p.BBox.MaxLng, p.BBox.MaxLat}
}

// insert writes a validated new site and returns its id.
func (s *Store) insert(ctx context.Context, tx *db.Tx, r resolved, reserved map[string]bool) (int64, error) {
	if r.Code == "" {
		code, err := nextCode(ctx, tx, r.region, reserved)
		if err != nil {
			return 0, err
		}
		r.Code = code
	}
	token, err := newToken()
	if err != nil {
		return 0, err
	}
	now := db.Millis(s.now())
	args := append([]any{r.Code, r.Name, r.TypeCode}, placeArgs(r.place)...)
	args = append(args, r.region, r.Address, db.NullID(r.TerritorialUnitID), db.NullID(r.DepartmentUnitID), db.NullID(r.SponsorUnitID),
		r.SponsorLeader, r.HeadName, r.HeadPhone, r.LiaisonName, r.LiaisonPhone, true, token, now, now)
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO site (code, name, type_code, geometry, lng, lat, min_lng, min_lat, max_lng, max_lat,
		region_code, address, territorial_unit_id, department_unit_id, sponsor_unit_id, sponsor_leader,
		head_name, head_phone, liaison_name, liaison_phone, active, qr_token, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&id)
	if db.IsUniqueViolation(err) {
		return 0, apperr.Conflict("site.code_taken", r.Code)
	}
	if err != nil {
		return 0, fmt.Errorf("insert site: %w", err)
	}
	return id, nil
}

// update writes a validated change; an empty code keeps the current one.
func (s *Store) update(ctx context.Context, tx *db.Tx, id int64, cur Site, r resolved) error {
	if r.Code == "" {
		r.Code = cur.Code
	}
	args := append([]any{r.Code, r.Name, r.TypeCode}, placeArgs(r.place)...)
	args = append(args, r.region, r.Address, db.NullID(r.TerritorialUnitID), db.NullID(r.DepartmentUnitID), db.NullID(r.SponsorUnitID),
		r.SponsorLeader, r.HeadName, r.HeadPhone, r.LiaisonName, r.LiaisonPhone, db.Millis(s.now()), id)
	_, err := tx.Exec(ctx, `UPDATE site SET code = ?, name = ?, type_code = ?, geometry = ?, lng = ?, lat = ?, min_lng = ?,
		min_lat = ?, max_lng = ?, max_lat = ?, region_code = ?, address = ?, territorial_unit_id = ?, department_unit_id = ?,
		sponsor_unit_id = ?, sponsor_leader = ?, head_name = ?, head_phone = ?, liaison_name = ?, liaison_phone = ?,
		updated_at = ? WHERE id = ?`, args...)
	if db.IsUniqueViolation(err) {
		return apperr.Conflict("site.code_taken", r.Code)
	}
	if err != nil {
		return fmt.Errorf("update site %d: %w", id, err)
	}
	return nil
}

// Create adds a site inside the actor's jurisdiction. Two offices creating
// a site at the same moment may pick the same generated code; the loser
// tries the next one.
func (s *Store) Create(ctx context.Context, a access.Actor, in Input) (Site, error) {
	if !CanWrite(a) {
		return Site{}, apperr.Forbidden("site.forbidden")
	}
	var id int64
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			r, err := s.validate(ctx, tx, a, in, nil)
			if err != nil {
				return err
			}
			id, err = s.insert(ctx, tx, r, nil)
			return err
		})
		var e *apperr.Error
		if strings.TrimSpace(in.Code) != "" || !errors.As(err, &e) || e.Code != "site.code_taken" {
			break
		}
	}
	if err != nil {
		return Site{}, err
	}
	return s.byID(ctx, s.DB, id)
}

// Update changes a site the actor manages; its new region must also be in
// the actor's jurisdiction.
func (s *Store) Update(ctx context.Context, a access.Actor, id int64, in Input) (Site, error) {
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := s.byID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !Sees(a, cur.RegionCode) {
			return apperr.NotFound("site.not_found")
		}
		if !a.Manages(cur.RegionCode) {
			return apperr.Forbidden("site.outside_scope")
		}
		r, err := s.validate(ctx, tx, a, in, &cur)
		if err != nil {
			return err
		}
		return s.update(ctx, tx, id, cur, r)
	})
	if err != nil {
		return Site{}, err
	}
	return s.byID(ctx, s.DB, id)
}

// SetActive takes a site out of use (停用) or back; an inactive site keeps
// its history but leaves the map and new inspection plans.
func (s *Store) SetActive(ctx context.Context, a access.Actor, id int64, active bool) error {
	return s.manage(ctx, a, id, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE site SET active = ?, updated_at = ? WHERE id = ?", active, db.Millis(s.now()), id); err != nil {
			return fmt.Errorf("set site %d active: %w", id, err)
		}
		return nil
	})
}

// manage runs change in a transaction once the actor is found to manage
// the site's area: not found when they cannot see it, forbidden when they
// can only read it.
func (s *Store) manage(ctx context.Context, a access.Actor, id int64, change func(tx *db.Tx) error) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := s.byID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !Sees(a, cur.RegionCode) {
			return apperr.NotFound("site.not_found")
		}
		if !a.Manages(cur.RegionCode) {
			return apperr.Forbidden("site.outside_scope")
		}
		return change(tx)
	})
}

// RegenerateQR gives the site a new QR token, so that codes printed before
// (a lost or copied sticker) no longer open it; only the office of its
// area may.
func (s *Store) RegenerateQR(ctx context.Context, a access.Actor, id int64) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	err = s.manage(ctx, a, id, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE site SET qr_token = ?, updated_at = ? WHERE id = ?", token, db.Millis(s.now()), id); err != nil {
			return fmt.Errorf("new QR token for site %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// OpenProblemsNear counts the open problems (not closed, rejected or
// merged) within OpenProblemRadius of the site's point; 0 for a site
// without a place.
func (s *Store) OpenProblemsNear(ctx context.Context, x Site) (int, error) {
	if !x.HasPlace {
		return 0, nil
	}
	counts, err := s.openProblems(ctx, []Site{x})
	if err != nil {
		return 0, err
	}
	return counts[x.ID], nil
}

func escapeLike(v string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(v)
}
