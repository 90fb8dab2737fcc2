package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/workplan"
)

type summaryData struct {
	Summary   *workplan.Summary
	Number    string
	Issuer    string
	CanManage bool
	Error     string
}

func summaryPath(id int64) string { return "/workplans/summaries/" + strconv.FormatInt(id, 10) }

func (s *Server) summaryData(r *http.Request) (summaryData, error) {
	id, err := pathID(r)
	if err != nil {
		return summaryData{}, err
	}
	x, err := s.Workplans.Summary(r.Context(), actorOf(r), id)
	if err != nil {
		return summaryData{}, err
	}
	issuer, err := s.Workplans.Issuer(r.Context(), x)
	if err != nil {
		return summaryData{}, err
	}
	return summaryData{Summary: x, Number: x.NumberText(s.Catalog.T), Issuer: issuer, CanManage: x.CanManage(actorOf(r)) && !x.Issued}, nil
}

// summaryShow is a monthly summary: editable while a draft; ?view=print,
// xlsx or pdf give it to print and to file.
func (s *Server) summaryShow(w http.ResponseWriter, r *http.Request) error {
	d, err := s.summaryData(r)
	if err != nil {
		return err
	}
	name := d.Summary.Title + "（" + d.Number + "）"
	switch r.URL.Query().Get("view") {
	case "print":
		s.render(w, r, http.StatusOK, "workplan_summary_print", "workplan.summary_title", d)
		return nil
	case "xlsx":
		var buf bytes.Buffer
		if err := d.Summary.WriteXLSX(&buf, s.Catalog.T); err != nil {
			return err
		}
		return s.download(w, &buf, workplanXLSX, "summary.xlsx", name+".xlsx")
	case "pdf":
		var buf bytes.Buffer
		if err := d.Summary.WritePDF(&buf, d.Issuer, s.Catalog.T); err != nil {
			return err
		}
		return s.download(w, &buf, "application/pdf", "summary.pdf", name+".pdf")
	}
	s.render(w, r, http.StatusOK, "workplan_summary", "workplan.summary_title", d)
	return nil
}

// summaryEdit saves the office's text of a draft: the title and, per
// section, paragraphs separated by blank lines.
func (s *Server) summaryEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	e := workplan.SummaryEdit{Title: r.PostFormValue("title")}
	for i := 0; ; i++ {
		v, ok := r.PostForm["section_"+strconv.Itoa(i)]
		if !ok {
			break
		}
		e.Paragraphs = append(e.Paragraphs, strings.Split(strings.ReplaceAll(strings.Join(v, "\n\n"), "\r\n", "\n"), "\n\n"))
	}
	if _, err := s.Workplans.EditSummary(r.Context(), actorOf(r), id, e); err != nil {
		return s.summaryRefused(w, r, err)
	}
	return s.redirectWith(w, r, summaryPath(id), "workplan.summary_saved")
}

// summaryAct issues a draft (frozen and numbered) or drafts it again from
// now's figures.
func (s *Server) summaryAct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	a := actorOf(r)
	key := "workplan.summary_issued_done"
	if r.PostFormValue("act") == "rebuild" {
		key = "workplan.summary_rebuilt"
		_, err = s.Workplans.RebuildSummary(r.Context(), a, id)
	} else {
		_, err = s.Workplans.IssueSummary(r.Context(), a, id)
	}
	if err != nil {
		return s.summaryRefused(w, r, err)
	}
	return s.redirectWith(w, r, summaryPath(id), key)
}

func (s *Server) summaryRefused(w http.ResponseWriter, r *http.Request, err error) error {
	return s.refused(err, func(status int, msg string) error {
		d, derr := s.summaryData(r)
		if derr != nil {
			return derr
		}
		d.Error = msg
		s.render(w, r, status, "workplan_summary", "workplan.summary_title", d)
		return nil
	})
}
