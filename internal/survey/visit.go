package survey

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
)

// Outcome is what a visit found.
type Outcome string

// The outcomes of a visit.
const (
	Completed  Outcome = "completed"  // interviewed (recorded by the interview)
	Refused    Outcome = "refused"    // 拒访: a reason is required
	Absent     Outcome = "absent"     // 无人在家
	Ineligible Outcome = "ineligible" // 不符合条件
	Vacant     Outcome = "vacant"     // 空置
)

// Outcomes lists the outcomes a visit may record by hand.
func Outcomes() []Outcome { return []Outcome{Refused, Absent, Ineligible, Vacant} }

// Valid reports whether o may be recorded by hand.
func (o Outcome) Valid() bool {
	for _, x := range Outcomes() {
		if x == o {
			return true
		}
	}
	return false
}

// Key is the catalogue key of the outcome's name.
func (o Outcome) Key() string { return "survey.outcome." + string(o) }

// FarMeters is how far from the community a visit may be recorded before
// the page warns.
const FarMeters = 300

// Visit is one visit of a household.
type Visit struct {
	ID          int64
	Outcome     Outcome
	Reason      string
	At          time.Time
	DistanceM   float64
	HasDistance bool
	Repeat      bool
	// Released is the reserve household the visit released, if any.
	Released int64
}

// Far reports whether the visit was recorded far from the community.
func (v Visit) Far() bool { return v.HasDistance && v.DistanceM > FarMeters }

// SampleHousehold is a household of a round as its interviewer sees it.
type SampleHousehold struct {
	ID            int64
	RoundID       int64
	Household     Household // masked
	Community     string
	CommunityName string
	Order         int
	Reserve       bool
	Status        string
	Visits        []Visit
	InterviewID   int64
	InterviewOK   string // the interview's state
}

// Final reports whether no more visits are due.
func (h SampleHousehold) Final() bool { return h.Status != "pending" && h.Status != string(Absent) }

type sampleRow struct {
	id, round, household int64
	community            string
	order                int
	reserve, released    bool
	status               string
	visits               int
}

func (s *Store) sample(ctx context.Context, c db.Conn, id int64) (sampleRow, error) {
	var x sampleRow
	err := c.QueryRow(ctx, `SELECT id, round_id, household_id, community_code, draw_order, reserve, released, status, visits
		FROM survey_sample WHERE id = ?`, id).Scan(&x.id, &x.round, &x.household, &x.community, &x.order, &x.reserve, &x.released,
		&x.status, &x.visits)
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.NotFound("survey.sample_not_found")
	}
	if err != nil {
		return x, fmt.Errorf("sample: %w", err)
	}
	return x, nil
}

// dealtTo checks that a sample is released and dealt to the actor in an
// open round, and returns the round.
func (s *Store) dealtTo(ctx context.Context, a access.Actor, x sampleRow) (Round, error) {
	r, err := s.roundHead(ctx, s.DB, x.round)
	if err != nil {
		return r, err
	}
	var who sql.NullInt64
	err = s.DB.QueryRow(ctx, "SELECT interviewer_id FROM survey_round_community WHERE round_id = ? AND community_code = ?",
		x.round, x.community).Scan(&who)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("round community: %w", err)
	}
	if err != nil || !who.Valid || who.Int64 != a.UserID || a.UserID == 0 || !x.released {
		return r, apperr.Forbidden("survey.not_dealt_to_you")
	}
	if !r.Open() {
		return r, apperr.Conflict("survey.round_closed")
	}
	return r, nil
}

// MyHouseholds lists the households of a round dealt to the actor, with
// their visits: an interviewer sees the address and a masked name only.
func (s *Store) MyHouseholds(ctx context.Context, a access.Actor, round int64) (Round, []SampleHousehold, error) {
	r, err := s.Round(ctx, a, round)
	if err != nil {
		return r, nil, err
	}
	var mine []string
	names := map[string]string{}
	for _, c := range r.Communities {
		if c.InterviewerID == a.UserID && a.UserID != 0 {
			mine = append(mine, c.Code)
			names[c.Code] = c.Name
		}
	}
	if len(mine) == 0 {
		return r, nil, nil
	}
	rows, err := db.CollectIn(ctx, s.DB, `SELECT x.id, x.draw_order, x.reserve, x.status, x.community_code, h.id, h.building, h.unit_no,
		h.room, h.address, h.head_name, COALESCE(i.id, 0), COALESCE(i.state, '') FROM survey_sample x
		JOIN survey_household h ON h.id = x.household_id LEFT JOIN survey_interview i ON i.sample_id = x.id
		WHERE x.round_id = `+fmt.Sprint(round)+` AND x.released = TRUE AND x.community_code IN (`+db.ListMarker+`)`, mine,
		func(q *sql.Rows) (SampleHousehold, error) {
			var h SampleHousehold
			err := q.Scan(&h.ID, &h.Order, &h.Reserve, &h.Status, &h.Community, &h.Household.ID, &h.Household.Building,
				&h.Household.UnitNo, &h.Household.Room, &h.Household.Address, &h.Household.HeadName, &h.InterviewID, &h.InterviewOK)
			return h, err
		})
	if err != nil {
		return r, nil, fmt.Errorf("my households: %w", err)
	}
	ids := make([]int64, len(rows))
	for i := range rows {
		rows[i].RoundID = round
		rows[i].CommunityName = names[rows[i].Community]
		rows[i].Household.Community = rows[i].Community
		rows[i].Household.HeadName = MaskName(rows[i].Household.HeadName)
		rows[i].Household.Masked = true
		ids[i] = rows[i].ID
	}
	visits, err := s.visitsOf(ctx, ids)
	if err != nil {
		return r, nil, err
	}
	for i := range rows {
		rows[i].Visits = visits[rows[i].ID]
	}
	sortHouseholds(rows)
	return r, rows, nil
}

// sortHouseholds puts those with visits due first, then by community and
// draw order.
func sortHouseholds(rows []SampleHousehold) {
	due := func(h SampleHousehold) int {
		if h.Final() {
			return 1
		}
		return 0
	}
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0; j-- {
			a, b := rows[j-1], rows[j]
			less := due(b) < due(a) || due(b) == due(a) && (b.Community < a.Community || b.Community == a.Community && b.Order < a.Order)
			if !less {
				break
			}
			rows[j-1], rows[j] = b, a
		}
	}
}

func (s *Store) visitsOf(ctx context.Context, samples []int64) (map[int64][]Visit, error) {
	type row struct {
		sample int64
		v      Visit
	}
	list, err := db.CollectIn(ctx, s.DB, `SELECT sample_id, id, outcome, reason, at, distance_m FROM survey_visit
		WHERE sample_id IN (`+db.ListMarker+`) ORDER BY at, id`, samples, func(q *sql.Rows) (row, error) {
		var x row
		var at int64
		var d sql.NullFloat64
		err := q.Scan(&x.sample, &x.v.ID, &x.v.Outcome, &x.v.Reason, &at, &d)
		x.v.At, x.v.DistanceM, x.v.HasDistance = db.FromMillis(at), d.Float64, d.Valid
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("visits: %w", err)
	}
	out := map[int64][]Visit{}
	for _, x := range list {
		out[x.sample] = append(out[x.sample], x.v)
	}
	return out, nil
}

// SampleFor returns one household dealt to the actor, with its visits.
func (s *Store) SampleFor(ctx context.Context, a access.Actor, sampleID int64) (Round, SampleHousehold, error) {
	x, err := s.sample(ctx, s.DB, sampleID)
	if err != nil {
		return Round{}, SampleHousehold{}, err
	}
	var who sql.NullInt64
	err = s.DB.QueryRow(ctx, "SELECT interviewer_id FROM survey_round_community WHERE round_id = ? AND community_code = ?",
		x.round, x.community).Scan(&who)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Round{}, SampleHousehold{}, fmt.Errorf("round community: %w", err)
	}
	if err != nil || !who.Valid || who.Int64 != a.UserID || a.UserID == 0 || !x.released {
		return Round{}, SampleHousehold{}, apperr.NotFound("survey.sample_not_found")
	}
	r, err := s.round(ctx, x.round)
	if err != nil {
		return r, SampleHousehold{}, err
	}
	hh, err := s.household(ctx, x.household)
	if err != nil {
		return r, SampleHousehold{}, err
	}
	h := SampleHousehold{ID: x.id, RoundID: x.round, Household: hh.mask(), Community: x.community, Order: x.order, Reserve: x.reserve,
		Status: x.status}
	for _, c := range r.Communities {
		if c.Code == x.community {
			h.CommunityName = c.Name
		}
	}
	visits, err := s.visitsOf(ctx, []int64{x.id})
	if err != nil {
		return r, h, err
	}
	h.Visits = visits[x.id]
	err = s.DB.QueryRow(ctx, "SELECT id, state FROM survey_interview WHERE sample_id = ?", x.id).Scan(&h.InterviewID, &h.InterviewOK)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return r, h, fmt.Errorf("interview of sample: %w", err)
	}
	return r, h, nil
}

// VisitInput is a visit recorded by hand.
type VisitInput struct {
	SampleID int64
	ClientID string
	Outcome  Outcome
	Reason   string
	Lng, Lat float64
	HasPlace bool
}

func validClientID(id string) bool { return len(id) >= 8 && len(id) <= 64 }

// RecordVisit records a visit that found nobody to interview: a refusal
// (with its reason) or an ineligible or vacant household releases the
// community's next reserve household at once, nobody home does so at the
// round's limit of visits. The same client id again is the same visit.
func (s *Store) RecordVisit(ctx context.Context, a access.Actor, in VisitInput) (Visit, error) {
	in.ClientID = strings.TrimSpace(in.ClientID)
	in.Reason = strings.TrimSpace(in.Reason)
	if !validClientID(in.ClientID) {
		return Visit{}, apperr.Invalid("survey.client_id_invalid")
	}
	if v, err := s.visitByClient(ctx, in.ClientID); err == nil {
		v.Repeat = true
		return v, nil
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return Visit{}, err
	}
	if !in.Outcome.Valid() {
		return Visit{}, apperr.Invalid("survey.outcome_invalid")
	}
	if in.Outcome == Refused && in.Reason == "" {
		return Visit{}, apperr.Invalid("survey.refusal_needs_reason")
	}
	if utf8.RuneCountInString(in.Reason) > 200 {
		return Visit{}, apperr.Invalid("survey.reason_too_long")
	}
	x, err := s.sample(ctx, s.DB, in.SampleID)
	if err != nil {
		return Visit{}, err
	}
	r, err := s.dealtTo(ctx, a, x)
	if err != nil {
		return Visit{}, err
	}
	v := Visit{Outcome: in.Outcome, Reason: in.Reason, At: s.now()}
	if in.HasPlace {
		v.DistanceM, v.HasDistance = s.distance(ctx, x.community, geo.Point{Lng: in.Lng, Lat: in.Lat})
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var status string
		var visits int
		if err := tx.QueryRow(ctx, "SELECT status, visits FROM survey_sample WHERE id = ?"+tx.ForUpdate(), x.id).Scan(&status, &visits); err != nil {
			return fmt.Errorf("sample: %w", err)
		}
		if status != "pending" && status != string(Absent) {
			return apperr.Conflict("survey.household_done")
		}
		var err error
		if v.ID, err = insertVisit(ctx, tx, x.id, a.UserID, in.ClientID, v, in); err != nil {
			return err
		}
		absents := 0
		if in.Outcome == Absent {
			if absents, err = db.Count(ctx, tx, "SELECT COUNT(*) FROM survey_visit WHERE sample_id = ? AND outcome = ?", x.id, string(Absent)); err != nil {
				return err
			}
		}
		var wasRefused bool
		if err := tx.QueryRow(ctx, "SELECT refused FROM survey_sample WHERE id = ?", x.id).Scan(&wasRefused); err != nil {
			return fmt.Errorf("sample: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE survey_sample SET status = ?, visits = visits + 1, refused = ? WHERE id = ?",
			string(in.Outcome), wasRefused || in.Outcome == Refused, x.id); err != nil {
			return fmt.Errorf("sample status: %w", err)
		}
		deltas := map[string]int{}
		if visits == 0 {
			deltas["visited"] = 1
		}
		if in.Outcome == Refused && !wasRefused {
			deltas["refused"] = 1
		}
		if err := count(ctx, tx, x.round, x.community, deltas); err != nil {
			return err
		}
		if in.Outcome != Absent || absents >= r.MaxAbsent {
			if v.Released, err = releaseReserve(ctx, tx, x.round, x.community); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Visit{}, err
	}
	return v, nil
}

func insertVisit(ctx context.Context, tx *db.Tx, sample, interviewer int64, clientID string, v Visit, in VisitInput) (int64, error) {
	var dist any
	if v.HasDistance {
		dist = v.DistanceM
	}
	var lng, lat any
	if in.HasPlace {
		lng, lat = in.Lng, in.Lat
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO survey_visit (sample_id, interviewer_id, client_id, outcome, reason, at, lng, lat, distance_m)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, sample, interviewer, clientID, string(v.Outcome), v.Reason, db.Millis(v.At),
		lng, lat, dist).Scan(&id)
	if db.IsUniqueViolation(err) {
		return 0, apperr.Conflict("survey.client_id_taken")
	}
	if err != nil {
		return 0, fmt.Errorf("insert visit: %w", err)
	}
	return id, nil
}

// releaseReserve releases the community's next reserve household in draw
// order; 0 when none is left.
func releaseReserve(ctx context.Context, tx *db.Tx, round int64, community string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM survey_sample WHERE round_id = ? AND community_code = ? AND reserve = TRUE AND released = FALSE
		ORDER BY draw_order LIMIT 1`, round, community).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("next reserve: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE survey_sample SET released = TRUE WHERE id = ?", id); err != nil {
		return 0, fmt.Errorf("release reserve: %w", err)
	}
	return id, count(ctx, tx, round, community, map[string]int{"sampled": 1})
}

func (s *Store) visitByClient(ctx context.Context, clientID string) (Visit, error) {
	var v Visit
	var at int64
	var d sql.NullFloat64
	err := s.DB.QueryRow(ctx, "SELECT id, outcome, reason, at, distance_m FROM survey_visit WHERE client_id = ?", clientID).
		Scan(&v.ID, &v.Outcome, &v.Reason, &at, &d)
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.NotFound("survey.visit_not_found")
	}
	if err != nil {
		return v, fmt.Errorf("visit: %w", err)
	}
	v.At, v.DistanceM, v.HasDistance = db.FromMillis(at), d.Float64, d.Valid
	return v, nil
}

// distance is how far p lies outside the community's drawn boundary (0
// inside it); false when the community has no boundary.
func (s *Store) distance(ctx context.Context, community string, p geo.Point) (float64, bool) {
	rs := &region.Store{DB: s.DB}
	reg, err := rs.Get(ctx, community)
	if err != nil || reg.Boundary == "" {
		return 0, false
	}
	mp, err := geo.ParseGeoJSON([]byte(reg.Boundary))
	if err != nil || len(mp) == 0 {
		return 0, false
	}
	if mp.Contains(p) {
		return 0, true
	}
	best := math.Inf(1)
	for _, pg := range mp {
		for _, ring := range pg {
			for i := range ring {
				a, b := ring[i], ring[(i+1)%len(ring)]
				best = math.Min(best, segmentDistance(p, a, b))
			}
		}
	}
	return best, !math.IsInf(best, 1)
}

// segmentDistance is the distance in metres from p to the segment a–b, on
// a local flat projection (fine at a community's scale).
func segmentDistance(p, a, b geo.Point) float64 {
	k := math.Cos(p.Lat * math.Pi / 180)
	ax, ay := (a.Lng-p.Lng)*k, a.Lat-p.Lat
	bx, by := (b.Lng-p.Lng)*k, b.Lat-p.Lat
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	}
	cx, cy := ax+t*dx, ay+t*dy
	return geo.DistanceMeters(geo.Point{Lng: p.Lng, Lat: p.Lat}, geo.Point{Lng: p.Lng + cx/k, Lat: p.Lat + cy})
}
