package web

import (
	"errors"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/problem"
)

// moveForm is an action on a case as posted. The duplicate is named by
// its code; the photos are stored when the move is made.
type moveForm struct {
	problem.MoveInput
	DuplicateCode string
	photos        []*multipart.FileHeader
}

// parseMoveForm reads an action form; a deadline that is not a time is an
// error of the form.
func (s *Server) parseMoveForm(r *http.Request) (moveForm, error) {
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return moveForm{}, err
	}
	f := moveForm{MoveInput: problem.MoveInput{
		Action: problem.Action(r.PostFormValue("action")), Note: r.PostFormValue("note"),
		UnitID: formID(r, "unit_id"), CategoryID: formID(r, "category_id"),
	}, DuplicateCode: strings.TrimSpace(r.PostFormValue("duplicate_of"))}
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	if r.MultipartForm != nil {
		f.photos = r.MultipartForm.File["photos"]
	}
	if v := r.PostFormValue("deadline"); v != "" {
		t, err := parseLocalTime(v, s.loc)
		if err != nil {
			return f, apperr.Invalid("case.bad_time")
		}
		f.Deadline = t
	}
	return f, nil
}

func (s *Server) caseAct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	f, err := s.parseMoveForm(r)
	if err != nil {
		return s.caseError(w, r, id, err)
	}
	if f.UnitID == 0 && f.Action == problem.ActDispatch {
		// Without the picker's script the unit comes as a typed name; none
		// is automatic routing.
		unit, err := s.pickedUnit(r.Context(), a, unitPicked{Field: "unit_id"}, "", r.PostFormValue("unit_id_name"))
		if err != nil {
			return s.caseError(w, r, id, err)
		}
		if unit.Missing {
			return s.caseError(w, r, id, apperr.Invalid("unitpick.missing", unit.Name))
		}
		f.UnitID = unit.ID
	}
	if f.DuplicateCode != "" {
		other, err := s.Problems.IDByCode(r.Context(), a, f.DuplicateCode)
		if err != nil {
			return s.caseError(w, r, id, apperr.Invalid("problem.duplicate_of_invalid"))
		}
		f.DuplicateOf = other
	}
	// The move is checked before the photos are stored: a refused one
	// leaves nothing behind.
	if err := s.Problems.CheckMove(r.Context(), a, id, f.MoveInput, len(f.photos)); err != nil {
		return s.caseError(w, r, id, err)
	}
	if f.Photos, _, err = s.ingestPhotos(r.Context(), f.photos); err != nil {
		return s.caseError(w, r, id, err)
	}
	c, err := s.Problems.Move(r.Context(), a, id, f.MoveInput)
	if err != nil {
		return s.caseError(w, r, id, err)
	}
	key, args := s.moveDone(c, f)
	return s.redirectWith(w, r, "/problems/"+strconv.FormatInt(id, 10), key, args...)
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
