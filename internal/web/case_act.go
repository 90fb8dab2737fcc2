package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/problem"
)

func (s *Server) caseAct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	a := actorOf(r)
	in := problem.MoveInput{
		Action: problem.Action(r.PostFormValue("action")), Note: r.PostFormValue("note"),
		UnitID: formID(r, "unit_id"), CategoryID: formID(r, "category_id"),
	}
	in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	if v := r.PostFormValue("deadline"); v != "" {
		t, perr := parseLocalTime(v, s.loc)
		if perr != nil {
			return s.caseError(w, r, id, apperr.Invalid("case.bad_time"))
		}
		in.Deadline = t
	}
	if v := strings.TrimSpace(r.PostFormValue("duplicate_of")); v != "" {
		other, err := s.Problems.IDByCode(r.Context(), a, v)
		if err != nil {
			return s.caseError(w, r, id, apperr.Invalid("problem.duplicate_of_invalid"))
		}
		in.DuplicateOf = other
	}
	if r.MultipartForm != nil {
		if in.Photos, _, err = s.ingestPhotos(r.Context(), r.MultipartForm.File["photos"]); err != nil {
			return s.caseError(w, r, id, err)
		}
	}
	if _, err := s.Problems.Move(r.Context(), a, id, in); err != nil {
		return s.caseError(w, r, id, err)
	}
	return s.redirectWith(w, r, "/problems/"+strconv.FormatInt(id, 10), "case.done")
}

// caseError shows the case again with the reason a move was refused.
func (s *Server) caseError(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	return s.refused(err, func(status int, msg string) error {
		d, derr := s.caseData(r.Context(), actorOf(r), id)
		if derr != nil {
			return derr
		}
		d.Error = msg
		s.render(w, r, status, "case", "case.title", d)
		return nil
	})
}
