package workplan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// WorkState is the state of a work report (信息报送).
type WorkState string

// The states of a work report.
const (
	WorkSubmitted WorkState = "submitted" // 待处理
	WorkAdopted   WorkState = "adopted"   // 已采用
	WorkReturned  WorkState = "returned"  // 已退回
)

// Key is the catalogue key of the state's name.
func (st WorkState) Key() string { return "workplan.work_state." + string(st) }

// Tone is the badge class the state is shown with.
func (st WorkState) Tone() string {
	switch st {
	case WorkAdopted:
		return "ok"
	case WorkReturned:
		return "red"
	}
	return "warn"
}

// WorkReport is a short report a unit sends the office: what it did, with
// photos; the office adopts it (采用), marks it a highlight (亮点) or
// returns it.
type WorkReport struct {
	ID           int64
	UnitID       int64
	UnitName     string
	AuthorName   string
	Title        string
	Body         string
	HappenedOn   string
	TaskID       int64
	CampaignID   int64
	State        WorkState
	Highlight    bool
	ReviewNote   string
	CreatedAt    time.Time
	Photos       []string
	RegionCode   string
	authorUserID int64
}

// WorkReportInput is a new work report.
type WorkReportInput struct {
	Title      string
	Body       string
	HappenedOn string // "": today
	TaskID     int64
	CampaignID int64
	Photos     []string
}

// MaySubmitWork reports whether the actor may send work reports: the
// staff of a unit.
func MaySubmitWork(a access.Actor) bool { return a.Has(access.RoleHandler) && a.UnitID != 0 }

// CheckWorkReport refuses what SubmitWork would refuse, writing nothing.
func (s *Store) CheckWorkReport(ctx context.Context, a access.Actor, in WorkReportInput) error {
	_, err := s.checkWork(ctx, a, &in)
	return err
}

func (s *Store) checkWork(ctx context.Context, a access.Actor, in *WorkReportInput) (string, error) {
	if !MaySubmitWork(a) {
		return "", apperr.Forbidden("workplan.forbidden")
	}
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	switch {
	case in.Title == "" || len([]rune(in.Title)) > MaxTitleLen:
		return "", apperr.Invalid("workplan.title_invalid", MaxTitleLen)
	case in.Body == "" || len([]rune(in.Body)) > MaxTextLen:
		return "", apperr.Invalid("workplan.report_body_invalid", MaxTextLen)
	case len(in.Photos) > MaxPhotos:
		return "", apperr.Invalid("workplan.too_many_photos", MaxPhotos)
	}
	if in.HappenedOn == "" {
		in.HappenedOn = s.today()
	}
	d, ok := ParseDate(in.HappenedOn)
	if !ok || d.Format(dateLayout) > s.today() {
		return "", apperr.Invalid("workplan.work_date_invalid")
	}
	in.HappenedOn = d.Format(dateLayout)
	if in.TaskID != 0 {
		t, err := s.Task(ctx, a, in.TaskID)
		if err != nil {
			return "", err
		}
		if !t.onTask(a.UnitID) {
			return "", apperr.Forbidden("workplan.report_not_on_task")
		}
	}
	if in.CampaignID != 0 {
		if _, err := s.Campaign(ctx, a, in.CampaignID); err != nil {
			return "", err
		}
	}
	_, reg, ok, err := org.UnitKindRegion(ctx, s.DB, a.UnitID)
	if err != nil {
		return "", err
	}
	if !ok || reg == "" {
		reg = a.Region
	}
	if reg == "" {
		return "", apperr.Forbidden("workplan.forbidden")
	}
	return reg, nil
}

// SubmitWork sends a work report from the actor's unit.
func (s *Store) SubmitWork(ctx context.Context, a access.Actor, in WorkReportInput) (*WorkReport, error) {
	reg, err := s.checkWork(ctx, a, &in)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, h := range in.Photos {
			if ok, err := media.Stored(ctx, tx, h); err != nil {
				return err
			} else if !ok {
				return apperr.Invalid("workplan.photo_unknown")
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO workplan_work_report (unit_id, author_id, region_code, title, body, happened_on, task_id,
			campaign_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.UnitID, db.NullID(a.UserID), reg,
			in.Title, in.Body, in.HappenedOn, db.NullID(in.TaskID), db.NullID(in.CampaignID), string(WorkSubmitted), db.Millis(s.now())).Scan(&id)
		if err != nil {
			return fmt.Errorf("submit work report: %w", err)
		}
		for i, h := range in.Photos {
			if _, err := tx.Exec(ctx, "INSERT INTO workplan_work_report_photo (report_id, position, hash) VALUES (?, ?, ?)", id, i, h); err != nil {
				return fmt.Errorf("work report photo: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.WorkReport(ctx, a, id)
}

// workScope limits work report rows (alias r) to what the actor sees: the
// office and leaders their jurisdiction's, a unit its own and those of the
// units below it.
func workScope(a access.Actor) (string, []any) {
	if a.IsAdmin() {
		return "1 = 1", nil
	}
	var parts []string
	var args []any
	if a.HasAny(access.RoleOffice, access.RoleLeader) && a.Region != "" {
		cond, cargs := region.SubtreeSQL("r.region_code", a.Region)
		parts, args = append(parts, cond), append(args, cargs...)
	}
	if units := myUnits(a); len(units) > 0 {
		parts = append(parts, "r.unit_id IN ("+db.Placeholders(len(units))+")")
		for _, u := range units {
			args = append(args, u)
		}
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

const workColumns = `r.id, r.unit_id, COALESCE(r.author_id, 0), r.title, r.body, r.happened_on, COALESCE(r.task_id, 0),
	COALESCE(r.campaign_id, 0), r.state, r.highlight, r.review_note, r.created_at, r.region_code`

func scanWork(sc interface{ Scan(...any) error }) (*WorkReport, error) {
	var w WorkReport
	var created int64
	err := sc.Scan(&w.ID, &w.UnitID, &w.authorUserID, &w.Title, &w.Body, &w.HappenedOn, &w.TaskID, &w.CampaignID, &w.State,
		&w.Highlight, &w.ReviewNote, &created, &w.RegionCode)
	w.CreatedAt = db.FromMillis(created)
	return &w, err
}

// WorkFilter picks work reports.
type WorkFilter struct {
	State     WorkState
	Highlight bool
	Month     string // YYYY-MM of the date it happened
	Limit     int
}

// WorkReports lists the work reports the actor sees, newest first.
func (s *Store) WorkReports(ctx context.Context, a access.Actor, f WorkFilter) ([]*WorkReport, error) {
	if !MayOpen(a) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	where, args := workScope(a)
	if f.State != "" {
		where += " AND r.state = ?"
		args = append(args, string(f.State))
	}
	if f.Highlight {
		where += " AND r.highlight = ?"
		args = append(args, true)
	}
	if f.Month != "" {
		where += " AND r.happened_on >= ? AND r.happened_on < ?"
		args = append(args, f.Month+"-01", f.Month+"-32")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	rows, err := s.DB.Query(ctx, "SELECT "+workColumns+" FROM workplan_work_report r WHERE "+where+" ORDER BY r.id DESC LIMIT ?", append(args, f.Limit)...)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (*WorkReport, error) { return scanWork(r) })
	if err != nil {
		return nil, fmt.Errorf("work reports: %w", err)
	}
	return list, s.fillWork(ctx, list)
}

// WorkReport returns a work report the actor sees.
func (s *Store) WorkReport(ctx context.Context, a access.Actor, id int64) (*WorkReport, error) {
	where, args := workScope(a)
	w, err := scanWork(s.DB.QueryRow(ctx, "SELECT "+workColumns+" FROM workplan_work_report r WHERE r.id = ? AND "+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("workplan.work_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("work report %d: %w", id, err)
	}
	return w, s.fillWork(ctx, []*WorkReport{w})
}

func (s *Store) fillWork(ctx context.Context, list []*WorkReport) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	units, users := map[int64]bool{}, map[int64]bool{}
	byID := map[int64]*WorkReport{}
	for i, w := range list {
		ids[i] = w.ID
		byID[w.ID] = w
		units[w.UnitID] = true
		users[w.authorUserID] = true
	}
	type photo struct {
		report int64
		hash   string
	}
	photos, err := db.CollectIn(ctx, s.DB, "SELECT report_id, hash FROM workplan_work_report_photo WHERE report_id IN ("+db.ListMarker+") ORDER BY report_id, position",
		ids, func(r *sql.Rows) (photo, error) {
			var p photo
			return p, r.Scan(&p.report, &p.hash)
		})
	if err != nil {
		return fmt.Errorf("work report photos: %w", err)
	}
	for _, p := range photos {
		byID[p.report].Photos = append(byID[p.report].Photos, p.hash)
	}
	names, err := org.UnitNames(ctx, s.DB, keys(units))
	if err != nil {
		return err
	}
	authors, err := org.DisplayNames(ctx, s.DB, keys(users))
	if err != nil {
		return err
	}
	for _, w := range list {
		w.UnitName, w.AuthorName = names[w.UnitID], authors[w.authorUserID]
	}
	return nil
}

// WorkDecision is the office's handling of a work report.
type WorkDecision string

// The decisions.
const (
	Adopt     WorkDecision = "adopt"     // 采用
	Highlight WorkDecision = "highlight" // 采用并列为亮点
	Return    WorkDecision = "return"    // 退回, with a reason
)

// ReviewWork adopts a work report, adopts it as a highlight, or returns it
// with a reason. An adopted report may still be raised to a highlight.
func (s *Store) ReviewWork(ctx context.Context, a access.Actor, id int64, d WorkDecision, note string) (*WorkReport, error) {
	w, err := s.WorkReport(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !manages(a, w.RegionCode) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > MaxTextLen {
		return nil, apperr.Invalid("workplan.text_too_long", MaxTextLen)
	}
	state, highlight := WorkAdopted, false
	switch d {
	case Adopt:
	case Highlight:
		highlight = true
	case Return:
		if note == "" {
			return nil, apperr.Invalid("workplan.reason_required")
		}
		state = WorkReturned
	default:
		return nil, apperr.Invalid("workplan.illegal_act")
	}
	switch {
	case w.State == WorkSubmitted:
	case w.State == WorkAdopted && d == Highlight && !w.Highlight:
	default:
		return nil, apperr.Conflict("workplan.report_reviewed")
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE workplan_work_report SET state = ?, highlight = ?, review_note = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ? AND state = ? AND highlight = ?",
			string(state), highlight, note, db.NullID(a.UserID), db.Millis(s.now()), id, string(w.State), w.Highlight)
		if err != nil {
			return fmt.Errorf("review work report: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("workplan.report_reviewed")
		}
		if state == WorkReturned {
			return s.tellUnit(ctx, tx, nil, w.UnitID, "work_returned", []string{w.Title, note}, "")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.WorkReport(ctx, a, id)
}

// WorkCount is a unit's work reports in a month: submitted, adopted (of
// them) and highlights, the line a bulletin's assessment can weigh.
type WorkCount struct {
	UnitID     int64
	UnitName   string
	Month      string
	Submitted  int
	Adopted    int
	Highlights int
}

// WorkCounts counts the work reports of the actor's scope by unit for the
// months from..to (YYYY-MM, by the date they happened), most adopted first.
func (s *Store) WorkCounts(ctx context.Context, a access.Actor, from, to string) ([]WorkCount, error) {
	if !MayOpen(a) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	where, args := workScope(a)
	rows, err := s.DB.Query(ctx, `SELECT r.unit_id, substr(r.happened_on, 1, 7), COUNT(*),
		SUM(CASE WHEN r.state = 'adopted' THEN 1 ELSE 0 END), SUM(CASE WHEN r.highlight THEN 1 ELSE 0 END)
		FROM workplan_work_report r WHERE `+where+` AND r.happened_on >= ? AND r.happened_on < ?
		GROUP BY r.unit_id, substr(r.happened_on, 1, 7)`, append(args, from+"-01", to+"-32")...)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (WorkCount, error) {
		var c WorkCount
		return c, r.Scan(&c.UnitID, &c.Month, &c.Submitted, &c.Adopted, &c.Highlights)
	})
	if err != nil {
		return nil, fmt.Errorf("work report counts: %w", err)
	}
	ids := map[int64]bool{}
	for _, c := range list {
		ids[c.UnitID] = true
	}
	names, err := org.UnitNames(ctx, s.DB, keys(ids))
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].UnitName = names[list[i].UnitID]
	}
	sort.Slice(list, func(i, j int) bool {
		x, y := list[i], list[j]
		if x.Month != y.Month {
			return x.Month > y.Month
		}
		if x.Adopted != y.Adopted {
			return x.Adopted > y.Adopted
		}
		if x.Submitted != y.Submitted {
			return x.Submitted > y.Submitted
		}
		return x.UnitName < y.UnitName
	})
	return list, nil
}

// AdoptedByUnit counts the work reports adopted in [from, to) (by the day
// they concern, in Asia/Shanghai) and the highlights among them, by unit:
// the bulletin's work-report line. It checks no actor: the bulletin
// decides who may issue.
func (s *Store) AdoptedByUnit(ctx context.Context, from, to time.Time) (map[int64][2]int, error) {
	loc := calendar.Shanghai()
	rows, err := s.DB.Query(ctx, `SELECT r.unit_id, COUNT(*), SUM(CASE WHEN r.highlight THEN 1 ELSE 0 END)
		FROM workplan_work_report r WHERE r.state = 'adopted' AND r.happened_on >= ? AND r.happened_on < ?
		GROUP BY r.unit_id`, from.In(loc).Format("2006-01-02"), to.In(loc).Format("2006-01-02"))
	type count struct {
		unit int64
		n    [2]int
	}
	list, err := db.Collect(rows, err, func(r *sql.Rows) (count, error) {
		var c count
		return c, r.Scan(&c.unit, &c.n[0], &c.n[1])
	})
	if err != nil {
		return nil, fmt.Errorf("adopted work reports: %w", err)
	}
	out := make(map[int64][2]int, len(list))
	for _, c := range list {
		out[c.unit] = c.n
	}
	return out, nil
}
