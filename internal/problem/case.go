package problem

import (
	"database/sql"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
)

// Source says how a problem reached the ledger; every case records one.
type Source string

// The sources.
const (
	SourceCitizen    Source = "citizen"    // public form, no account
	SourceSnapshot   Source = "snapshot"   // 随手拍 by a signed-in user
	SourceInspection Source = "inspection" // 督导检查
	SourceHotline    Source = "hotline"    // 12345
	SourceMedia      Source = "media"      // 媒体曝光
	SourceSuperior   Source = "superior"   // 上级交办
	SourceAPI        Source = "api"        // an integration
	SourceCamera     Source = "camera"     // 视频监控
	SourceSurvey     Source = "survey"     // 入户调查: a respondent's complaint, with consent
	SourceOther      Source = "other"
)

// Sources lists the sources in display order.
func Sources() []Source {
	return []Source{SourceSnapshot, SourceInspection, SourceCitizen, SourceHotline, SourceMedia, SourceSuperior, SourceCamera, SourceSurvey, SourceAPI, SourceOther}
}

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	for _, x := range Sources() {
		if x == s {
			return true
		}
	}
	return false
}

// Key is the catalogue key of the source's name.
func (s Source) Key() string { return "problem.source." + string(s) }

// Case is one problem in the ledger.
type Case struct {
	ID                   int64
	Code                 string
	Source               Source
	CategoryID           int64
	CategoryName         string
	Description          string
	Address              string
	Lng, Lat             float64
	HasPlace             bool
	RegionCode           string
	RegionName           string
	State                State
	UnitID               int64
	UnitName             string
	RouteNote            string
	ReporterID           int64
	ReporterName         string
	ReporterPhone        string
	DuplicateOf          int64
	LimitAmount          int
	LimitUnit            string
	Deadline             time.Time
	ReportedAt           time.Time
	FiledAt              time.Time
	DispatchedAt         time.Time
	AcceptedAt           time.Time
	RectifiedAt          time.Time
	ClosedAt             time.Time
	ParkedUntil          time.Time
	ParkPlan             string
	ExtRequestedDeadline time.Time
	ExtReason            string
	ReworkCount          int
	ReturnCount          int
	ExtensionCount       int
	EscalationLevel      int
	RectifiedBy          int64
	SiteID               int64
	VerifyPasses         int             // verifications passed (the failed ones are ReworkCount)
	Held                 bool            // found in a covert round not yet published: no moves until it is
	HandlingHours        sql.NullFloat64 // working hours from dispatch to rectification
	Falsified            bool            // the office found the rectification falsified
	UnjustifiedReturns   int             // of its returns, those the office judged unjustified
	returners            string          // the units that returned it (the tally reads them)
	Version              int
	UpdatedAt            time.Time
}

// Overdue is derived, never stored: an open case past its deadline.
func (c *Case) Overdue(now time.Time) bool {
	return c.State.Open() && !c.Deadline.IsZero() && c.Deadline.Before(now)
}

const caseColumns = `p.id, p.code, p.source, COALESCE(p.category_id, 0), p.description, p.address,
	p.lng, p.lat, COALESCE(p.region_code, ''), p.state, COALESCE(p.unit_id, 0),
	p.route_note, COALESCE(p.reporter_id, 0), p.reporter_name, p.reporter_phone, COALESCE(p.duplicate_of, 0),
	p.limit_amount, p.limit_unit, p.deadline, p.reported_at, p.filed_at, p.dispatched_at, p.accepted_at, p.rectified_at,
	p.closed_at, p.parked_until, p.park_plan, p.ext_requested_deadline, p.ext_reason, p.rework_count, p.return_count,
	p.extension_count, p.escalation_level, COALESCE(p.rectified_by, 0), COALESCE(p.site_id, 0), p.verify_passes, p.handling_hours, p.falsified, p.unjustified_returns, COALESCE(p.returners, ''),
	p.held, p.version, p.updated_at`

// caseFrom reads cases alone; withNames adds the names their owners keep.
const caseFrom = ` FROM problem p`

func scanCase(sc interface{ Scan(...any) error }) (*Case, error) {
	var c Case
	var lng, lat sql.NullFloat64
	var deadline, filed, dispatched, accepted, rectified, closed, parked, extReq sql.NullInt64
	var reported, updated int64
	err := sc.Scan(&c.ID, &c.Code, &c.Source, &c.CategoryID, &c.Description, &c.Address,
		&lng, &lat, &c.RegionCode, &c.State, &c.UnitID,
		&c.RouteNote, &c.ReporterID, &c.ReporterName, &c.ReporterPhone, &c.DuplicateOf,
		&c.LimitAmount, &c.LimitUnit, &deadline, &reported, &filed, &dispatched, &accepted, &rectified,
		&closed, &parked, &c.ParkPlan, &extReq, &c.ExtReason, &c.ReworkCount, &c.ReturnCount,
		&c.ExtensionCount, &c.EscalationLevel, &c.RectifiedBy, &c.SiteID, &c.VerifyPasses, &c.HandlingHours, &c.Falsified, &c.UnjustifiedReturns, &c.returners,
		&c.Held, &c.Version, &updated)
	if err != nil {
		return nil, err
	}
	c.Lng, c.Lat, c.HasPlace = lng.Float64, lat.Float64, lng.Valid && lat.Valid
	c.Deadline, c.FiledAt, c.DispatchedAt = db.FromNullMillis(deadline), db.FromNullMillis(filed), db.FromNullMillis(dispatched)
	c.AcceptedAt, c.RectifiedAt, c.ClosedAt = db.FromNullMillis(accepted), db.FromNullMillis(rectified), db.FromNullMillis(closed)
	c.ParkedUntil, c.ExtRequestedDeadline = db.FromNullMillis(parked), db.FromNullMillis(extReq)
	c.ReportedAt, c.UpdatedAt = db.FromMillis(reported), db.FromMillis(updated)
	return &c, nil
}

// Event is one entry of a case's timeline.
type Event struct {
	ID        int64
	At        time.Time
	ActorID   int64
	ActorName string
	Action    Action
	From, To  State
	Note      string
	Data      EventData
	Photos    []EventPhoto
}

// EventData holds the details an action records.
type EventData struct {
	UnitID      int64  `json:"unit_id,omitempty"`
	UnitName    string `json:"unit_name,omitempty"`
	RouteNote   string `json:"route_note,omitempty"`
	Deadline    int64  `json:"deadline,omitempty"` // unix ms
	DuplicateOf int64  `json:"duplicate_of,omitempty"`
	CategoryID  int64  `json:"category_id,omitempty"`
	Level       int    `json:"level,omitempty"`
	Rating      string `json:"rating,omitempty"`       // feedback: the reporter's answer
	ReopenAsked bool   `json:"reopen_asked,omitempty"` // feedback: 不满意, asking the office to reopen
}

// EventPhoto is a photo attached to an event.
type EventPhoto struct {
	Hash string
	Role string // before, after, evidence
}
