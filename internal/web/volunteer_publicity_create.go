package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

// volunteerPublicityCreate opens a publicity of the period's new star
// levels and outstanding volunteers.
func (s *Server) volunteerPublicityCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := volunteer.PublicityInput{Title: r.PostFormValue("title"), PeriodFrom: r.PostFormValue("from"), PeriodTo: r.PostFormValue("to"),
		Days: formInt(r, "days"), Top: formInt(r, "top")}
	id, err := s.Volunteers.CreatePublicity(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refused(err, func(status int, msg string) error { return s.volunteerPublicitiesPage(w, r, status, msg) })
	}
	return s.redirectWith(w, r, "/public/volunteers/publicity/"+strconv.FormatInt(id, 10), "volunteer.publicity_created")
}
