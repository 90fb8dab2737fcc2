package survey

// The questionnaire sheet. A questionnaire travels as one XLSX sheet, one
// question a row, under a header row with these titles (in any order):
//
//	分部      the section's title (a new title starts a new section)
//	编码      the question's code, unique: Q1, A2 …
//	题目      the question's text
//	题型      单选、多选、是否、评分、数字、填空 (or single, multi, yesno, rating, number, text)
//	必答      是 / 否 (empty: 是)
//	维度      知晓、支持、参与、满意 or empty
//	选项      the options, separated by |; empty for 是否 (是|否|不清楚) and 评分 (非常满意…非常不满意)
//	正向答案  the options that count as positive, separated by |; empty: 是 for 是否, 非常满意|满意 for 评分
//	分值      the options' scores, in option order, separated by |; empty: 100|80|60|40|0 for 评分
//	不计入    the options that are not valid answers (不清楚, 拒答); empty: those words among the options
//	显示条件  skip logic: CODE=ANSWER, the question shown only when an earlier question has that answer
//	权重      the question's weight in 满意度 (empty: 1)
//	测评标准  the framework criterion (问卷调查) the question serves, by code
//	问题类别  the problem category code a complaint is filed under
//
// Row numbers in errors are the rows Excel shows. Import is all or nothing.

import (
	"bytes"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// The column titles of the sheet.
const (
	colSection   = "分部"
	colCode      = "编码"
	colText      = "题目"
	colKind      = "题型"
	colRequired  = "必答"
	colDimension = "维度"
	colOptions   = "选项"
	colPositive  = "正向答案"
	colScores    = "分值"
	colVoid      = "不计入"
	colShowIf    = "显示条件"
	colWeight    = "权重"
	colCriterion = "测评标准"
	colCategory  = "问题类别"
)

func sheetColumns() []string {
	return []string{colSection, colCode, colText, colKind, colRequired, colDimension, colOptions, colPositive, colScores,
		colVoid, colShowIf, colWeight, colCriterion, colCategory}
}

// MaxFileSize bounds an uploaded sheet.
const MaxFileSize = 8 << 20

// RowError is one problem with one row of an imported sheet.
type RowError = sheetsafe.RowError

func kindWords() map[string]Kind {
	return map[string]Kind{"单选": KindSingle, "单选题": KindSingle, "多选": KindMulti, "多选题": KindMulti, "是否": KindYesNo,
		"是否题": KindYesNo, "判断": KindYesNo, "评分": KindRating, "评价": KindRating, "满意度": KindRating, "数字": KindNumber,
		"数值": KindNumber, "填空": KindText, "文本": KindText, "开放": KindText}
}

func kindWord(k Kind) string {
	return map[Kind]string{KindSingle: "单选", KindMulti: "多选", KindYesNo: "是否", KindRating: "评分", KindNumber: "数字", KindText: "填空"}[k]
}

func dimWords() map[string]Dimension {
	return map[string]Dimension{"": None, "无": None, "知晓": Awareness, "知晓率": Awareness, "支持": Support, "支持率": Support,
		"参与": Participation, "参与率": Participation, "满意": Satisfaction, "满意度": Satisfaction}
}

func dimWord(d Dimension) string {
	return map[Dimension]string{None: "", Awareness: "知晓", Support: "支持", Participation: "参与", Satisfaction: "满意"}[d]
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == '|' || r == '｜' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// readRows reads the first sheet of an XLSX file.
func readRows(data []byte) ([][]string, error) {
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, apperr.Invalid("survey.not_sheet")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 128 << 20, UnzipXMLSizeLimit: 32 << 20})
	if err != nil {
		return nil, apperr.Invalid("survey.not_sheet")
	}
	defer f.Close()
	names := f.GetSheetList()
	if len(names) == 0 {
		return nil, apperr.Invalid("survey.not_sheet")
	}
	rows, err := f.GetRows(names[0])
	if err != nil {
		return nil, apperr.Invalid("survey.not_sheet")
	}
	return rows, nil
}

// header finds the header row among the first rows: the one with the
// most known titles (at least need). It returns the row's index and the
// column of each title.
func header(rows [][]string, titles []string, need int) (int, map[string]int) {
	for i := 0; i < len(rows) && i < 10; i++ {
		idx := map[string]int{}
		for j, c := range rows[i] {
			c = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(c), "*"))
			if slices.Contains(titles, c) {
				if _, dup := idx[c]; !dup {
					idx[c] = j
				}
			}
		}
		if len(idx) >= need {
			return i, idx
		}
	}
	return -1, nil
}

func cell(row []string, idx map[string]int, title string) string {
	j, ok := idx[title]
	if !ok || j >= len(row) {
		return ""
	}
	return sheetsafe.Restore(strings.TrimSpace(row[j]))
}

// ParseQuestionnaire reads a questionnaire sheet, all or nothing: the
// questions, or every row's errors.
func ParseQuestionnaire(r io.Reader) ([]Question, []RowError, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxFileSize {
		return nil, nil, apperr.Invalid("survey.file_too_large", MaxFileSize>>20)
	}
	rows, err := readRows(data)
	if err != nil {
		return nil, nil, err
	}
	at, idx := header(rows, sheetColumns(), 3)
	if at < 0 {
		return nil, []RowError{{Code: "survey.sheet_no_header"}}, nil
	}
	for _, need := range []string{colCode, colText, colKind} {
		if _, ok := idx[need]; !ok {
			return nil, []RowError{{Code: "survey.sheet_missing_column", Args: []any{need}}}, nil
		}
	}
	var qs []Question
	var rowOf []int
	var errs []RowError
	section := ""
	for i := at + 1; i < len(rows); i++ {
		row, n := rows[i], i+1
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		bad := func(col, code string, args ...any) {
			errs = append(errs, RowError{Row: n, Column: col, Code: code, Args: args})
		}
		if v := cell(row, idx, colSection); v != "" {
			section = v
		}
		q := Question{Section: section, Code: cell(row, idx, colCode), Text: cell(row, idx, colText), Required: true, Weight: 1,
			Criterion: cell(row, idx, colCriterion), Category: strings.ToUpper(cell(row, idx, colCategory))}
		kw := cell(row, idx, colKind)
		if k, ok := kindWords()[kw]; ok {
			q.Kind = k
		} else {
			q.Kind = Kind(strings.ToLower(kw))
		}
		switch v := cell(row, idx, colRequired); v {
		case "", "是", "必答", "1", "Y", "y":
		case "否", "选答", "0", "N", "n":
			q.Required = false
		default:
			bad(colRequired, "survey.q.required_invalid", v)
		}
		dw := cell(row, idx, colDimension)
		if d, ok := dimWords()[dw]; ok {
			q.Dimension = d
		} else {
			q.Dimension = Dimension(strings.ToLower(dw))
		}
		if v := cell(row, idx, colWeight); v != "" {
			w, err := strconv.ParseFloat(v, 64)
			if err != nil {
				bad(colWeight, "survey.q.weight_invalid")
			} else {
				q.Weight = w
			}
		}
		if v := cell(row, idx, colShowIf); v != "" {
			code, ans, ok := strings.Cut(strings.ReplaceAll(v, "＝", "="), "=")
			if !ok || strings.TrimSpace(code) == "" || strings.TrimSpace(ans) == "" {
				bad(colShowIf, "survey.q.skip_invalid", v)
			} else {
				q.ShowIfCode, q.ShowIfAnswer = strings.TrimSpace(code), strings.TrimSpace(ans)
			}
		}
		q.Options = parseOptions(q.Kind, cell(row, idx, colOptions), cell(row, idx, colPositive), cell(row, idx, colScores),
			cell(row, idx, colVoid), bad)
		qs = append(qs, q)
		rowOf = append(rowOf, n)
	}
	for i, list := range check(qs) {
		for _, e := range list {
			n := 0
			if i >= 0 {
				n = rowOf[i]
			}
			errs = append(errs, RowError{Row: n, Column: e.Column, Code: e.Code, Args: e.Args})
		}
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b RowError) int { return a.Row - b.Row })
		return nil, errs, nil
	}
	return qs, nil, nil
}

// parseOptions reads a row's options with their positive, void and score
// columns, and the type's defaults where they are empty.
func parseOptions(k Kind, options, positive, scores, void string, bad func(col, code string, args ...any)) []Option {
	if !k.HasOptions() {
		return nil
	}
	values := splitList(options)
	var opts []Option
	switch {
	case len(values) > 0:
		for _, v := range values {
			opts = append(opts, Option{Value: v})
		}
	case k == KindYesNo:
		opts = DefaultYesNo()
	case k == KindRating:
		opts = DefaultRating()
	}
	defaults := len(values) == 0
	find := func(col, v string) int {
		for i, o := range opts {
			if o.Value == v {
				return i
			}
		}
		bad(col, "survey.q.not_an_option", v)
		return -1
	}
	if p := splitList(positive); len(p) > 0 {
		for i := range opts {
			opts[i].Positive = false
		}
		for _, v := range p {
			if i := find(colPositive, v); i >= 0 {
				opts[i].Positive = true
			}
		}
	} else if !defaults && k == KindYesNo {
		for i := range opts {
			opts[i].Positive = opts[i].Value == "是"
		}
	} else if !defaults && k == KindRating {
		for i := range opts {
			opts[i].Positive = opts[i].Value == "非常满意" || opts[i].Value == "满意"
		}
	}
	if v := splitList(void); len(v) > 0 {
		for i := range opts {
			opts[i].Void = false
		}
		for _, x := range v {
			if i := find(colVoid, x); i >= 0 {
				opts[i].Void = true
			}
		}
	} else if !defaults {
		for i := range opts {
			opts[i].Void = slices.Contains(voidWords(), opts[i].Value)
		}
	}
	if sc := splitList(scores); len(sc) > 0 {
		scored := 0
		for i := range opts {
			if !opts[i].Void {
				scored++
			}
		}
		if len(sc) != scored && len(sc) != len(opts) {
			bad(colScores, "survey.q.score_count", len(sc), len(opts))
			return opts
		}
		j := 0
		for i := range opts {
			if len(sc) == scored && opts[i].Void {
				opts[i].Score = nil
				continue
			}
			f, err := strconv.ParseFloat(sc[j], 64)
			j++
			if err != nil {
				bad(colScores, "survey.q.score_not_number", sc[j-1])
				continue
			}
			opts[i].Score = &f
		}
	} else if !defaults && k == KindRating {
		def := map[string]float64{"非常满意": 100, "满意": 80, "一般": 60, "不满意": 40, "非常不满意": 0, "比较满意": 80, "比较不满意": 40}
		for i := range opts {
			if f, ok := def[opts[i].Value]; ok {
				opts[i].Score = &f
			}
		}
	}
	return opts
}

// WriteQuestionnaire writes a version as a sheet that imports again.
func WriteQuestionnaire(w io.Writer, q Questionnaire) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "问卷"
	f.SetSheetName("Sheet1", sheet)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	head := make([]any, 0, len(sheetColumns()))
	for _, c := range sheetColumns() {
		head = append(head, c)
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	last := ""
	for i, x := range q.Questions {
		section := ""
		if x.Section != last {
			section, last = x.Section, x.Section
		}
		var opts, pos, scores, void []string
		for _, o := range x.Options {
			opts = append(opts, o.Value)
			if o.Positive {
				pos = append(pos, o.Value)
			}
			if o.Void {
				void = append(void, o.Value)
			}
			if o.Score != nil {
				scores = append(scores, strconv.FormatFloat(*o.Score, 'f', -1, 64))
			} else if x.Kind == KindRating {
				scores = append(scores, "")
			}
		}
		if len(void) > 0 && len(scores) > 0 {
			// scores are written for the scored options only
			var only []string
			for _, o := range x.Options {
				if !o.Void && o.Score != nil {
					only = append(only, strconv.FormatFloat(*o.Score, 'f', -1, 64))
				}
			}
			scores = only
		}
		required := "是"
		if !x.Required {
			required = "否"
		}
		showIf := ""
		if x.ShowIfCode != "" {
			showIf = x.ShowIfCode + "=" + x.ShowIfAnswer
		}
		voidCell := strings.Join(void, "|")
		if len(void) == 0 && x.Kind.HasOptions() {
			voidCell = ""
		}
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sheetsafe.SetRow(sw, ref, []any{section, x.Code, x.Text, kindWord(x.Kind), required, dimWord(x.Dimension),
			strings.Join(opts, "|"), strings.Join(pos, "|"), strings.Join(scores, "|"), voidCell, showIf,
			strconv.FormatFloat(x.Weight, 'f', -1, 64), x.Criterion, x.Category}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
