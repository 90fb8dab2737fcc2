package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// surveyHouseholdImport adds a sheet of households to a community's list,
// all or nothing, with row-numbered errors.
func (s *Server) surveyHouseholdImport(w http.ResponseWriter, r *http.Request) error {
	community := strings.TrimSpace(r.FormValue("community"))
	d := surveyHouseholdsData{Community: community}
	fail := func(err error) error {
		return s.refused(err, func(status int, msg string) error {
			d.Error = msg
			return s.surveyHouseholdsPage(w, r, status, d)
		})
	}
	data, _, err := surveySheet(r)
	if err != nil {
		return fail(err)
	}
	n, rowErrs, err := s.Surveys.ImportHouseholds(r.Context(), actorOf(r), community, bytes.NewReader(data))
	if len(rowErrs) > 0 {
		d.Errors, d.MoreErrors = s.rowMessages(rowErrs)
	}
	if err != nil {
		return fail(err)
	}
	return s.redirectWith(w, r, "/surveys/households?community="+url.QueryEscape(community), "survey.hh.imported", strconv.Itoa(n))
}
