package workplan

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// BoardRow is one unit's line on the board (亮晒比): its tasks as lead
// unit, on time, late and done, progress against targets and money.
type BoardRow struct {
	UnitID     int64
	UnitName   string
	Tasks      int
	Done       int // accepted by the office
	DoneOnTime int // of Done: finished by the deadline
	DoneLate   int
	Overdue    int // open and past the deadline
	InProgress int // open, not yet due (reported on at least once)
	NotStarted int
	Review     int // finished, waiting for the office
	Paused     int
	Targeted   int     // tasks with a target
	ShareSum   float64 // sum of their shares
	Budget     float64 // money planned, 万元
	Spent      float64 // money spent, 万元
	Funded     int     // tasks with money planned
}

// Progress is the mean progress against target of the unit's targeted
// tasks, 0..1 (0 when none has a target).
func (r BoardRow) Progress() float64 {
	if r.Targeted == 0 {
		return 0
	}
	return r.ShareSum / float64(r.Targeted)
}

// Percent is Progress in whole percent, for a bar.
func (r BoardRow) Percent() int { return int(r.Progress()*100 + 0.5) }

// OnTimeRate is DoneOnTime over the tasks due by now or done; -1 when none.
func (r BoardRow) OnTimeRate() float64 {
	due := r.Done + r.Overdue + r.Review
	if due == 0 {
		return -1
	}
	return float64(r.DoneOnTime) / float64(due)
}

// SpentPercent is money spent over money planned in whole percent.
func (r BoardRow) SpentPercent() int {
	if r.Budget <= 0 {
		return 0
	}
	return int(min(1, r.Spent/r.Budget)*100 + 0.5)
}

func (r *BoardRow) add(t *Task, now time.Time) {
	r.Tasks++
	switch st := t.Status(now); st {
	case Status(Done):
		r.Done++
		if t.Late(now) {
			r.DoneLate++
		} else {
			r.DoneOnTime++
		}
	case Overdue:
		r.Overdue++
	case Status(InProgress):
		r.InProgress++
	case Status(NotStarted):
		r.NotStarted++
	case Status(Review):
		r.Review++
	case Status(Paused):
		r.Paused++
	}
	if t.Target.Valid && t.Target.Float64 > 0 {
		r.Targeted++
		r.ShareSum += t.Share()
	}
	if t.Budget.Valid {
		r.Funded++
		r.Budget += t.Budget.Float64
	}
	r.Spent += t.Spent
}

// Board is a plan's board.
type Board struct {
	Plan  Plan
	Rows  []BoardRow
	Total BoardRow
	Tasks []*Task // in plan order
	Now   time.Time
}

// Board counts a plan's tasks by lead unit, each task once whether it is
// a group of the plan or a task below one (a group's own target and
// money are its own, not the sum of its tasks'). Units are ranked by
// tasks done on time, then by fewest overdue, then by progress.
func (s *Store) Board(ctx context.Context, a access.Actor, planID int64) (*Board, error) {
	p, err := s.Plan(ctx, a, planID)
	if err != nil {
		return nil, err
	}
	tasks, err := s.Tasks(ctx, a, TaskFilter{PlanID: p.ID})
	if err != nil {
		return nil, err
	}
	return BuildBoard(p, tasks, s.now()), nil
}

// BuildBoard counts the tasks; it is the board's arithmetic alone.
func BuildBoard(p Plan, tasks []*Task, now time.Time) *Board {
	b := &Board{Plan: p, Now: now, Total: BoardRow{}}
	rows := map[int64]*BoardRow{}
	for _, t := range tasks {
		b.Tasks = append(b.Tasks, t)
		r := rows[t.LeadUnitID]
		if r == nil {
			r = &BoardRow{UnitID: t.LeadUnitID, UnitName: t.LeadUnitName}
			rows[t.LeadUnitID] = r
		}
		r.add(t, now)
		b.Total.add(t, now)
	}
	for _, r := range rows {
		b.Rows = append(b.Rows, *r)
	}
	sort.Slice(b.Rows, func(i, j int) bool {
		x, y := b.Rows[i], b.Rows[j]
		if x.DoneOnTime != y.DoneOnTime {
			return x.DoneOnTime > y.DoneOnTime
		}
		if x.Overdue != y.Overdue {
			return x.Overdue < y.Overdue
		}
		if x.Progress() != y.Progress() {
			return x.Progress() > y.Progress()
		}
		return x.UnitName < y.UnitName
	})
	return b
}

// WriteXLSX writes the board: a sheet of units, a sheet of tasks.
func (b *Board) WriteXLSX(w io.Writer, t func(string, ...any) string) error {
	f := excelize.NewFile()
	defer f.Close()
	units := f.GetSheetName(0)
	_ = f.SetSheetName(units, t("workplan.board.sheet_units"))
	units = t("workplan.board.sheet_units")
	head := []any{t("workplan.board.rank"), t("workplan.lead_unit"), t("workplan.board.tasks"), t("workplan.board.done"),
		t("workplan.board.on_time"), t("workplan.board.late"), t("workplan.state.overdue"), t("workplan.state.in_progress"),
		t("workplan.state.not_started"), t("workplan.board.progress"), t("workplan.board.budget"), t("workplan.board.spent")}
	if err := f.SetSheetRow(units, "A1", &head); err != nil {
		return fmt.Errorf("board sheet: %w", err)
	}
	put := func(sheet string, n int, row []any) error {
		row = sheetsafe.Row(row)
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return f.SetSheetRow(sheet, cell, &row)
	}
	for i, r := range b.Rows {
		if err := put(units, i+2, []any{i + 1, r.UnitName, r.Tasks, r.Done, r.DoneOnTime, r.DoneLate, r.Overdue, r.InProgress,
			r.NotStarted, float64(r.Percent()) / 100, r.Budget, r.Spent}); err != nil {
			return fmt.Errorf("board sheet: %w", err)
		}
	}
	tr := b.Total
	if err := put(units, len(b.Rows)+2, []any{"", t("workplan.board.total"), tr.Tasks, tr.Done, tr.DoneOnTime, tr.DoneLate, tr.Overdue,
		tr.InProgress, tr.NotStarted, float64(tr.Percent()) / 100, tr.Budget, tr.Spent}); err != nil {
		return fmt.Errorf("board sheet: %w", err)
	}
	style, err := f.NewStyle(&excelize.Style{NumFmt: 9})
	if err == nil {
		_ = f.SetCellStyle(units, "J2", fmt.Sprintf("J%d", len(b.Rows)+2), style)
	}
	tasks := t("workplan.board.sheet_tasks")
	if _, err := f.NewSheet(tasks); err != nil {
		return fmt.Errorf("board sheet: %w", err)
	}
	head = []any{ColSeq.Header(), ColTitle.Header(), ColLead.Header(), ColCoop.Header(), ColDue.Header(), ColTarget.Header(),
		ColProgress.Header(), t("workplan.board.progress"), ColState.Header(), t("workplan.board.budget"), t("workplan.board.spent")}
	if err := f.SetSheetRow(tasks, "A1", &head); err != nil {
		return fmt.Errorf("board sheet: %w", err)
	}
	for i, tk := range b.Tasks {
		row := []any{tk.Seq, tk.Title, tk.LeadUnitName, joinNames(tk.CoopNames), tk.DueOn, tk.TargetText(), "", "", t(tk.Status(b.Now).Key()), "", tk.Spent}
		if tk.Target.Valid {
			row[6], row[7] = tk.ProgressText(), float64(tk.Percent())/100
		}
		if tk.Budget.Valid {
			row[9] = tk.Budget.Float64
		}
		if err := put(tasks, i+2, row); err != nil {
			return fmt.Errorf("board sheet: %w", err)
		}
	}
	return f.Write(w)
}

func joinNames(ns []string) string {
	out := ""
	for i, n := range ns {
		if i > 0 {
			out += "、"
		}
		out += n
	}
	return out
}

// BudgetText is the money planned in 万元.
func (r BoardRow) BudgetText() string { return FormatAmount(r.Budget) }

// SpentText is the money spent in 万元.
func (r BoardRow) SpentText() string { return FormatAmount(r.Spent) }
