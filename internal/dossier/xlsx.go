package dossier

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// The requirement sheet's columns, in order, with the field each feeds.
var sheetColumns = []struct{ title, field string }{
	{"标准编码", "criterion"},
	{"材料名称", "title"},
	{"材料说明", "description"},
	{"材料类型", "types"},
	{"牵头单位", "lead"},
	{"配合单位", "coop"},
	{"报送频次", "frequency"},
	{"起始月份", "period_from"},
	{"截止月份", "period_to"},
	{"报送期限（天）", "due_days"},
	{"截止日期", "due_on"},
}

// MaxImportBytes bounds a requirement sheet; MaxImportRows its rows.
const (
	MaxImportBytes = 10 << 20
	MaxImportRows  = 5000
)

// WriteRequirements writes a round's requirements as the sheet
// ImportRequirements reads (an empty round gives the template).
func (s *Store) WriteRequirements(ctx context.Context, a access.Actor, roundID int64, w io.Writer) error {
	reqs, err := s.Requirements(ctx, a, roundID)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return fmt.Errorf("requirement sheet: %w", err)
	}
	head := make([]any, len(sheetColumns))
	for i, c := range sheetColumns {
		head[i] = c.title
	}
	if err := sheetsafe.SetRow(sw, "A1", head); err != nil {
		return fmt.Errorf("requirement sheet: %w", err)
	}
	for i, q := range reqs {
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{q.CriterionCode, q.Title, q.Description, q.TypeNames(), q.LeadUnitName, strings.Join(q.CoopNames, "、"),
			freqNames[q.Frequency], q.PeriodFrom, q.PeriodTo, q.DueDays, q.DueOn}
		if err := sheetsafe.SetRow(sw, ref, row); err != nil {
			return fmt.Errorf("requirement sheet: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("requirement sheet: %w", err)
	}
	return f.Write(w)
}

// ImportRequirements reads requirements from an XLSX sheet and adds them
// to the round, all or none: any fault is reported with its row and
// column (sheetsafe.RowError) and nothing is written.
func (s *Store) ImportRequirements(ctx context.Context, a access.Actor, roundID int64, data []byte) (int, []sheetsafe.RowError, error) {
	r, err := s.Round(ctx, a, roundID)
	if err != nil {
		return 0, nil, err
	}
	if !r.CanManage(a) {
		return 0, nil, apperr.Forbidden("dossier.forbidden")
	}
	if len(data) > MaxImportBytes {
		return 0, nil, apperr.Invalid("dossier.sheet_too_large")
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return 0, nil, apperr.Invalid("dossier.not_sheet")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 32 << 20})
	if err != nil {
		return 0, nil, apperr.Invalid("dossier.not_sheet")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return 0, nil, apperr.Invalid("dossier.not_sheet")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil || len(rows) == 0 {
		return 0, nil, apperr.Invalid("dossier.not_sheet")
	}
	if len(rows) > MaxImportRows+1 {
		return 0, nil, apperr.Invalid("dossier.too_many_rows", MaxImportRows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		h = strings.TrimSpace(h)
		for _, c := range sheetColumns {
			if h == c.title || strings.TrimSuffix(c.title, "（天）") == h {
				col[c.field] = i
			}
		}
	}
	var errs []sheetsafe.RowError
	title := map[string]string{}
	for _, c := range sheetColumns {
		title[c.field] = c.title
	}
	for _, need := range []string{"criterion", "title", "lead", "frequency"} {
		if _, ok := col[need]; !ok {
			errs = append(errs, sheetsafe.RowError{Row: 1, Column: title[need], Code: "dossier.column_missing"})
		}
	}
	if len(errs) > 0 {
		return 0, errs, nil
	}
	cellOf := func(row []string, field string) string {
		i, ok := col[field]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(sheetsafe.Restore(row[i]))
	}
	type parsed struct {
		row int
		in  RequirementInput
	}
	var inputs []parsed
	var unitIDs []int64
	resolve := func(n int, field, v string) int64 {
		ms, err := org.UnitsByCodeOrName(ctx, s.DB, v, org.UnitKinds())
		if err != nil || len(ms) != 1 {
			errs = append(errs, sheetsafe.RowError{Row: n, Column: title[field], Code: "dossier.unit_unknown_named", Args: []any{v}})
			return 0
		}
		unitIDs = append(unitIDs, ms[0].ID)
		return ms[0].ID
	}
	for i, row := range rows[1:] {
		n := i + 2
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		in := RequirementInput{CriterionCode: cellOf(row, "criterion"), Title: cellOf(row, "title"), Description: cellOf(row, "description"),
			PeriodFrom: cellOf(row, "period_from"), PeriodTo: cellOf(row, "period_to"), DueOn: cellOf(row, "due_on")}
		before := len(errs)
		for _, t := range framework.SplitList(cellOf(row, "types")) {
			mt, ok := parseType(t)
			if !ok {
				errs = append(errs, sheetsafe.RowError{Row: n, Column: title["types"], Code: "dossier.type_invalid"})
				break
			}
			in.Types = append(in.Types, mt)
		}
		fr, ok := parseFrequency(cellOf(row, "frequency"))
		if !ok {
			errs = append(errs, sheetsafe.RowError{Row: n, Column: title["frequency"], Code: "dossier.freq_invalid"})
		}
		in.Frequency = fr
		if v := cellOf(row, "due_days"); v != "" {
			d, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, sheetsafe.RowError{Row: n, Column: title["due_days"], Code: "dossier.due_days_invalid", Args: []any{MaxDueDays}})
			} else {
				in.DueDays = &d
			}
		}
		if v := cellOf(row, "lead"); v != "" {
			in.LeadUnitID = resolve(n, "lead", v)
		}
		for _, v := range framework.SplitList(cellOf(row, "coop")) {
			if id := resolve(n, "coop", v); id != 0 {
				in.CoopUnitIDs = append(in.CoopUnitIDs, id)
			}
		}
		if len(errs) > before {
			// The row's other checks would repeat what is already said.
			if in.LeadUnitID == 0 && cellOf(row, "lead") != "" {
				continue
			}
		}
		inputs = append(inputs, parsed{n, in})
	}
	c, err := s.checker(ctx, r, unitIDs)
	if err != nil {
		return 0, nil, err
	}
	var reqs []*Requirement
	for _, p := range inputs {
		q, fe := c.check(p.in)
		for _, e := range fe {
			if e.field == "lead" && p.in.LeadUnitID == 0 && e.err.Code == "dossier.unit_unknown" {
				continue // reported by resolve, or the lead is missing below
			}
			errs = append(errs, sheetsafe.RowError{Row: p.row, Column: title[e.field], Code: e.err.Code, Args: e.err.Args})
		}
		reqs = append(reqs, q)
	}
	if len(errs) > 0 {
		return 0, errs, nil
	}
	if len(reqs) == 0 {
		return 0, []sheetsafe.RowError{{Code: "dossier.sheet_empty"}}, nil
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, q := range reqs {
			if _, err := s.insertRequirement(ctx, tx, roundID, q); err != nil {
				return err
			}
			if r.State == RoundOpen {
				if _, err := generate(ctx, tx, roundID, q); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return len(reqs), nil, nil
}

func parseType(s string) (MaterialType, bool) {
	s = strings.TrimSpace(s)
	for t, name := range typeNames {
		if s == name || s == string(t) {
			return t, true
		}
	}
	return "", false
}

func parseFrequency(s string) (Frequency, bool) {
	s = strings.TrimSpace(s)
	for f, name := range freqNames {
		if s == name || s == string(f) || strings.TrimPrefix(name, "每") == s {
			return f, true
		}
	}
	switch s {
	case "按月", "月度", "月报":
		return Monthly, true
	case "按季度", "季报", "季度":
		return Quarterly, true
	case "一次性", "单次":
		return Once, true
	}
	return "", false
}
