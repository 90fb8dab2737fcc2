package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

func parseVolunteerForm(r *http.Request) (volunteer.Input, error) {
	if err := r.ParseForm(); err != nil {
		return volunteer.Input{}, err
	}
	return volunteer.Input{Name: r.PostFormValue("name"), IDNumber: r.PostFormValue("id_number"), Phone: r.PostFormValue("phone"),
		RegionCode: strings.TrimSpace(r.PostFormValue("region")), Skills: r.PostFormValue("skills"), Political: r.PostFormValue("political"),
		JoinedOn: r.PostFormValue("joined_on"), TeamID: formID(r, "team"), UserID: formID(r, "user")}, nil
}

// volunteerCreate registers one volunteer.
func (s *Server) volunteerCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := parseVolunteerForm(r)
	if err != nil {
		return err
	}
	id, err := s.Volunteers.Register(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d, derr := s.volunteerListData(r)
			if derr != nil {
				return derr
			}
			in.IDNumber = "" // never echoed back into the page
			d.Error, d.In = msg, in
			s.render(w, r, status, "volunteer_list", "volunteer.list_title", d)
			return nil
		})
	}
	return s.redirectWith(w, r, volunteerPath(id), "volunteer.registered")
}
