package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/survey"
)

type surveyResultsData struct {
	R         survey.Results
	Sort      string
	Asc       bool
	CanManage bool
	// The tables' rows with their cells in words, made once here (a round
	// of 500 communities is 4,000 cells).
	Heads       []surveyCell
	Areas       []surveyRow
	Communities []surveyRow
}

// surveyCell is a figure's label (its column) and its text.
type surveyCell struct {
	Key, Label, Text string
}

// surveyRow is a table row: an area and its cells.
type surveyRow struct {
	Code, Name string
	Strong     bool
	Cells      []surveyCell
}

func (s *Server) surveyRowOf(f survey.Figures, heads []surveyCell) surveyRow {
	row := surveyRow{Code: f.Code, Name: f.Name, Cells: make([]surveyCell, 0, len(heads))}
	row.Cells = append(row.Cells, surveyCell{Label: heads[0].Label, Text: strconv.Itoa(f.Sampled)})
	for _, h := range heads[1:] {
		row.Cells = append(row.Cells, surveyCell{Label: h.Label, Text: f.FigureText(h.Key)})
	}
	return row
}

// surveyResults shows 三率一度 with the visit rates by community, street
// and district, the weakest questions and the change against the
// previous round; ?sort= orders the community table, ?area= the weakest.
func (s *Server) surveyResults(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	a := actorOf(r)
	res, err := s.Surveys.Results(r.Context(), a, id, strings.TrimSpace(q.Get("area")))
	if err != nil {
		return err
	}
	d := surveyResultsData{R: res, Sort: q.Get("sort"), Asc: q.Get("asc") == "1", CanManage: res.Round.CanManage(a)}
	survey.SortCommunities(d.R.Communities, d.Sort, d.Asc)
	d.Heads = []surveyCell{{Key: "sampled", Label: s.Catalog.T("survey.round.sampled")}}
	for _, k := range survey.FigureKeys() {
		d.Heads = append(d.Heads, surveyCell{Key: k, Label: s.Catalog.T("survey.fig." + k)})
	}
	for _, f := range res.Districts {
		row := s.surveyRowOf(f, d.Heads)
		row.Strong = true
		d.Areas = append(d.Areas, row)
	}
	for _, f := range res.Streets {
		d.Areas = append(d.Areas, s.surveyRowOf(f, d.Heads))
	}
	d.Communities = make([]surveyRow, 0, len(d.R.Communities))
	for _, f := range d.R.Communities {
		d.Communities = append(d.Communities, s.surveyRowOf(f, d.Heads))
	}
	s.render(w, r, http.StatusOK, "survey_results", "survey.results.title", d)
	return nil
}
