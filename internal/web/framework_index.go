package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/framework"
)

// fwMaxErrors bounds the row errors listed on the page; the rest are
// counted.
const fwMaxErrors = 200

type fwColumnDoc struct {
	Title, Help string
	Required    bool
}

// fwVersionRow is a version in the list, with where it came from in words.
type fwVersionRow struct {
	framework.Version
	SourceText string
}

type fwIndexData struct {
	Versions []fwVersionRow
	Active   *framework.Version
	CanEdit  bool
	Types    int
	Columns  []fwColumnDoc
	// the forms, refilled after an error
	NewName, NewNote string
	CopyOf           int64
	ImportName       string
	ListError        string   // of an action on the list
	Error            string   // of the version form
	ImportError      string   // of the import form
	ImportErrors     []string // row errors of a refused import
	MoreErrors       int
}

func (s *Server) fwIndexPage(w http.ResponseWriter, r *http.Request, status int, d fwIndexData) error {
	a := actorOf(r)
	ctx := r.Context()
	vs, err := s.Framework.Versions(ctx, a)
	if err != nil {
		return err
	}
	d.CanEdit = framework.CanEdit(a)
	for i, v := range vs {
		if v.Active {
			d.Active = &vs[i]
		}
		d.Versions = append(d.Versions, fwVersionRow{Version: v, SourceText: s.fwSourceText(v)})
	}
	types, err := s.Framework.SiteTypes(ctx, true)
	if err != nil {
		return err
	}
	d.Types = len(types)
	for _, c := range framework.Columns() {
		d.Columns = append(d.Columns, fwColumnDoc{Title: c.Title(), Help: s.Catalog.T(c.Key()), Required: c.Required()})
	}
	s.render(w, r, status, "framework", "framework.title", d)
	return nil
}

func (s *Server) fwSourceText(v framework.Version) string {
	switch v.Source {
	case framework.SourceSample:
		return s.Catalog.T("framework.source.sample")
	case framework.SourceCopy:
		return s.Catalog.T("framework.source.copy", v.SourceDetail)
	case framework.SourceImport:
		return s.Catalog.T("framework.source.import", v.SourceDetail)
	}
	return s.Catalog.T("framework.source.empty")
}

func (s *Server) fwIndex(w http.ResponseWriter, r *http.Request) error {
	return s.fwIndexPage(w, r, http.StatusOK, fwIndexData{})
}
