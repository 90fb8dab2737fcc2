package calendar

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// RowError is one rejected row of an uploaded schedule.
type RowError struct {
	Line int    // 1-based line in the file; 0 for the file as a whole
	Code string // catalogue key, e.g. "calendar.date_invalid"
	Args []any  // arguments of the catalogue message
}

func (e RowError) Error() string {
	return fmt.Sprintf("line %d: %s%v", e.Line, e.Code, e.Args)
}

// MaxUploadBytes bounds an uploaded schedule; a year has at most 366 rows.
const MaxUploadBytes = 64 << 10

// ParseDays reads a schedule as CSV with the columns date,kind,name (name
// optional). A header row, a UTF-8 byte-order mark (Excel writes one),
// blank lines and lines starting with # are skipped. Dates may be written
// 2026-02-14, 2026/2/14 or 2026-2-14; kinds as holiday/workday or as
// 放假/休 and 上班/班. Rows are checked on their own (date, kind, a workday
// on a weekend, no date twice); the year is checked by ReplaceYear. The
// caller should refuse the whole upload when any RowError is returned.
func ParseDays(r io.Reader) ([]Day, []RowError) {
	body, err := io.ReadAll(io.LimitReader(r, MaxUploadBytes+1))
	if err != nil {
		return nil, []RowError{{Code: "calendar.import.unreadable"}}
	}
	if len(body) > MaxUploadBytes {
		return nil, []RowError{{Code: "calendar.import.too_large", Args: []any{MaxUploadBytes >> 10}}}
	}
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(body))
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	var (
		days []Day
		errs []RowError
		seen = map[string]int{} // date → line
		rows int
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			errs = append(errs, RowError{Line: line, Code: "calendar.import.bad_csv"})
			break
		}
		line, _ := cr.FieldPos(0)
		rows++
		if rows == 1 && isHeader(rec[0]) {
			continue
		}
		if len(rec) < 2 || len(rec) > 3 {
			errs = append(errs, RowError{Line: line, Code: "calendar.import.column_count", Args: []any{len(rec)}})
			continue
		}
		d := Day{Date: normalizeDate(rec[0]), Kind: normalizeKind(rec[1])}
		if len(rec) == 3 {
			d.Name = strings.TrimSpace(rec[2])
		}
		if err := checkDay(d); err != nil {
			e := apperr.As(err)
			errs = append(errs, RowError{Line: line, Code: e.Code, Args: e.Args})
			continue
		}
		if prev, dup := seen[d.Date]; dup {
			errs = append(errs, RowError{Line: line, Code: "calendar.import.duplicate", Args: []any{d.Date, prev}})
			continue
		}
		seen[d.Date] = line
		days = append(days, d)
	}
	if len(days) == 0 && len(errs) == 0 {
		errs = append(errs, RowError{Code: "calendar.import.empty"})
	}
	return days, errs
}

func isHeader(first string) bool {
	f := strings.ToLower(strings.TrimSpace(first))
	return f == "date" || f == "日期"
}

// normalizeDate writes 2026/2/14 and 2026-2-14 as 2026-02-14; anything it
// cannot read is returned trimmed, for checkDay to reject with the text.
func normalizeDate(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{DateLayout, "2006-1-2", "2006/1/2", "2006.1.2"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(DateLayout)
		}
	}
	return s
}

func normalizeKind(s string) DayKind {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "holiday", "放假", "休", "假":
		return KindHoliday
	case "workday", "上班", "班", "调休上班":
		return KindWorkday
	}
	return DayKind(s)
}
