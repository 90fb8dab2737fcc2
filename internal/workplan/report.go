package workplan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
)

// Report is a unit's progress report on a task.
type Report struct {
	ID         int64
	TaskID     int64
	TaskTitle  string
	UnitID     int64
	UnitName   string
	AuthorName string
	Period     string
	Body       string
	Amount     sql.NullFloat64
	Spent      sql.NullFloat64
	ClaimsDone bool
	State      ReportState
	ReviewNote string
	ReviewedAt time.Time
	CreatedAt  time.Time
	Parts      []Part
	Photos     []string
	Files      []ReportFile
}

// Part is a cooperating unit's part of a lead unit's report.
type Part struct {
	UnitID   int64
	UnitName string
	Body     string
	Amount   sql.NullFloat64
	Spent    sql.NullFloat64
}

// Total is the report's figure with its parts'.
func (r *Report) Total() float64 {
	x := r.Amount.Float64
	for _, p := range r.Parts {
		x += p.Amount.Float64
	}
	return x
}

// TotalSpent is the report's money with its parts'.
func (r *Report) TotalSpent() float64 {
	x := r.Spent.Float64
	for _, p := range r.Parts {
		x += p.Spent.Float64
	}
	return x
}

// ReportInput is a new report.
type ReportInput struct {
	Body       string
	Amount     *float64
	Spent      *float64
	ClaimsDone bool
	Parts      []PartInput
	Photos     []string // hashes of stored photos
	Files      []ReportFile
}

// ReportFile is a file of a progress report (a PDF, an office document),
// stored in the file store (media.Files) under its hash.
type ReportFile struct {
	Hash string
	Name string
}

// MaxFiles bounds the files of one progress report.
const MaxFiles = 5

// PartInput is a cooperating unit's part.
type PartInput struct {
	UnitID int64
	Body   string
	Amount *float64
	Spent  *float64
}

// CheckReport refuses a report FileReport would refuse, writing nothing,
// so that the page stores the photos of an acceptable report only.
func (s *Store) CheckReport(ctx context.Context, a access.Actor, taskID int64, in ReportInput) error {
	_, err := s.checkReport(ctx, a, taskID, &in)
	return err
}

func (s *Store) checkReport(ctx context.Context, a access.Actor, taskID int64, in *ReportInput) (*Task, error) {
	t, err := s.Task(ctx, a, taskID)
	if err != nil {
		return nil, err
	}
	switch {
	case !a.Has(access.RoleHandler) || !t.onTask(a.UnitID):
		return nil, apperr.Forbidden("workplan.report_not_on_task")
	case t.State == Done:
		return nil, apperr.Conflict("workplan.report_task_done")
	case t.State == Paused:
		return nil, apperr.Conflict("workplan.report_task_paused")
	}
	in.Body = strings.TrimSpace(in.Body)
	if in.Body == "" || len([]rune(in.Body)) > MaxTextLen {
		return nil, apperr.Invalid("workplan.report_body_invalid", MaxTextLen)
	}
	for _, x := range []*float64{in.Amount, in.Spent} {
		if x != nil && *x < 0 {
			return nil, apperr.Invalid("workplan.amount_invalid")
		}
	}
	lead := t.IsLead(a)
	if !lead && (in.ClaimsDone || len(in.Parts) > 0) {
		return nil, apperr.Forbidden("workplan.report_lead_only")
	}
	if len(in.Parts) > MaxParts {
		return nil, apperr.Invalid("workplan.too_many_parts", MaxParts)
	}
	seen := map[int64]bool{}
	for _, p := range in.Parts {
		if !slices.Contains(t.CoopUnitIDs, p.UnitID) || seen[p.UnitID] {
			return nil, apperr.Invalid("workplan.part_not_cooperating")
		}
		seen[p.UnitID] = true
		if len([]rune(p.Body)) > MaxTextLen {
			return nil, apperr.Invalid("workplan.report_body_invalid", MaxTextLen)
		}
		for _, x := range []*float64{p.Amount, p.Spent} {
			if x != nil && *x < 0 {
				return nil, apperr.Invalid("workplan.amount_invalid")
			}
		}
	}
	if len(in.Photos) > MaxPhotos {
		return nil, apperr.Invalid("workplan.too_many_photos", MaxPhotos)
	}
	if len(in.Files) > MaxFiles {
		return nil, apperr.Invalid("workplan.too_many_files", MaxFiles)
	}
	return t, nil
}

// FileReport files the actor's unit's progress report on a task. Only the
// task's lead and cooperating units report; only the lead unit includes
// the cooperating units' parts and says the task is finished; a finished
// or paused task takes no report.
func (s *Store) FileReport(ctx context.Context, a access.Actor, taskID int64, in ReportInput) (*Report, error) {
	t, err := s.checkReport(ctx, a, taskID, &in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, h := range in.Photos {
			if ok, err := media.Stored(ctx, tx, h); err != nil {
				return err
			} else if !ok {
				return apperr.Invalid("workplan.photo_unknown")
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO workplan_report (task_id, unit_id, author_id, period, body, amount, spent, claims_done, state, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.ID, a.UnitID, db.NullID(a.UserID), t.Rhythm.Period(now), in.Body,
			nullFloat(in.Amount), nullFloat(in.Spent), in.ClaimsDone, string(Submitted), db.Millis(now)).Scan(&id)
		if err != nil {
			return fmt.Errorf("file report: %w", err)
		}
		for _, p := range in.Parts {
			if _, err := tx.Exec(ctx, "INSERT INTO workplan_report_part (report_id, unit_id, body, amount, spent) VALUES (?, ?, ?, ?, ?)",
				id, p.UnitID, strings.TrimSpace(p.Body), nullFloat(p.Amount), nullFloat(p.Spent)); err != nil {
				return fmt.Errorf("report part: %w", err)
			}
		}
		for i, h := range in.Photos {
			if _, err := tx.Exec(ctx, "INSERT INTO workplan_report_photo (report_id, position, hash) VALUES (?, ?, ?)", id, i, h); err != nil {
				return fmt.Errorf("report photo: %w", err)
			}
		}
		for i, f := range in.Files {
			if _, err := tx.Exec(ctx, "INSERT INTO workplan_report_file (report_id, position, hash, name) VALUES (?, ?, ?, ?)", id, i, f.Hash, f.Name); err != nil {
				return fmt.Errorf("report file: %w", err)
			}
		}
		next := t.State
		if next == NotStarted {
			next = InProgress
		}
		claimed := sql.NullInt64{}
		if in.ClaimsDone {
			next, claimed = Review, sql.NullInt64{Int64: db.Millis(now), Valid: true}
		} else if !t.ClaimedAt.IsZero() {
			claimed = sql.NullInt64{Int64: db.Millis(t.ClaimedAt), Valid: true}
		}
		res, err := tx.Exec(ctx, "UPDATE workplan_task SET state = ?, claimed_at = ?, version = version + 1 WHERE id = ? AND version = ?",
			string(next), claimed, t.ID, t.Version)
		if err != nil {
			return fmt.Errorf("task state: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("workplan.task_changed")
		}
		action := "reported"
		if in.ClaimsDone {
			action = "claimed"
		}
		return addEvent(ctx, tx, t.ID, a, now, action, "", 0)
	})
	if err != nil {
		return nil, err
	}
	return s.Report(ctx, a, id)
}

const reportColumns = `r.id, r.task_id, t.title, r.unit_id, COALESCE(r.author_id, 0), r.period, r.body, r.amount, r.spent, r.claims_done,
	r.state, r.review_note, r.reviewed_at, r.created_at`

const reportFrom = " FROM workplan_report r JOIN workplan_task t ON t.id = r.task_id JOIN workplan_plan w ON w.id = t.plan_id"

type reportRow struct {
	r      Report
	author int64
}

func scanReport(sc interface{ Scan(...any) error }) (reportRow, error) {
	var x reportRow
	var reviewed sql.NullInt64
	var created int64
	err := sc.Scan(&x.r.ID, &x.r.TaskID, &x.r.TaskTitle, &x.r.UnitID, &x.author, &x.r.Period, &x.r.Body, &x.r.Amount, &x.r.Spent,
		&x.r.ClaimsDone, &x.r.State, &x.r.ReviewNote, &reviewed, &created)
	x.r.ReviewedAt, x.r.CreatedAt = db.FromNullMillis(reviewed), db.FromMillis(created)
	return x, err
}

// ReportFilter picks reports.
type ReportFilter struct {
	TaskID int64
	State  ReportState
	Limit  int
}

// Reports lists the reports on the tasks the actor sees, newest first.
func (s *Store) Reports(ctx context.Context, a access.Actor, f ReportFilter) ([]*Report, error) {
	where, args := taskScope(a)
	if f.TaskID != 0 {
		where += " AND r.task_id = ?"
		args = append(args, f.TaskID)
	}
	if f.State != "" {
		where += " AND r.state = ?"
		args = append(args, string(f.State))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	rows, err := s.DB.Query(ctx, "SELECT "+reportColumns+reportFrom+" WHERE "+where+" ORDER BY r.id DESC LIMIT ?", append(args, f.Limit)...)
	list, err := db.Collect(rows, err, scanReportRows)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return s.fillReports(ctx, list)
}

func scanReportRows(r *sql.Rows) (reportRow, error) { return scanReport(r) }

// Report returns a report on a task the actor sees.
func (s *Store) Report(ctx context.Context, a access.Actor, id int64) (*Report, error) {
	where, args := taskScope(a)
	x, err := scanReport(s.DB.QueryRow(ctx, "SELECT "+reportColumns+reportFrom+" WHERE r.id = ? AND "+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("workplan.report_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("report %d: %w", id, err)
	}
	list, err := s.fillReports(ctx, []reportRow{x})
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

func (s *Store) fillReports(ctx context.Context, list []reportRow) ([]*Report, error) {
	out := make([]*Report, len(list))
	if len(list) == 0 {
		return out, nil
	}
	ids := make([]int64, len(list))
	byID := map[int64]*Report{}
	units, users := map[int64]bool{}, map[int64]bool{}
	for i := range list {
		out[i] = &list[i].r
		ids[i] = list[i].r.ID
		byID[ids[i]] = out[i]
		units[list[i].r.UnitID] = true
		users[list[i].author] = true
	}
	type part struct {
		report int64
		p      Part
	}
	parts, err := db.CollectIn(ctx, s.DB, "SELECT report_id, unit_id, body, amount, spent FROM workplan_report_part WHERE report_id IN ("+
		db.ListMarker+") ORDER BY report_id, unit_id", ids, func(r *sql.Rows) (part, error) {
		var x part
		return x, r.Scan(&x.report, &x.p.UnitID, &x.p.Body, &x.p.Amount, &x.p.Spent)
	})
	if err != nil {
		return nil, fmt.Errorf("report parts: %w", err)
	}
	for _, p := range parts {
		units[p.p.UnitID] = true
	}
	names, err := org.UnitNames(ctx, s.DB, keys(units))
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		p.p.UnitName = names[p.p.UnitID]
		byID[p.report].Parts = append(byID[p.report].Parts, p.p)
	}
	type photo struct {
		report int64
		hash   string
	}
	photos, err := db.CollectIn(ctx, s.DB, "SELECT report_id, hash FROM workplan_report_photo WHERE report_id IN ("+
		db.ListMarker+") ORDER BY report_id, position", ids, func(r *sql.Rows) (photo, error) {
		var x photo
		return x, r.Scan(&x.report, &x.hash)
	})
	if err != nil {
		return nil, fmt.Errorf("report photos: %w", err)
	}
	for _, p := range photos {
		byID[p.report].Photos = append(byID[p.report].Photos, p.hash)
	}
	type file struct {
		report int64
		ReportFile
	}
	files, err := db.CollectIn(ctx, s.DB, "SELECT report_id, hash, name FROM workplan_report_file WHERE report_id IN ("+
		db.ListMarker+") ORDER BY report_id, position", ids, func(r *sql.Rows) (file, error) {
		var x file
		return x, r.Scan(&x.report, &x.Hash, &x.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("report files: %w", err)
	}
	for _, f := range files {
		byID[f.report].Files = append(byID[f.report].Files, f.ReportFile)
	}
	authors, err := org.DisplayNames(ctx, s.DB, keys(users))
	if err != nil {
		return nil, err
	}
	for i := range list {
		out[i].UnitName = names[out[i].UnitID]
		out[i].AuthorName = authors[list[i].author]
	}
	return out, nil
}

// Decision is the office's decision on a report.
type Decision struct {
	Accept bool
	Note   string // the reason, required to return
}

// ReviewReport accepts a report (its figures and money count in the
// task's progress; a report that says the task is finished finishes it)
// or returns it with a reason (a claim of completion is withdrawn and the
// task goes back to work). Only the plan's office reviews, once.
func (s *Store) ReviewReport(ctx context.Context, a access.Actor, id int64, rv Decision) (*Report, error) {
	rep, err := s.Report(ctx, a, id)
	if err != nil {
		return nil, err
	}
	t, err := s.Task(ctx, a, rep.TaskID)
	if err != nil {
		return nil, err
	}
	if !t.CanManage(a) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	if rep.State != Submitted {
		return nil, apperr.Conflict("workplan.report_reviewed")
	}
	rv.Note = strings.TrimSpace(rv.Note)
	if !rv.Accept && rv.Note == "" {
		return nil, apperr.Invalid("workplan.reason_required")
	}
	if len([]rune(rv.Note)) > MaxTextLen {
		return nil, apperr.Invalid("workplan.report_body_invalid", MaxTextLen)
	}
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		state := Returned
		if rv.Accept {
			state = Accepted
		}
		res, err := tx.Exec(ctx, "UPDATE workplan_report SET state = ?, review_note = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ? AND state = ?",
			string(state), rv.Note, db.NullID(a.UserID), db.Millis(now), id, string(Submitted))
		if err != nil {
			return fmt.Errorf("review report: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("workplan.report_reviewed")
		}
		if rv.Accept {
			set := "progress = progress + ?, spent = spent + ?"
			args := []any{rep.Total(), rep.TotalSpent()}
			if rep.ClaimsDone && t.State == Review {
				set += ", state = ?, done_at = ?"
				args = append(args, string(Done), db.Millis(now))
			}
			if _, err := tx.Exec(ctx, "UPDATE workplan_task SET "+set+", version = version + 1 WHERE id = ?", append(args, t.ID)...); err != nil {
				return fmt.Errorf("count report: %w", err)
			}
			action := "report_accepted"
			if rep.ClaimsDone && t.State == Review {
				action = "accepted"
			}
			return addEvent(ctx, tx, t.ID, a, now, action, rv.Note, 0)
		}
		if rep.ClaimsDone && t.State == Review {
			if _, err := tx.Exec(ctx, "UPDATE workplan_task SET state = ?, claimed_at = NULL, version = version + 1 WHERE id = ?",
				string(InProgress), t.ID); err != nil {
				return fmt.Errorf("withdraw claim: %w", err)
			}
		}
		if err := addEvent(ctx, tx, t.ID, a, now, "report_returned", rv.Note, 0); err != nil {
			return err
		}
		return s.tellUnit(ctx, tx, t, rep.UnitID, "task_report_returned", []string{t.Title, rv.Note}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Report(ctx, a, id)
}

// Act is an office's move on a task.
type Act string

// The moves.
const (
	ActAccept   Act = "accept"    // 验收: the task is done
	ActSendBack Act = "send_back" // 退回: not done yet, with a reason
	ActPause    Act = "pause"
	ActResume   Act = "resume"
)

// ActOnTask accepts a task as done, sends it back with a reason, pauses
// or resumes it. Only the plan's office acts.
func (s *Store) ActOnTask(ctx context.Context, a access.Actor, id int64, act Act, note string) (*Task, error) {
	t, err := s.Task(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !t.CanManage(a) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > MaxTextLen {
		return nil, apperr.Invalid("workplan.report_body_invalid", MaxTextLen)
	}
	now := s.now()
	set, args := "", []any{}
	var action string
	switch act {
	case ActAccept:
		if t.State == Done || t.State == Paused {
			return nil, apperr.Conflict("workplan.illegal_act")
		}
		set, args, action = "state = ?, done_at = ?", []any{string(Done), db.Millis(now)}, "accepted"
	case ActSendBack:
		if t.State != Done && t.State != Review {
			return nil, apperr.Conflict("workplan.illegal_act")
		}
		if note == "" {
			return nil, apperr.Invalid("workplan.reason_required")
		}
		set, args, action = "state = ?, done_at = NULL, claimed_at = NULL", []any{string(InProgress)}, "sent_back"
	case ActPause:
		if !t.State.Open() {
			return nil, apperr.Conflict("workplan.illegal_act")
		}
		set, args, action = "state = ?", []any{string(Paused)}, "paused"
	case ActResume:
		if t.State != Paused {
			return nil, apperr.Conflict("workplan.illegal_act")
		}
		set, args, action = "state = ?", []any{string(InProgress)}, "resumed"
	default:
		return nil, apperr.Invalid("workplan.illegal_act")
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE workplan_task SET "+set+", version = version + 1 WHERE id = ? AND version = ?", append(args, id, t.Version)...)
		if err != nil {
			return fmt.Errorf("task act: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("workplan.task_changed")
		}
		if err := addEvent(ctx, tx, id, a, now, action, note, 0); err != nil {
			return err
		}
		if act == ActSendBack {
			return s.tellUnit(ctx, tx, t, t.LeadUnitID, "task_sent_back", []string{t.Title, note}, "")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Task(ctx, a, id)
}

// tellUnit writes an in-app notice to the handlers of a unit.
func (s *Store) tellUnit(ctx context.Context, tx *db.Tx, t *Task, unit int64, kind string, args []string, dedupe string) error {
	users, err := org.ActiveUsersOfUnits(ctx, tx, []int64{unit}, access.RoleHandler)
	if err != nil {
		return fmt.Errorf("task notice recipients: %w", err)
	}
	if err := notice.Add(ctx, tx, notice.Message{Users: users, Kind: kind, Args: args, Dedupe: dedupe, At: s.now()}); err != nil {
		return fmt.Errorf("task notice: %w", err)
	}
	return nil
}

// CanSeePhoto reports whether a photo belongs to a progress report or a
// work report the actor sees.
func (s *Store) CanSeePhoto(ctx context.Context, a access.Actor, hash string) (bool, error) {
	where, args := taskScope(a)
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM workplan_report_photo ph JOIN workplan_report r ON r.id = ph.report_id"+
		" JOIN workplan_task t ON t.id = r.task_id JOIN workplan_plan w ON w.id = t.plan_id WHERE ph.hash = ? AND "+where,
		append([]any{hash}, args...)...)
	if err != nil || n > 0 {
		return n > 0, err
	}
	where, args = workScope(a)
	n, err = db.Count(ctx, s.DB, "SELECT COUNT(*) FROM workplan_work_report_photo ph JOIN workplan_work_report r ON r.id = ph.report_id"+
		" WHERE ph.hash = ? AND "+where, append([]any{hash}, args...)...)
	return n > 0, err
}

// ReportFileAt is the n-th file (from 0) of a progress report the actor
// sees.
func (s *Store) ReportFileAt(ctx context.Context, a access.Actor, reportID int64, n int) (ReportFile, error) {
	rep, err := s.Report(ctx, a, reportID)
	if err != nil {
		return ReportFile{}, err
	}
	if n < 0 || n >= len(rep.Files) {
		return ReportFile{}, apperr.NotFound("workplan.file_not_found")
	}
	return rep.Files[n], nil
}

// AmountText is a figure in words for the page, "" when none.
func AmountText(x sql.NullFloat64) string {
	if !x.Valid {
		return ""
	}
	return FormatAmount(x.Float64)
}

// AmountText is the report's own figure.
func (r *Report) AmountText() string { return AmountText(r.Amount) }

// SpentText is the report's own money.
func (r *Report) SpentText() string { return AmountText(r.Spent) }

// AmountText is the part's figure.
func (p Part) AmountText() string { return AmountText(p.Amount) }

// SpentText is the part's money.
func (p Part) SpentText() string { return AmountText(p.Spent) }
