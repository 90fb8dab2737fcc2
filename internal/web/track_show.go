package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/problem"
)

// The status page of a citizen's report (/track/{token}): the private link
// of the public form's confirmation. No account; rate limited per client
// address like the form; it shows the public steps only (problem.Track).

type trackData struct {
	Status *problem.PublicStatus
	// PhotoBase is where the after-photos are served, FeedbackURL where
	// the satisfaction answer goes: through the token for the link, the
	// member routes for the signed-in reporter.
	PhotoBase   string
	FeedbackURL string
	Ratings     []problem.Rating
	Error       string
	Signed      bool // the signed-in reporter's view: link back to 我的上报
}

// trackPage shows the status of the case a token opens; an unknown token
// is the 404 page.
func (s *Server) trackPage(w http.ResponseWriter, r *http.Request) error {
	s.ensurePre(w, r)
	token := r.PathValue("token")
	st, err := s.Problems.Track(r.Context(), token)
	if err != nil {
		return err
	}
	s.renderTrack(w, r, http.StatusOK, s.tokenTrack(token, st, ""))
	return nil
}

func (s *Server) tokenTrack(token string, st *problem.PublicStatus, msg string) trackData {
	base := "/track/" + token
	return trackData{Status: st, PhotoBase: base + "/photos/", FeedbackURL: base + "/feedback", Ratings: problem.Ratings(), Error: msg}
}

// memberTrack is the same page for the signed-in reporter's own case.
func memberTrack(st *problem.PublicStatus, msg string) trackData {
	return trackData{Status: st, PhotoBase: "/photos/", FeedbackURL: "/problems/" + strconv.FormatInt(st.ID, 10) + "/feedback",
		Ratings: problem.Ratings(), Error: msg, Signed: true}
}

// renderTrack renders the status page; the token is in its address, so
// the page is kept from caches, search engines and referrers.
func (s *Server) renderTrack(w http.ResponseWriter, r *http.Request, status int, d trackData) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
	s.render(w, r, status, "track", "citizen.track_title", d)
}
