package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

func pctCell(r Ratio) any {
	if !r.OK() {
		return ""
	}
	return strconv.FormatFloat(r.Value()*100, 'f', 1, 64) + "%"
}

func scoreCell(r Ratio) any {
	if !r.OK() {
		return ""
	}
	return strconv.FormatFloat(r.Value(), 'f', 1, 64)
}

// WriteResults writes the office's sheet: one row per community with all
// its rates, then the streets, the districts and the whole round.
func WriteResults(w io.Writer, res Results) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "三率一度"
	f.SetSheetName("Sheet1", sheet)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sheetsafe.SetRow(sw, "A1", []any{res.Round.Name}); err != nil {
		return err
	}
	head := []any{"层级", "区划代码", "名称", "样本户", "入户", "完成（已审核）", "拒访", "入户率", "完成率", "拒访率", "知晓率", "支持率", "参与率", "满意度"}
	if err := sw.SetRow("A2", head); err != nil {
		return err
	}
	n := 3
	row := func(level string, x Figures) error {
		ref, _ := excelize.CoordinatesToCellName(1, n)
		n++
		return sheetsafe.SetRow(sw, ref, []any{level, x.Code, x.Name, x.Sampled, x.Visited, x.Completed, x.Refused,
			pctCell(x.VisitRate()), pctCell(x.CompletionRate()), pctCell(x.RefusalRate()), pctCell(x.Awareness()),
			pctCell(x.Support()), pctCell(x.Participation()), scoreCell(x.Satisfaction())})
	}
	for _, x := range res.Communities {
		if err := row("社区", x); err != nil {
			return err
		}
	}
	for _, x := range res.Streets {
		if err := row("街道", x); err != nil {
			return err
		}
	}
	for _, x := range res.Districts {
		if err := row("区县", x); err != nil {
			return err
		}
	}
	if err := row("全轮", res.Overall); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// ExportResults writes a round's results for a reader of them.
func (s *Store) ExportResults(ctx context.Context, a access.Actor, round int64, w io.Writer) error {
	res, err := s.Results(ctx, a, round, "")
	if err != nil {
		return err
	}
	return WriteResults(w, res)
}

// ExportAnswers writes every submitted interview's current answers, one
// row each, for analysis in the office: names masked, no phones, no
// addresses beyond the community.
func (s *Store) ExportAnswers(ctx context.Context, a access.Actor, round int64, w io.Writer) error {
	r, err := s.Round(ctx, a, round)
	if err != nil {
		return err
	}
	if !r.CanManage(a) {
		return apperr.Forbidden("survey.answers_office_only")
	}
	q, err := s.questionnaire(ctx, s.DB, r.QuestionnaireID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, c := range r.Communities {
		names[c.Code] = c.Name
	}
	type row struct {
		id, interviewer int64
		community       string
		state           string
		version         int
		head, answers   string
		at              int64
		duration        int
	}
	rows, err := s.DB.Query(ctx, `SELECT i.id, i.interviewer_id, i.community_code, i.state, i.version, h.head_name, a.answers,
		a.submitted_at, COALESCE(a.duration_s, 0) FROM survey_interview i
		JOIN survey_answer_set a ON a.interview_id = i.id AND a.version = i.version
		JOIN survey_sample x ON x.id = i.sample_id JOIN survey_household h ON h.id = x.household_id
		WHERE i.round_id = ? ORDER BY i.community_code, i.id`, round)
	list, err := db.Collect(rows, err, func(x *sql.Rows) (row, error) {
		var v row
		return v, x.Scan(&v.id, &v.interviewer, &v.community, &v.state, &v.version, &v.head, &v.answers, &v.at, &v.duration)
	})
	if err != nil {
		return fmt.Errorf("answers: %w", err)
	}
	ids := make([]int64, len(list))
	for i, v := range list {
		ids[i] = v.interviewer
	}
	people, err := org.DisplayNames(ctx, s.DB, ids)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := "答卷"
	f.SetSheetName("Sheet1", sheet)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	head := []any{"答卷编号", "社区", "户主（脱敏）", "访员", "状态", "版本", "提交时间", "用时（秒）"}
	for _, x := range q.Questions {
		head = append(head, x.Code+" "+x.Text)
	}
	if err := sheetsafe.SetRow(sw, "A1", head); err != nil {
		return err
	}
	states := map[string]string{StateSubmitted: "待审核", StateReturned: "已退回", StateApproved: "已通过"}
	for i, v := range list {
		var ans Answers
		if err := json.Unmarshal([]byte(v.answers), &ans); err != nil {
			return fmt.Errorf("answers of %d: %w", v.id, err)
		}
		cells := []any{v.id, names[v.community], MaskName(v.head), people[v.interviewer], states[v.state], v.version,
			db.FromMillis(v.at).Format("2006-01-02 15:04"), v.duration}
		for _, x := range q.Questions {
			cells = append(cells, strings.Join(ans[x.Code].Values, "|"))
		}
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sheetsafe.SetRow(sw, ref, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
