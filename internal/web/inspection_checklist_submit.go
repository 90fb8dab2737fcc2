package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/inspect"
)

// checklistSubmit takes a finished checklist; a failure's photo comes in
// the field photo_<criterion id>.
func (s *Server) checklistSubmit(w http.ResponseWriter, r *http.Request) error {
	plan, site, err := s.checklistIDs(r)
	if err != nil {
		return err
	}
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	cl, err := s.Inspections.Checklist(ctx, a, plan, site)
	if err != nil {
		return err
	}
	in := inspect.SubmitInput{PlanID: plan, SiteID: site, ClientID: r.PostFormValue("client_id"), Note: r.PostFormValue("note")}
	lng, errLng := strconv.ParseFloat(r.PostFormValue("lng"), 64)
	lat, errLat := strconv.ParseFloat(r.PostFormValue("lat"), 64)
	if errLng == nil && errLat == nil {
		in.Lng, in.Lat, in.HasPlace = lng, lat, true
	}
	fail := func(err error) error {
		return s.refused(err, func(status int, msg string) error {
			s.render(w, r, status, "checklist", "inspect.check_title", checklistData{List: cl, Error: msg, ClientID: in.ClientID})
			return nil
		})
	}
	for _, c := range cl.Criteria {
		key := strconv.FormatInt(c.ID, 10)
		res := inspect.ResultInput{NodeID: c.ID, Outcome: inspect.Outcome(r.PostFormValue("o_" + key)), Note: r.PostFormValue("note_" + key)}
		if res.Outcome == "" {
			continue // the store names how many are missing
		}
		if res.Outcome == inspect.Fail && r.MultipartForm != nil {
			hashes, _, err := s.ingestPhotos(ctx, r.MultipartForm.File["photo_"+key])
			if err != nil {
				return fail(err)
			}
			if len(hashes) > 0 {
				res.Photo = hashes[0]
			}
			if fixed, _, err := s.ingestPhotos(ctx, r.MultipartForm.File["fixed_"+key]); err != nil {
				return fail(err)
			} else if len(fixed) > 0 {
				res.Fixed = fixed[0]
			}
		}
		in.Results = append(in.Results, res)
	}
	ins, err := s.Inspections.Submit(ctx, a, in)
	if err != nil {
		return fail(err)
	}
	cl.Done = &ins
	s.render(w, r, http.StatusOK, "checklist", "inspect.check_title", checklistData{List: cl, Result: &ins})
	return nil
}
