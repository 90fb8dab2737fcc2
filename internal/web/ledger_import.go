package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/ledgerxlsx"
	"github.com/wenming-civic/wenming/internal/problem"
)

type importData struct {
	Headers  []string
	Mapping  ledgerxlsx.Mapping
	Fields   []ledgerxlsx.Field
	Errors   []string
	Imported int
	Skipped  int
	Error    string
}

func (s *Server) ledgerImportForm(w http.ResponseWriter, r *http.Request) error {
	if !problem.MayImport(actorOf(r)) {
		return apperr.Forbidden("problem.import_forbidden")
	}
	s.render(w, r, http.StatusOK, "ledger_import", "import.title", importData{Fields: ledgerxlsx.Fields()})
	return nil
}

// ledgerImport reads an uploaded ledger: every row is checked, and nothing
// is imported while any row is wrong — unless the office asks to import
// only the good rows, which are then reported.
func (s *Server) ledgerImport(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	if !problem.MayImport(a) {
		return apperr.Forbidden("problem.import_forbidden")
	}
	d := importData{Fields: ledgerxlsx.Fields()}
	fail := func(err error) error {
		return s.refused(err, func(status int, msg string) error {
			d.Error = msg
			s.render(w, r, status, "ledger_import", "import.title", d)
			return nil
		})
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fail(apperr.Invalid("import.file_required"))
	}
	defer f.Close()
	if fh.Size > ledgerxlsx.MaxFileSize {
		return fail(apperr.Invalid("ledgerxlsx.file_too_large"))
	}
	data, err := io.ReadAll(io.LimitReader(f, ledgerxlsx.MaxFileSize+1))
	if err != nil {
		return err
	}
	if d.Headers, err = ledgerxlsx.Headers(bytes.NewReader(data)); err != nil {
		return fail(err)
	}
	d.Mapping = ledgerxlsx.DetectMapping(d.Headers)
	for _, field := range ledgerxlsx.Fields() {
		if v, set := r.PostForm["map_"+string(field)]; set && len(v) == 1 {
			if v[0] == "" {
				delete(d.Mapping, field)
			} else {
				d.Mapping[field] = v[0]
			}
		}
	}
	cases, rowErrs, err := ledgerxlsx.ParseWorkbook(bytes.NewReader(data), d.Mapping, s.importLookups(ctx, a), s.Problems.Now())
	if err != nil {
		return fail(err)
	}
	if len(rowErrs) > 0 {
		d.Errors = ledgerxlsx.Messages(rowErrs, s.Catalog.T)
		if r.PostFormValue("only_valid") != "1" {
			s.render(w, r, http.StatusBadRequest, "ledger_import", "import.title", d)
			return nil
		}
		d.Skipped = countRows(rowErrs)
	}
	if len(cases) > 0 {
		if d.Imported, err = s.Problems.ImportCases(ctx, a, cases, fh.Filename); err != nil {
			return fail(err)
		}
	}
	s.render(w, r, http.StatusOK, "ledger_import", "import.title", d)
	return nil
}

func countRows(errs []ledgerxlsx.RowError) int {
	rows := map[int]bool{}
	for _, e := range errs {
		rows[e.Row] = true
	}
	return len(rows)
}

// importLookups resolves the names in a sheet inside the importer's
// jurisdiction: community names repeat across a city.
func (s *Server) importLookups(ctx context.Context, a access.Actor) ledgerxlsx.Lookups {
	within := a.Region
	if a.IsAdmin() {
		within = ""
	}
	cats := map[string]int64{}
	if groups, err := s.CategoryGroups(ctx); err == nil {
		for _, g := range groups {
			for _, o := range g.Options {
				cats[o.Name] = o.ID
			}
		}
	}
	units := map[string]int64{}
	if list, err := s.Org.UnitChoices(ctx, a); err == nil {
		for _, u := range list {
			units[u.Name] = u.ID
		}
	}
	return ledgerxlsx.Lookups{
		Category: func(name string) (int64, bool) { id, ok := cats[strings.TrimSpace(name)]; return id, ok },
		Unit:     func(name string) (int64, bool) { id, ok := units[strings.TrimSpace(name)]; return id, ok },
		Region: func(v string) (string, bool) {
			v = strings.TrimSpace(v)
			found, _, err := s.Regions.Search(ctx, within, v, 0, 20)
			if err != nil {
				return "", false
			}
			for _, reg := range found {
				if reg.Code == v || reg.Name == v {
					return reg.Code, true
				}
			}
			return "", false
		},
	}
}
