// Package holder keeps the responsibility holders (责任制): street chiefs
// (街长) for a road or alley — a site of type 主次干道 / 背街小巷 / 商业大街
// or a drawn line —, river chiefs (河长) for a river section, and area
// leaders (联点包片 / 分包) holding communities, streets or sites; each a
// user with a term. A holder reads the cases, inspection results and
// selections of what they hold (never acts on them through this), is
// notified when a case there escalates to red or an inspection there
// scores low, and has a monthly report card.
//
// The package owns the holder and holder_holding tables. Permission is
// decided here: the holder reads their own record while their term runs;
// the office manages the holders of its area, leaders read them.
package holder

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/selection"
	"github.com/wenming-civic/wenming/internal/site"
)

// Kinds of holder.
const (
	StreetChief = "street_chief"
	RiverChief  = "river_chief"
	AreaLeader  = "area_leader"
)

// Kinds lists the kinds in display order.
func Kinds() []string { return []string{StreetChief, RiverChief, AreaLeader} }

// Kinds of holding.
const (
	HoldRegion = "region"
	HoldSite   = "site"
	HoldLine   = "line"
)

// RoadTypes are the site types a street chief may hold.
func RoadTypes() []string { return []string{"main_road", "back_alley", "commercial_street"} }

// FlagRow is one merchant's flag of a month, as the merchant domain
// computes it (流动红旗).
type FlagRow struct {
	MerchantID   int64
	MerchantName string
	RegionCode   string
	Flag         string // red, black
}

// FlagSource gives the merchant flags of a region subtree's merchants in
// a month (YYYY-MM), each with the merchant's region code; the server
// wires the merchant domain to it.
type FlagSource interface {
	FlagsIn(ctx context.Context, regionCode, month string) ([]FlagRow, error)
}

// Store keeps the holders.
type Store struct {
	DB       *db.DB
	Problems *problem.Store
	// Picks gives the selections (评选) of the held regions.
	Picks *selection.Store
	// Flags gives the merchant flags for the report card; nil: not shown.
	Flags FlagSource
	// Threshold is the inspection score rate (0–1) below which the
	// holders of the site are told; 0 means 0.8.
	Threshold float64
	Now       func() time.Time
}

// Clock is the store's current time.
func (s *Store) Clock() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Store) threshold() float64 {
	if s.Threshold <= 0 {
		return 0.8
	}
	return s.Threshold
}

func loc() *time.Location { return calendar.Shanghai() }

// Holding is one thing a holder answers for.
type Holding struct {
	ID         int64
	Kind       string
	Name       string
	RegionCode string
	SiteID     int64
	Line       []geo.Point
	BufferM    float64
}

// Holder is a responsibility holder.
type Holder struct {
	ID         int64
	UserID     int64
	UserName   string
	Kind       string
	Title      string
	RegionCode string
	TermFrom   string
	TermTo     string
	Holdings   []Holding
}

// Active reports whether the term runs on day (YYYY-MM-DD).
func (h Holder) Active(day string) bool { return h.TermFrom <= day && day <= h.TermTo }

// Area is what the holder holds, as the ledger reads it.
func (h Holder) Area() problem.Area {
	var ar problem.Area
	for _, x := range h.Holdings {
		switch x.Kind {
		case HoldRegion:
			ar.Regions = append(ar.Regions, x.RegionCode)
		case HoldSite:
			ar.Sites = append(ar.Sites, x.SiteID)
		case HoldLine:
			ar.Lines = append(ar.Lines, problem.AreaLine{Points: x.Line, BufferM: x.BufferM})
		}
	}
	return ar
}

// hasLines reports whether any of the holders holds a drawn line.
func hasLines(hs []Holder) bool {
	for _, h := range hs {
		for _, x := range h.Holdings {
			if x.Kind == HoldLine {
				return true
			}
		}
	}
	return false
}

// boxes reads the regions' boundary boxes when a holder holds a line, so
// that its cases are read by region.
func (s *Store) boxes(ctx context.Context, hs []Holder) ([]region.Box, error) {
	if !hasLines(hs) {
		return nil, nil
	}
	return region.Boxes(ctx, s.DB)
}

// areaWith is the holder's area with each line narrowed to the regions
// around it.
func (h Holder) areaWith(boxes []region.Box) problem.Area {
	ar := h.Area()
	for i := range ar.Lines {
		ar.Lines[i].Within = problem.OverlappingRegions(boxes, problem.LineBox(ar.Lines[i]))
	}
	return ar
}

// Regions are the held regions.
func (h Holder) Regions() []string {
	var out []string
	for _, x := range h.Holdings {
		if x.Kind == HoldRegion {
			out = append(out, x.RegionCode)
		}
	}
	return out
}

// LineInput is a drawn line: GeoJSON LineString coordinates or a
// LineString geometry, and its buffer in metres (default 30).
type LineInput struct {
	Name    string
	GeoJSON string
	BufferM float64
}

// Input is a new holder.
type Input struct {
	UserID   int64
	Kind     string
	Title    string
	TermFrom string
	TermTo   string
	Regions  []string
	Sites    []int64
	Lines    []LineInput
}

func validDay(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// ParseLine reads a GeoJSON LineString (or its coordinates array).
func ParseLine(raw string) ([]geo.Point, error) {
	raw = strings.TrimSpace(raw)
	var coords [][]float64
	if strings.HasPrefix(raw, "{") {
		var g struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
			Geometry    *struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		}
		if err := json.Unmarshal([]byte(raw), &g); err != nil {
			return nil, apperr.Invalid("holder.line_invalid")
		}
		if g.Geometry != nil {
			g.Type, g.Coordinates = g.Geometry.Type, g.Geometry.Coordinates
		}
		if g.Type != "LineString" {
			return nil, apperr.Invalid("holder.line_invalid")
		}
		raw = string(g.Coordinates)
	}
	if err := json.Unmarshal([]byte(raw), &coords); err != nil || len(coords) < 2 || len(coords) > 2000 {
		return nil, apperr.Invalid("holder.line_invalid")
	}
	out := make([]geo.Point, len(coords))
	for i, c := range coords {
		if len(c) < 2 || !geo.InChina(geo.Point{Lng: c[0], Lat: c[1]}) {
			return nil, apperr.Invalid("holder.line_invalid")
		}
		out[i] = geo.Point{Lng: c[0], Lat: c[1]}
	}
	return out, nil
}

// Create appoints a holder (the office of the area).
func (s *Store) Create(ctx context.Context, a access.Actor, in Input) (int64, error) {
	if !a.IsAdmin() && !(a.Has(access.RoleOffice) && a.Region != "") {
		return 0, apperr.Forbidden("holder.forbidden")
	}
	in.Title = strings.TrimSpace(in.Title)
	switch {
	case !slices.Contains(Kinds(), in.Kind):
		return 0, apperr.Invalid("holder.kind_invalid")
	case in.Title == "" || len([]rune(in.Title)) > 60:
		return 0, apperr.Invalid("holder.title_invalid")
	case !validDay(in.TermFrom) || !validDay(in.TermTo) || in.TermTo < in.TermFrom:
		return 0, apperr.Invalid("holder.term_invalid")
	case len(in.Regions)+len(in.Sites)+len(in.Lines) == 0:
		return 0, apperr.Invalid("holder.nothing_held")
	case in.Kind == RiverChief && (len(in.Lines) == 0 || len(in.Regions)+len(in.Sites) > 0):
		return 0, apperr.Invalid("holder.river_needs_line")
	case in.Kind == StreetChief && len(in.Regions) > 0:
		return 0, apperr.Invalid("holder.street_needs_road")
	}
	// The holder belongs to the appointing office's area; an
	// administrator's (who has none) is the area of the first holding.
	owner := a.Region
	if owner == "" && len(in.Regions) > 0 {
		owner = strings.TrimSpace(in.Regions[0])
	}
	var holdings []Holding
	for _, code := range in.Regions {
		code = strings.TrimSpace(code)
		ok, err := region.Exists(ctx, s.DB, code)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, apperr.Invalid("holder.region_unknown", code)
		}
		if !a.Manages(code) {
			return 0, apperr.Forbidden("holder.outside_area")
		}
		names, err := region.Names(ctx, s.DB, []string{code})
		if err != nil {
			return 0, err
		}
		holdings = append(holdings, Holding{Kind: HoldRegion, RegionCode: code, Name: names[code]})
	}
	if len(in.Sites) > 0 {
		basics, err := site.Basics(ctx, s.DB, in.Sites)
		if err != nil {
			return 0, err
		}
		for _, id := range in.Sites {
			b, ok := basics[id]
			if !ok {
				return 0, apperr.Invalid("holder.site_unknown")
			}
			if !a.Manages(b.RegionCode) {
				return 0, apperr.Forbidden("holder.outside_area")
			}
			if in.Kind == StreetChief && !slices.Contains(RoadTypes(), b.TypeCode) {
				return 0, apperr.Invalid("holder.site_not_road", b.Name)
			}
			holdings = append(holdings, Holding{Kind: HoldSite, SiteID: id, Name: b.Name, RegionCode: b.RegionCode})
		}
	}
	if owner == "" && len(holdings) > 0 {
		owner = holdings[0].RegionCode
	}
	if owner == "" {
		return 0, apperr.Invalid("holder.region_required")
	}
	for _, l := range in.Lines {
		pts, err := ParseLine(l.GeoJSON)
		if err != nil {
			return 0, err
		}
		if l.BufferM <= 0 {
			l.BufferM = 30
		}
		if l.BufferM > 500 {
			return 0, apperr.Invalid("holder.buffer_invalid")
		}
		holdings = append(holdings, Holding{Kind: HoldLine, Name: strings.TrimSpace(l.Name), Line: pts, BufferM: l.BufferM})
	}
	names, err := org.DisplayNames(ctx, s.DB, []int64{in.UserID})
	if err != nil {
		return 0, err
	}
	if _, ok := names[in.UserID]; !ok {
		return 0, apperr.Invalid("holder.user_unknown")
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO holder (user_id, kind, title, region_code, term_from, term_to, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.UserID, in.Kind, in.Title, owner, in.TermFrom, in.TermTo,
			db.NullID(a.UserID), db.Millis(s.Clock())).Scan(&id); err != nil {
			return fmt.Errorf("create holder: %w", err)
		}
		return insertHoldings(ctx, tx, id, holdings)
	})
	return id, err
}

func insertHoldings(ctx context.Context, c db.Conn, id int64, hs []Holding) error {
	for _, h := range hs {
		var line string
		var b geo.BBox
		if h.Kind == HoldLine {
			pairs := make([][2]float64, len(h.Line))
			for i, p := range h.Line {
				pairs[i] = [2]float64{p.Lng, p.Lat}
			}
			raw, _ := json.Marshal(pairs)
			line = string(raw)
			b = lineBox(h.Line, h.BufferM)
		}
		if _, err := c.Exec(ctx, `INSERT INTO holder_holding (holder_id, kind, name, region_code, site_id, line, buffer_m, min_lng, min_lat, max_lng, max_lat)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, h.Kind, h.Name, h.RegionCode, h.SiteID, line, h.BufferM,
			b.MinLng, b.MinLat, b.MaxLng, b.MaxLat); err != nil {
			return fmt.Errorf("holding: %w", err)
		}
	}
	return nil
}

func lineBox(pts []geo.Point, bufferM float64) geo.BBox {
	b := geo.BBox{MinLng: math.Inf(1), MinLat: math.Inf(1), MaxLng: math.Inf(-1), MaxLat: math.Inf(-1)}
	for _, p := range pts {
		b.MinLng, b.MaxLng = math.Min(b.MinLng, p.Lng), math.Max(b.MaxLng, p.Lng)
		b.MinLat, b.MaxLat = math.Min(b.MinLat, p.Lat), math.Max(b.MaxLat, p.Lat)
	}
	dLat := bufferM / 111320
	dLng := bufferM / (111320 * math.Max(0.1, math.Cos((b.MinLat+b.MaxLat)/2*math.Pi/180)))
	return geo.BBox{MinLng: b.MinLng - dLng, MinLat: b.MinLat - dLat, MaxLng: b.MaxLng + dLng, MaxLat: b.MaxLat + dLat}
}

const holderCols = "h.id, h.user_id, h.kind, h.title, h.region_code, h.term_from, h.term_to FROM holder h"

func (s *Store) load(ctx context.Context, c db.Conn, where string, args ...any) ([]Holder, error) {
	rows, err := c.Query(ctx, "SELECT "+holderCols+" WHERE "+where, args...)
	hs, err := db.Collect(rows, err, func(r *sql.Rows) (Holder, error) {
		var h Holder
		return h, r.Scan(&h.ID, &h.UserID, &h.Kind, &h.Title, &h.RegionCode, &h.TermFrom, &h.TermTo)
	})
	if err != nil {
		return nil, fmt.Errorf("holders: %w", err)
	}
	if len(hs) == 0 {
		return hs, nil
	}
	idx := map[int64]int{}
	ids := make([]int64, len(hs))
	users := make([]int64, len(hs))
	for i, h := range hs {
		idx[h.ID], ids[i], users[i] = i, h.ID, h.UserID
	}
	type row struct {
		holder int64
		Holding
	}
	holdings, err := db.CollectIn(ctx, c, `SELECT holder_id, id, kind, name, region_code, site_id, line, buffer_m FROM holder_holding
		WHERE holder_id IN (`+db.ListMarker+") ORDER BY holder_id, id", ids, func(r *sql.Rows) (row, error) {
		var x row
		var line string
		if err := r.Scan(&x.holder, &x.ID, &x.Kind, &x.Name, &x.RegionCode, &x.SiteID, &line, &x.BufferM); err != nil {
			return x, err
		}
		if line != "" {
			var pairs [][2]float64
			if err := json.Unmarshal([]byte(line), &pairs); err != nil {
				return x, fmt.Errorf("holding %d line: %w", x.ID, err)
			}
			for _, p := range pairs {
				x.Line = append(x.Line, geo.Point{Lng: p[0], Lat: p[1]})
			}
		}
		return x, nil
	})
	if err != nil {
		return nil, fmt.Errorf("holdings: %w", err)
	}
	for _, x := range holdings {
		hs[idx[x.holder]].Holdings = append(hs[idx[x.holder]].Holdings, x.Holding)
	}
	names, err := org.DisplayNames(ctx, c, users)
	if err != nil {
		return nil, err
	}
	for i := range hs {
		hs[i].UserName = names[hs[i].UserID]
	}
	return hs, nil
}

func (s *Store) today() string { return s.Clock().In(loc()).Format("2006-01-02") }

// Get returns a holder for the holder themselves while the term runs, or
// for the office and leaders of the area; anyone else finds nothing.
func (s *Store) Get(ctx context.Context, a access.Actor, id int64) (Holder, error) {
	hs, err := s.load(ctx, s.DB, "h.id = ?", id)
	if err != nil {
		return Holder{}, err
	}
	if len(hs) == 0 || !s.sees(a, hs[0]) {
		return Holder{}, apperr.NotFound("holder.not_found")
	}
	return hs[0], nil
}

func (s *Store) sees(a access.Actor, h Holder) bool {
	if a.UserID != 0 && a.UserID == h.UserID {
		return h.Active(s.today())
	}
	return a.Oversees(h.RegionCode)
}

// Manages reports whether the actor manages the holders (the office).
func Manages(a access.Actor) bool { return a.IsAdmin() || a.Has(access.RoleOffice) && a.Region != "" }

// Mine lists the actor's own holdings whose term runs today.
func (s *Store) Mine(ctx context.Context, a access.Actor) ([]Holder, error) {
	if !a.SignedIn() {
		return nil, nil
	}
	today := s.today()
	return s.load(ctx, s.DB, "h.user_id = ? AND h.term_from <= ? AND h.term_to >= ? ORDER BY h.id", a.UserID, today, today)
}

// List lists the holders of the actor's area (office, leaders).
func (s *Store) List(ctx context.Context, a access.Actor) ([]Holder, error) {
	if a.IsAdmin() {
		return s.load(ctx, s.DB, "1 = 1 ORDER BY h.kind, h.id")
	}
	if !a.Oversees(a.Region) {
		return nil, apperr.Forbidden("holder.forbidden")
	}
	cond, args := region.SubtreeSQL("h.region_code", a.Region)
	return s.load(ctx, s.DB, cond+" ORDER BY h.kind, h.id", args...)
}

// CaseFilter narrows a holder's cases.
type CaseFilter struct {
	Region      string // within the holding; a region outside gives nothing
	OverdueOnly bool
	Limit       int
}

// Cases lists the cases of what the holder holds, read-only; a region
// outside the holding gives nothing.
func (s *Store) Cases(ctx context.Context, a access.Actor, id int64, f CaseFilter) ([]*problem.Case, error) {
	h, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 100
	}
	limit := f.Limit
	if f.Region != "" {
		limit = 200
	}
	boxes, err := s.boxes(ctx, []Holder{h})
	if err != nil {
		return nil, err
	}
	cases, err := s.Problems.AreaCases(ctx, h.areaWith(boxes), f.OverdueOnly, limit)
	if err != nil {
		return nil, err
	}
	if f.Region == "" {
		return cases, nil
	}
	var out []*problem.Case
	for _, c := range cases {
		if strings.HasPrefix(c.RegionCode, f.Region) && len(out) < f.Limit {
			out = append(out, c)
		}
	}
	return out, nil
}

// Score is one inspection result of a held site.
type Score struct {
	SiteID   int64
	SiteName string
	Rate     float64 // 0–1
}

// Inspections lists the published inspection scores of the holder's sites
// (held sites, and the sites in held regions) in [from, to).
func (s *Store) Inspections(ctx context.Context, a access.Actor, id int64, from, to time.Time) ([]Score, error) {
	h, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	scores, err := inspect.PublishedScores(ctx, s.DB, from, to)
	if err != nil {
		return nil, err
	}
	var out []Score
	var ids []int64
	for _, x := range scores {
		if holdsSite(h, x.SiteID, x.RegionCode) {
			out = append(out, Score{SiteID: x.SiteID, Rate: x.Rate})
			ids = append(ids, x.SiteID)
		}
	}
	basics, err := site.Basics(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].SiteName = basics[out[i].SiteID].Name
	}
	return out, nil
}

func holdsSite(h Holder, siteID int64, regionCode string) bool {
	for _, x := range h.Holdings {
		switch {
		case x.Kind == HoldSite && x.SiteID == siteID:
			return true
		case x.Kind == HoldRegion && regionCode != "" && strings.HasPrefix(regionCode, x.RegionCode):
			return true
		}
	}
	return false
}

// Selections lists the nominations of candidates in the held regions.
func (s *Store) Selections(ctx context.Context, a access.Actor, id int64) ([]selection.Nomination, error) {
	h, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if s.Picks == nil {
		return nil, nil
	}
	return s.Picks.InAreas(ctx, h.Regions(), 100)
}

// holdersAt lists the active holders holding a place: a region (the
// case's or site's), a site, or a point near one of their lines.
func (s *Store) holdersAt(ctx context.Context, c db.Conn, regionCode string, siteID int64, p geo.Point, hasPlace bool) ([]Holder, error) {
	today := s.today()
	q := `SELECT DISTINCT holder_id FROM holder_holding WHERE (kind = 'region' AND region_code <> '' AND substr(CAST(? AS TEXT), 1, length(region_code)) = region_code)
		OR (kind = 'site' AND site_id = ? AND site_id <> 0)`
	args := []any{regionCode, siteID}
	if hasPlace {
		q += " OR (kind = 'line' AND min_lng <= ? AND max_lng >= ? AND min_lat <= ? AND max_lat >= ?)"
		args = append(args, p.Lng, p.Lng, p.Lat, p.Lat)
	}
	ids, err := db.Int64s(ctx, c, q, args...)
	if err != nil {
		return nil, fmt.Errorf("holders at: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	hs, err := s.load(ctx, c, "h.id IN ("+db.Placeholders(len(ids))+") ORDER BY h.id", int64sAny(ids)...)
	if err != nil {
		return nil, err
	}
	var out []Holder
	for _, h := range hs {
		if !h.Active(today) {
			continue
		}
		ar := h.Area()
		if holdsSite(h, siteID, regionCode) || hasPlace && nearAny(ar, p) {
			out = append(out, h)
		}
	}
	return out, nil
}

func nearAny(ar problem.Area, p geo.Point) bool {
	for _, l := range ar.Lines {
		if problem.NearLine(l, p) {
			return true
		}
	}
	return false
}

func int64sAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
