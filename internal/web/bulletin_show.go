package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
)

type bulletinPage struct {
	B                                    *bulletin.Bulletin
	Issuer, Title, Number, Date          string
	Scope, Period, PeriodLabel, Previous string
	Formula                              string
	TakenAt                              string
	CanIssue, CanReissue, HasPDF         bool
	Query                                string     // a draft's compose query
	Fields                               url.Values // a draft's compose fields, to issue it
	Notice                               pdfdoc.Notice
	Back                                 string
}

func (s *Server) bulletinPageData(r *http.Request, b *bulletin.Bulletin) bulletinPage {
	t, a := s.bt(), actorOf(r)
	d := bulletinPage{B: b, Issuer: b.IssuerText(t), Title: b.TitleText(t), Number: b.NumberText(t), Date: b.DateText(t),
		Scope: b.Scope.Name(t), Period: b.Period.Text(t), PeriodLabel: b.Period.Label(t), Previous: b.Previous.Text(t),
		Formula: b.Config.Formula(t), TakenAt: bulletin.DateText(t, b.TakenAt), HasPDF: true, Back: "/bulletins"}
	if b.Draft {
		d.CanIssue = mayIssueBulletins(a)
		q := r.URL.Query()
		q.Del("view")
		d.Query, d.Fields = q.Encode(), q
	} else {
		d.CanReissue = mayIssueBulletins(a)
		d.Back = "/bulletins/" + strconv.FormatInt(b.ID, 10)
	}
	return d
}

// bulletinFile serves /bulletins/12, /bulletins/12.xlsx and /bulletins/12.pdf.
func (s *Server) bulletinFile(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	view := ""
	for _, ext := range []string{".xlsx", ".pdf"} {
		if base, ok := strings.CutSuffix(file, ext); ok {
			file, view = base, ext[1:]
		}
	}
	id, err := strconv.ParseInt(file, 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFound("bulletin.not_found")
	}
	b, err := s.Bulletins.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.showBulletin(w, r, b, view)
}

func (s *Server) bulletinPrint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.Bulletins.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.showBulletin(w, r, b, "print")
}

// showBulletin writes a bulletin (or a draft) as a page, the print layout,
// a workbook or a PDF.
func (s *Server) showBulletin(w http.ResponseWriter, r *http.Request, b *bulletin.Bulletin, view string) error {
	t := s.bt()
	name := b.TitleText(t)
	if !b.Draft {
		name = b.NumberText(t) + name
	}
	switch view {
	case "xlsx":
		var buf bytes.Buffer
		if err := bulletin.ExportXLSX(&buf, b, t); err != nil {
			return err
		}
		return s.download(w, &buf, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "bulletin.xlsx", name+".xlsx")
	case "pdf":
		var buf bytes.Buffer
		if err := pdfdoc.Render(&buf, b.Notice(t)); err != nil {
			return err
		}
		return s.download(w, &buf, "application/pdf", "bulletin.pdf", name+".pdf")
	case "print":
		d := s.bulletinPageData(r, b)
		d.Notice = b.Notice(t)
		s.render(w, r, http.StatusOK, "bulletin_print", "bulletin.print_title", d)
		return nil
	}
	s.render(w, r, http.StatusOK, "bulletin", "bulletin.page_title", s.bulletinPageData(r, b))
	return nil
}
