package workplan

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// SummaryTable is a table of a monthly summary.
type SummaryTable struct {
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

// SummarySection is a part of a monthly summary: its heading, its
// paragraphs (drafted from the figures, edited by the office) and its
// tables (from the figures).
type SummarySection struct {
	Heading    string         `json:"heading"`
	Paragraphs []string       `json:"paragraphs"`
	Tables     []SummaryTable `json:"tables,omitempty"`
}

// Summary is a monthly summary (月报总结) of a scope.
type Summary struct {
	ID         int64
	RegionCode string
	Month      string // YYYY-MM
	Year       int
	Seq        int // 第 N 期 of its year, 0 while a draft
	Title      string
	Sections   []SummarySection
	Issued     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	IssuedAt   time.Time
}

// NumberText is the summary's number: 〔2026〕第 3 期, or 草稿.
func (s *Summary) NumberText(t func(string, ...any) string) string {
	if !s.Issued {
		return t("workplan.summary.draft_number")
	}
	return t("workplan.summary.number", s.Year, s.Seq)
}

// CanManage reports whether the actor may edit and issue it.
func (s *Summary) CanManage(a access.Actor) bool { return manages(a, s.RegionCode) }

func (s *Store) t(key string, args ...any) string {
	if s.T == nil {
		return key
	}
	return s.T(key, args...)
}

// monthBounds are the first instant of month and of the next, Shanghai time.
func monthBounds(month string) (time.Time, time.Time, bool) {
	from, err := time.ParseInLocation("2006-01", month, calendar.Shanghai())
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	return from, from.AddDate(0, 1, 0), true
}

// DraftSummary opens the scope's summary of the month, drafting it from
// the month's figures when there is none yet.
func (s *Store) DraftSummary(ctx context.Context, a access.Actor, regionCode, month string) (*Summary, error) {
	if regionCode == "" {
		regionCode = a.Region
	}
	if !manages(a, regionCode) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	from, _, ok := monthBounds(month)
	if !ok || month > s.now().In(calendar.Shanghai()).Format("2006-01") {
		return nil, apperr.Invalid("workplan.summary_month_invalid")
	}
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT id FROM workplan_summary WHERE region_code = ? AND month = ?", regionCode, month).Scan(&id)
	if err == nil {
		return s.Summary(ctx, a, id)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find summary: %w", err)
	}
	sections, err := s.buildSummary(ctx, a, regionCode, month)
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(sections)
	now := db.Millis(s.now())
	err = s.DB.ExecReturning(ctx, `INSERT INTO workplan_summary (region_code, month, year, title, sections, state, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING id`, regionCode, month, from.Year(),
		s.t("workplan.summary.title", from.Year(), int(from.Month())), string(raw), db.NullID(a.UserID), now, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return s.DraftSummary(ctx, a, regionCode, month)
	}
	if err != nil {
		return nil, fmt.Errorf("draft summary: %w", err)
	}
	return s.Summary(ctx, a, id)
}

// buildSummary drafts the sections of a scope's month from the ledger, the
// inspections, the plans' tasks, the campaigns and the work reports.
func (s *Store) buildSummary(ctx context.Context, a access.Actor, regionCode, month string) ([]SummarySection, error) {
	from, to, _ := monthBounds(month)
	t := s.t
	var out []SummarySection

	// 一、问题台账
	k, err := s.Problems.KPIs(ctx, a, problem.Filter{Region: regionCode}, from, to, s.Hours)
	if err != nil {
		return nil, err
	}
	out = append(out, SummarySection{Heading: t("workplan.summary.ledger"), Paragraphs: []string{
		t("workplan.summary.ledger_text", k.Found, k.Filed, k.Closed, k.ClosureText(), k.OnTimeText(), k.Overdue)}})

	// 二、督导检查
	insp := SummarySection{Heading: t("workplan.summary.inspections")}
	if s.Inspections != nil {
		plans, err := s.Inspections.Plans(ctx, a)
		if err != nil {
			return nil, err
		}
		tb := SummaryTable{Header: []string{t("workplan.summary.col_plan"), t("workplan.period"), t("workplan.summary.col_sites")}}
		sites := 0
		for _, p := range plans {
			if p.EndsOn < month+"-01" || p.StartsOn > month+"-31" || !access.InSubtree(p.RegionCode, regionCode) && !access.InSubtree(regionCode, p.RegionCode) {
				continue
			}
			sites += p.Done
			tb.Rows = append(tb.Rows, []string{p.Name, p.StartsOn + " ~ " + p.EndsOn, fmt.Sprintf("%d / %d", p.Done, p.Sites)})
		}
		insp.Paragraphs = []string{t("workplan.summary.inspections_text", len(tb.Rows), sites)}
		if len(tb.Rows) > 0 {
			insp.Tables = []SummaryTable{tb}
		}
	}
	out = append(out, insp)

	// 三、任务推进
	tasks := SummarySection{Heading: t("workplan.summary.tasks")}
	plans, err := s.Plans(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		if !access.InSubtree(p.RegionCode, regionCode) || p.EndsOn < month+"-01" || p.StartsOn > month+"-31" {
			continue
		}
		list, err := s.Tasks(ctx, a, TaskFilter{PlanID: p.ID})
		if err != nil {
			return nil, err
		}
		end := to.Add(-time.Millisecond)
		if now := s.now(); now.Before(end) {
			end = now
		}
		b := BuildBoard(p, list, end)
		tr := b.Total
		tasks.Paragraphs = append(tasks.Paragraphs, t("workplan.summary.tasks_text", p.Name, tr.Tasks, tr.Done, tr.DoneOnTime, tr.Overdue,
			tr.Percent(), tr.SpentText(), tr.BudgetText()))
		tb := SummaryTable{Header: []string{t("workplan.lead_unit"), t("workplan.board.tasks"), t("workplan.board.done"), t("workplan.state.overdue"), t("workplan.board.progress")}}
		for _, r := range b.Rows {
			tb.Rows = append(tb.Rows, []string{r.UnitName, fmt.Sprint(r.Tasks), fmt.Sprint(r.Done), fmt.Sprint(r.Overdue), fmt.Sprintf("%d%%", r.Percent())})
		}
		tasks.Tables = append(tasks.Tables, tb)
	}
	if len(tasks.Paragraphs) == 0 {
		tasks.Paragraphs = []string{t("workplan.summary.no_plan")}
	}
	out = append(out, tasks)

	// 四、专项整治
	camps := SummarySection{Heading: t("workplan.summary.campaigns")}
	list, err := s.Campaigns(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if !access.InSubtree(c.RegionCode, regionCode) || c.EndsOn < month+"-01" || c.StartsOn > month+"-31" {
			continue
		}
		v, err := s.CampaignPage(ctx, a, c.ID)
		if err != nil {
			return nil, err
		}
		camps.Paragraphs = append(camps.Paragraphs, t("workplan.summary.campaign_text", c.Name, v.Total.Found, v.Total.Closed, v.Total.OnTime, v.Total.Overdue))
	}
	if len(camps.Paragraphs) == 0 {
		camps.Paragraphs = []string{t("workplan.summary.no_campaign")}
	}
	out = append(out, camps)

	// 五、信息报送 and 六、工作亮点
	counts, err := s.WorkCounts(ctx, a, month, month)
	if err != nil {
		return nil, err
	}
	work := SummarySection{Heading: t("workplan.summary.work")}
	tb := SummaryTable{Header: []string{t("workplan.case_unit"), t("workplan.work.submitted"), t("workplan.work.adopted"), t("workplan.work.highlights")}}
	var sub, adopted, high int
	for _, c := range counts {
		sub, adopted, high = sub+c.Submitted, adopted+c.Adopted, high+c.Highlights
		tb.Rows = append(tb.Rows, []string{c.UnitName, fmt.Sprint(c.Submitted), fmt.Sprint(c.Adopted), fmt.Sprint(c.Highlights)})
	}
	work.Paragraphs = []string{t("workplan.summary.work_text", sub, adopted, high)}
	if len(tb.Rows) > 0 {
		work.Tables = []SummaryTable{tb}
	}
	out = append(out, work)
	highlights, err := s.WorkReports(ctx, a, WorkFilter{Highlight: true, Month: month})
	if err != nil {
		return nil, err
	}
	hs := SummarySection{Heading: t("workplan.summary.highlights")}
	for _, w := range highlights {
		if !access.InSubtree(w.RegionCode, regionCode) {
			continue
		}
		body := []rune(w.Body)
		if len(body) > 120 {
			body = append(body[:120], '…')
		}
		hs.Paragraphs = append(hs.Paragraphs, t("workplan.summary.highlight_text", w.UnitName, w.Title, string(body)))
	}
	if len(hs.Paragraphs) == 0 {
		hs.Paragraphs = []string{t("workplan.summary.no_highlight")}
	}
	out = append(out, hs)
	out = append(out, SummarySection{Heading: t("workplan.summary.next"), Paragraphs: []string{t("workplan.summary.next_text")}})
	return out, nil
}

const summaryColumns = "id, region_code, month, year, COALESCE(seq, 0), title, sections, state, created_at, updated_at, issued_at"

func scanSummary(sc interface{ Scan(...any) error }) (*Summary, error) {
	var x Summary
	var raw, state string
	var created, updated int64
	var issued sql.NullInt64
	if err := sc.Scan(&x.ID, &x.RegionCode, &x.Month, &x.Year, &x.Seq, &x.Title, &raw, &state, &created, &updated, &issued); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(raw), &x.Sections); err != nil {
		return nil, fmt.Errorf("summary sections: %w", err)
	}
	x.Issued, x.CreatedAt, x.UpdatedAt, x.IssuedAt = state == "issued", db.FromMillis(created), db.FromMillis(updated), db.FromNullMillis(issued)
	return &x, nil
}

// summaryScope limits summaries to the actor's: the office and leaders
// see their jurisdiction's; units see the issued ones of the areas they
// work in.
func summaryScope(a access.Actor) (string, []any) {
	switch {
	case a.IsAdmin():
		return "1 = 1", nil
	case a.HasAny(access.RoleOffice, access.RoleLeader) && a.Region != "":
		return region.SubtreeSQL("region_code", a.Region)
	case a.Has(access.RoleHandler) && a.Region != "":
		// An issued summary of an area that holds the unit's.
		return "state = 'issued' AND substr(CAST(? AS TEXT), 1, length(region_code)) = region_code", []any{a.Region}
	}
	return "1 = 0", nil
}

// Summaries lists the summaries the actor sees, newest month first.
func (s *Store) Summaries(ctx context.Context, a access.Actor) ([]*Summary, error) {
	if !MayOpen(a) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	where, args := summaryScope(a)
	rows, err := s.DB.Query(ctx, "SELECT "+summaryColumns+" FROM workplan_summary WHERE "+where+" ORDER BY month DESC, region_code", args...)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (*Summary, error) { return scanSummary(r) })
	if err != nil {
		return nil, fmt.Errorf("summaries: %w", err)
	}
	return list, nil
}

// Summary returns a summary the actor sees.
func (s *Store) Summary(ctx context.Context, a access.Actor, id int64) (*Summary, error) {
	where, args := summaryScope(a)
	x, err := scanSummary(s.DB.QueryRow(ctx, "SELECT "+summaryColumns+" FROM workplan_summary WHERE id = ? AND "+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("workplan.summary_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("summary %d: %w", id, err)
	}
	return x, nil
}

// SummaryEdit is the office's text of a draft: its title and each
// section's paragraphs, in section order.
type SummaryEdit struct {
	Title      string
	Paragraphs [][]string
}

func (s *Store) draftOf(ctx context.Context, a access.Actor, id int64) (*Summary, error) {
	x, err := s.Summary(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !x.CanManage(a) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	if x.Issued {
		return nil, apperr.Conflict("workplan.summary_issued")
	}
	return x, nil
}

// EditSummary saves the office's text of a draft; an issued summary is frozen.
func (s *Store) EditSummary(ctx context.Context, a access.Actor, id int64, e SummaryEdit) (*Summary, error) {
	x, err := s.draftOf(ctx, a, id)
	if err != nil {
		return nil, err
	}
	e.Title = strings.TrimSpace(e.Title)
	if e.Title == "" || len([]rune(e.Title)) > MaxTitleLen {
		return nil, apperr.Invalid("workplan.title_invalid", MaxTitleLen)
	}
	size := 0
	for i := range x.Sections {
		if i < len(e.Paragraphs) {
			var ps []string
			for _, p := range e.Paragraphs[i] {
				if p = strings.TrimSpace(p); p != "" {
					ps = append(ps, p)
					size += len([]rune(p))
				}
			}
			x.Sections[i].Paragraphs = ps
		}
	}
	if size > 10*MaxTextLen {
		return nil, apperr.Invalid("workplan.text_too_long", 10*MaxTextLen)
	}
	return s.saveDraft(ctx, a, x, e.Title)
}

// RebuildSummary drafts a draft's figures and text again from now's figures.
func (s *Store) RebuildSummary(ctx context.Context, a access.Actor, id int64) (*Summary, error) {
	x, err := s.draftOf(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if x.Sections, err = s.buildSummary(ctx, a, x.RegionCode, x.Month); err != nil {
		return nil, err
	}
	return s.saveDraft(ctx, a, x, x.Title)
}

func (s *Store) saveDraft(ctx context.Context, a access.Actor, x *Summary, title string) (*Summary, error) {
	raw, _ := json.Marshal(x.Sections)
	res, err := s.DB.Exec(ctx, "UPDATE workplan_summary SET title = ?, sections = ?, updated_at = ? WHERE id = ? AND state = 'draft'",
		title, string(raw), db.Millis(s.now()), x.ID)
	if err != nil {
		return nil, fmt.Errorf("save summary: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, apperr.Conflict("workplan.summary_issued")
	}
	return s.Summary(ctx, a, x.ID)
}

// IssueSummary freezes a draft and numbers it: 第 N 期 of its scope's
// year. Two offices issuing at once cannot share a number.
func (s *Store) IssueSummary(ctx context.Context, a access.Actor, id int64) (*Summary, error) {
	x, err := s.draftOf(ctx, a, id)
	if err != nil {
		return nil, err
	}
	for attempt := 0; attempt < 5; attempt++ {
		var seq int
		if err := s.DB.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM workplan_summary WHERE region_code = ? AND year = ?",
			x.RegionCode, x.Year).Scan(&seq); err != nil {
			return nil, fmt.Errorf("next summary number: %w", err)
		}
		res, err := s.DB.Exec(ctx, "UPDATE workplan_summary SET state = 'issued', seq = ?, issued_by = ?, issued_at = ? WHERE id = ? AND state = 'draft'",
			seq, db.NullID(a.UserID), db.Millis(s.now()), id)
		if db.IsUniqueViolation(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("issue summary: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil, apperr.Conflict("workplan.summary_issued")
		}
		return s.Summary(ctx, a, id)
	}
	return nil, apperr.Conflict("workplan.summary_issued")
}

// Issuer is the name of the office of the summary's area.
func (s *Store) Issuer(ctx context.Context, x *Summary) (string, error) {
	units, err := org.UnitsInArea(ctx, s.DB, x.RegionCode, org.KindOffice)
	if err != nil {
		return "", err
	}
	for _, u := range units {
		if u.RegionCode == x.RegionCode {
			return u.Name, nil
		}
	}
	return "", nil
}

// WritePDF writes the summary as a printed notice (红头) with pdfdoc; its
// text goes in as text, never as markup.
func (x *Summary) WritePDF(w io.Writer, issuer string, t func(string, ...any) string) error {
	n := pdfdoc.Notice{Issuer: issuer, Title: x.Title, Number: x.NumberText(t)}
	if x.Issued {
		n.Date = x.IssuedAt.In(calendar.Shanghai()).Format("2006年1月2日")
	}
	for _, sec := range x.Sections {
		ps := pdfdoc.Section{Heading: sec.Heading, Paragraphs: sec.Paragraphs}
		for _, tb := range sec.Tables {
			ps.Tables = append(ps.Tables, pdfdoc.Table{Header: tb.Header, Rows: tb.Rows})
		}
		n.Sections = append(n.Sections, ps)
	}
	return pdfdoc.Render(w, n)
}

// WriteXLSX writes the summary as one sheet: headings, paragraphs and tables in order.
func (x *Summary) WriteXLSX(w io.Writer, t func(string, ...any) string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	n := 1
	put := func(cells ...any) error {
		row := sheetsafe.Row(cells)
		cell, _ := excelize.CoordinatesToCellName(1, n)
		n++
		return f.SetSheetRow(sheet, cell, &row)
	}
	if err := put(x.Title); err != nil {
		return err
	}
	if err := put(x.NumberText(t)); err != nil {
		return err
	}
	for _, sec := range x.Sections {
		n++
		if err := put(sec.Heading); err != nil {
			return err
		}
		for _, p := range sec.Paragraphs {
			if err := put(p); err != nil {
				return err
			}
		}
		for _, tb := range sec.Tables {
			cells := make([]any, len(tb.Header))
			for i, h := range tb.Header {
				cells[i] = h
			}
			if err := put(cells...); err != nil {
				return err
			}
			for _, r := range tb.Rows {
				cells := make([]any, len(r))
				for i, c := range r {
					cells[i] = c
				}
				if err := put(cells...); err != nil {
					return err
				}
			}
		}
	}
	_ = f.SetColWidth(sheet, "A", "A", 60)
	return f.Write(w)
}
