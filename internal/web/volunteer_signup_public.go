package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerSignupData struct {
	Teams  []volunteer.Team
	In     volunteer.Input
	HasKey bool
	Done   bool
	Error  string
}

func (s *Server) volunteerSignupPage(w http.ResponseWriter, r *http.Request, status int, d volunteerSignupData) error {
	teams, err := s.Volunteers.OpenTeams(r.Context())
	if err != nil {
		return err
	}
	d.Teams, d.HasKey = teams, s.Volunteers.HasKey()
	s.render(w, r, status, "volunteer_signup", "volunteer.signup_title", d)
	return nil
}

// volunteerSignupForm is the public sign-up form (志愿者注册).
func (s *Server) volunteerSignupForm(w http.ResponseWriter, r *http.Request) error {
	if !actorOf(r).SignedIn() {
		s.ensurePre(w, r) // the form's token is bound to this cookie
	}
	return s.volunteerSignupPage(w, r, http.StatusOK, volunteerSignupData{Done: r.URL.Query().Get("done") == "1"})
}

// volunteerSignupSubmit records a sign-up for a team's leader or station
// to approve.
func (s *Server) volunteerSignupSubmit(w http.ResponseWriter, r *http.Request) error {
	in, err := parseVolunteerForm(r)
	if err != nil {
		return err
	}
	in.UserID = 0
	if _, err := s.Volunteers.SignUp(r.Context(), in); err != nil {
		return s.refused(err, func(status int, msg string) error {
			in.IDNumber = ""
			return s.volunteerSignupPage(w, r, status, volunteerSignupData{In: in, Error: msg})
		})
	}
	http.Redirect(w, r, "/public/volunteers/signup?done=1", http.StatusSeeOther)
	return nil
}
