package workplan

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// Column is a column of the plan sheet, in the layout offices write plans
// in: 序号、任务、牵头单位、配合单位、完成时限、目标, then the optional ones.
type Column int

// The columns.
const (
	ColSeq Column = iota
	ColTitle
	ColLead
	ColCoop
	ColDue
	ColTarget
	ColLeader
	ColStart
	ColDescription
	ColCriteria
	ColBudget
	numImportColumns
)

// The columns an export adds after them, ignored on import.
const (
	ColState Column = numImportColumns + iota
	ColProgress
	ColSpent
	numColumns
)

// headers are each column's title first, then the other titles it goes by.
var headers = [numColumns][]string{
	ColSeq:         {"序号", "编号"},
	ColTitle:       {"任务", "工作任务", "任务名称", "重点任务", "工作内容"},
	ColLead:        {"牵头单位", "责任单位", "牵头部门"},
	ColCoop:        {"配合单位", "协办单位", "配合部门"},
	ColDue:         {"完成时限", "完成时间", "时限", "截止时间"},
	ColTarget:      {"目标", "工作目标", "目标任务", "量化目标"},
	ColLeader:      {"责任领导", "分管领导", "责任人"},
	ColStart:       {"开始时间", "启动时间"},
	ColDescription: {"任务说明", "具体措施", "工作措施", "说明"},
	ColCriteria:    {"测评指标", "对应指标", "测评标准"},
	ColBudget:      {"计划资金（万元）", "计划资金", "计划投资", "预算"},
	ColState:       {"状态"},
	ColProgress:    {"完成情况"},
	ColSpent:       {"已投入资金（万元）"},
}

// Header is the column's title.
func (c Column) Header() string { return headers[c][0] }

// ImportHeaders are the titles of the columns an import reads.
func ImportHeaders() []string {
	out := make([]string, numImportColumns)
	for c := range numImportColumns {
		out[c] = headers[c][0]
	}
	return out
}

// field maps a TaskError's field to its column.
var fieldColumn = map[string]Column{
	"seq": ColSeq, "title": ColTitle, "lead": ColLead, "coop": ColCoop, "due": ColDue, "target": ColTarget,
	"start": ColStart, "criteria": ColCriteria, "budget": ColBudget,
}

// RowError is one problem with one row of an imported sheet.
type RowError = sheetsafe.RowError

// Limits of an imported sheet.
const (
	MaxImportBytes = 10 << 20
	MaxImportRows  = 5000
)

// target reads a target as written: 68个老旧庭院, 1.3万处, 3,200万元, 3200余万元.
var targetPattern = regexp.MustCompile(`^([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(?:余|多)?\s*(.{0,20})$`)

// ParseTarget splits a target cell into its number and unit.
func ParseTarget(v string) (float64, string, bool) {
	m := targetPattern.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return 0, "", false
	}
	x, err := strconv.ParseFloat(strings.NewReplacer(",", "", "，", "").Replace(m[1]), 64)
	if err != nil {
		return 0, "", false
	}
	return x, strings.TrimSpace(m[2]), true
}

// splitUnits splits a cell of unit names: 区城管局、区园林办，区教育局.
func splitUnits(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return strings.ContainsRune("、,，;；/\n\r\t ", r)
	})
}

type sheetRow struct {
	n     int
	cells []string
}

func (r sheetRow) get(cols map[Column]int, c Column) string {
	if i, ok := cols[c]; ok && i < len(r.cells) {
		return r.cells[i]
	}
	return ""
}

// readPlanSheet reads the header and data rows of the first sheet.
func readPlanSheet(r io.Reader) (map[Column]int, []string, []sheetRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read workbook: %w", err)
	}
	if len(data) > MaxImportBytes {
		return nil, nil, nil, apperr.Invalid("workplan.import.too_large", MaxImportBytes>>20)
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, nil, nil, apperr.Invalid("workplan.import.not_xlsx")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 32 << 20})
	if err != nil {
		return nil, nil, nil, apperr.Invalid("workplan.import.not_xlsx")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, nil, apperr.Invalid("workplan.import.not_xlsx")
	}
	all, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, nil, nil, apperr.Invalid("workplan.import.not_xlsx")
	}
	known := map[string]Column{}
	for c := range numColumns {
		for _, h := range headers[c] {
			known[normHeader(h)] = c
		}
	}
	var cols map[Column]int
	var titles []string
	var out []sheetRow
	for i, cells := range all {
		for j := range cells {
			cells[j] = sheetsafe.Restore(strings.TrimSpace(cells[j]))
		}
		if cols == nil {
			if i >= 10 {
				break
			}
			found := map[Column]int{}
			for j, c := range cells {
				if col, ok := known[normHeader(c)]; ok {
					if _, dup := found[col]; !dup {
						found[col] = j
					}
				}
			}
			if _, ok := found[ColTitle]; ok && len(found) >= 3 {
				cols, titles = found, cells
			}
			continue
		}
		if !slices.ContainsFunc(cells, func(c string) bool { return c != "" }) {
			continue
		}
		if len(out) == MaxImportRows {
			return nil, nil, nil, apperr.Invalid("workplan.import.too_many_rows", MaxImportRows)
		}
		out = append(out, sheetRow{n: i + 1, cells: cells})
	}
	if cols == nil {
		return nil, nil, nil, apperr.Invalid("workplan.import.no_header")
	}
	for _, c := range []Column{ColTitle, ColLead, ColDue} {
		if _, ok := cols[c]; !ok {
			return nil, nil, nil, apperr.Invalid("workplan.import.column_missing", c.Header())
		}
	}
	if len(out) == 0 {
		return nil, nil, nil, apperr.Invalid("workplan.import.no_rows")
	}
	return cols, titles, out, nil
}

func normHeader(s string) string {
	return strings.NewReplacer(" ", "", "\u3000", "", "*", "", "＊", "", "(", "（", ")", "）", "\n", "").Replace(strings.TrimSpace(s))
}

// parseRows turns sheet rows into task inputs, resolving unit names; the
// errors found here are row-numbered already.
func (s *Store) parseRows(ctx context.Context, cols map[Column]int, titles []string, rows []sheetRow) ([]TaskInput, []RowError, error) {
	title := func(c Column) string {
		if i, ok := cols[c]; ok && i < len(titles) {
			return titles[i]
		}
		return c.Header()
	}
	cache := map[string][]org.UnitMatch{}
	resolve := func(name string) ([]org.UnitMatch, error) {
		if m, ok := cache[name]; ok {
			return m, nil
		}
		m, err := org.UnitsByCodeOrName(ctx, s.DB, name, org.UnitKinds())
		cache[name] = m
		return m, err
	}
	var errs []RowError
	tasks := make([]TaskInput, len(rows))
	for i, row := range rows {
		in := TaskInput{failed: map[string]bool{}}
		fail := func(field string, c Column, code string, args ...any) {
			in.failed[field] = true
			errs = append(errs, RowError{Row: row.n, Column: title(c), Code: code, Args: args})
		}
		in.Seq = row.get(cols, ColSeq)
		in.Title = row.get(cols, ColTitle)
		in.Description = row.get(cols, ColDescription)
		in.Leader = row.get(cols, ColLeader)
		in.StartsOn = row.get(cols, ColStart)
		in.Due = row.get(cols, ColDue)
		if v := row.get(cols, ColStart); v != "" {
			if d, ok := excelDate(v); ok {
				in.StartsOn = d
			}
		}
		if d, ok := excelDate(in.Due); ok {
			in.Due = d
		}
		if lead := row.get(cols, ColLead); lead == "" {
			fail("lead", ColLead, "workplan.lead_missing")
		} else if m, err := resolve(lead); err != nil {
			return nil, nil, err
		} else if len(m) == 0 {
			fail("lead", ColLead, "workplan.unit_unknown", lead)
		} else if len(m) > 1 {
			fail("lead", ColLead, "workplan.unit_ambiguous", lead)
		} else {
			in.LeadUnitID = m[0].ID
		}
		for _, name := range splitUnits(row.get(cols, ColCoop)) {
			m, err := resolve(name)
			switch {
			case err != nil:
				return nil, nil, err
			case len(m) == 0:
				fail("coop", ColCoop, "workplan.unit_unknown", name)
			case len(m) > 1:
				fail("coop", ColCoop, "workplan.unit_ambiguous", name)
			default:
				in.CoopUnitIDs = append(in.CoopUnitIDs, m[0].ID)
			}
		}
		if v := row.get(cols, ColTarget); v != "" {
			x, unit, ok := ParseTarget(v)
			if !ok {
				fail("target", ColTarget, "workplan.target_not_number", v)
			} else {
				in.Target, in.TargetUnit = &x, unit
			}
		}
		if v := row.get(cols, ColBudget); v != "" {
			x, err := strconv.ParseFloat(strings.NewReplacer(",", "", "，", "", "万元", "").Replace(v), 64)
			if err != nil {
				fail("budget", ColBudget, "workplan.budget_invalid")
			} else {
				in.Budget = &x
			}
		}
		for _, code := range splitUnits(row.get(cols, ColCriteria)) {
			in.Criteria = append(in.Criteria, code)
		}
		tasks[i] = in
	}
	return tasks, errs, nil
}

// excelDate turns a date cell Excel stored as a serial number into
// YYYY-MM-DD; anything else is left to ParseDate.
func excelDate(v string) (string, bool) {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 20000 || n > 80000 {
		return "", false
	}
	t, err := excelize.ExcelDateToTime(n, false)
	if err != nil {
		return "", false
	}
	return t.Format(dateLayout), true
}

// rowErrors turns the store's task errors into row errors.
func rowErrors(terrs []TaskError, rows []sheetRow, cols map[Column]int, titles []string) []RowError {
	out := make([]RowError, 0, len(terrs))
	for _, e := range terrs {
		c := fieldColumn[e.Field]
		name := c.Header()
		if i, ok := cols[c]; ok && i < len(titles) {
			name = titles[i]
		}
		out = append(out, RowError{Row: rows[e.Index].n, Column: name, Code: e.Code, Args: e.Args})
	}
	return out
}

// ImportPlan makes a plan from a sheet in the offices' layout, all or
// nothing: when any row is wrong, the row errors say why and nothing is
// stored.
func (s *Store) ImportPlan(ctx context.Context, a access.Actor, in PlanInput, r io.Reader) (Plan, []RowError, error) {
	if err := in.check(a); err != nil {
		return Plan{}, nil, err
	}
	cols, titles, rows, err := readPlanSheet(r)
	if err != nil {
		return Plan{}, nil, err
	}
	tasks, errs, err := s.parseRows(ctx, cols, titles, rows)
	if err != nil {
		return Plan{}, nil, err
	}
	p, terrs, err := s.createPlan(ctx, a, in, tasks, len(errs) > 0)
	if err != nil {
		return Plan{}, nil, err
	}
	if errs = mergeErrors(errs, rowErrors(terrs, rows, cols, titles)); len(errs) > 0 {
		return Plan{}, errs, nil
	}
	return p, nil, nil
}

// ImportTasks adds a sheet's tasks to a plan, all or nothing.
func (s *Store) ImportTasks(ctx context.Context, a access.Actor, planID int64, r io.Reader) (int, []RowError, error) {
	p, err := s.Plan(ctx, a, planID)
	if err != nil {
		return 0, nil, err
	}
	if !p.CanManage(a) {
		return 0, nil, apperr.Forbidden("workplan.forbidden")
	}
	cols, titles, rows, err := readPlanSheet(r)
	if err != nil {
		return 0, nil, err
	}
	tasks, errs, err := s.parseRows(ctx, cols, titles, rows)
	if err != nil {
		return 0, nil, err
	}
	terrs, err := s.addTasksTx(ctx, a, planID, tasks, len(errs) > 0)
	if err != nil {
		return 0, nil, err
	}
	if errs = mergeErrors(errs, rowErrors(terrs, rows, cols, titles)); len(errs) > 0 {
		return 0, errs, nil
	}
	return len(tasks), nil, nil
}

func mergeErrors(a, b []RowError) []RowError {
	out := append(a, b...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out
}

// ExportPlan writes a plan's tasks the actor sees in the import layout,
// with their state and progress after it; the sheet imports again.
func (s *Store) ExportPlan(ctx context.Context, a access.Actor, w io.Writer, planID int64, t func(string, ...any) string) error {
	p, err := s.Plan(ctx, a, planID)
	if err != nil {
		return err
	}
	tasks, err := s.Tasks(ctx, a, TaskFilter{PlanID: p.ID})
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	head := make([]any, numColumns)
	for c := range numColumns {
		head[c] = c.Header()
	}
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return fmt.Errorf("export plan: %w", err)
	}
	now := s.now()
	for i, tk := range tasks {
		row := []any{tk.Seq, tk.Title, tk.LeadUnitName, strings.Join(tk.CoopNames, "、"), tk.DueText, tk.TargetText(), tk.Leader,
			tk.StartsOn, tk.Description, strings.Join(tk.Criteria, "、"), "", t(tk.Status(now).Key()), "", tk.Spent}
		if tk.Budget.Valid {
			row[ColBudget] = tk.Budget.Float64
		}
		if tk.Target.Valid {
			row[ColProgress] = tk.ProgressText()
		}
		row = sheetsafe.Row(row)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return fmt.Errorf("export plan: %w", err)
		}
	}
	for c, wd := range []float64{6, 40, 22, 30, 14, 16, 12, 12, 40, 16, 12, 10, 14, 14} {
		col, _ := excelize.ColumnNumberToName(c + 1)
		_ = f.SetColWidth(sheet, col, col, wd)
	}
	return f.Write(w)
}

// Template writes an empty plan sheet with the import headers and one example row.
func Template(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	head := make([]any, numImportColumns)
	for c := range numImportColumns {
		head[c] = c.Header()
	}
	ex := []any{"1", "老旧庭院整治提升", "湛河区住房和城乡建设局", "湛河区城市管理局、湛河区园林绿化中心", "2026-06-30", "68个", "", "", "", "", 3200}
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return err
	}
	if err := f.SetSheetRow(sheet, "A2", &ex); err != nil {
		return err
	}
	return f.Write(w)
}
