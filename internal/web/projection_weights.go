package web

import (
	"net/http"
	"net/url"

	"github.com/wenming-civic/wenming/internal/projection"
)

// parseWeightsForm reads the method weights as typed; the store checks them.
func parseWeightsForm(r *http.Request) (projection.WeightsInput, error) {
	if err := r.ParseForm(); err != nil {
		return projection.WeightsInput{}, err
	}
	f := r.PostFormValue
	return projection.WeightsInput{Field: f("field"), Survey: f("survey"), Dossier: f("dossier")}, nil
}

// projectionWeights saves the method weights (the office's setting) and
// shows the page again with the new total.
func (s *Server) projectionWeights(w http.ResponseWriter, r *http.Request) error {
	in, err := parseWeightsForm(r)
	if err != nil {
		return err
	}
	back := "/projection"
	if area := r.PostFormValue("area"); area != "" {
		back += "?area=" + url.QueryEscape(area)
	}
	if _, err := s.Projection.SetWeights(r.Context(), actorOf(r), in); err != nil {
		return s.refused(err, func(status int, msg string) error {
			r.URL.RawQuery = url.Values{"area": {r.PostFormValue("area")}}.Encode()
			return s.projectionPage(w, r, status, &in, msg)
		})
	}
	return s.redirectWith(w, r, back, "projection.weights_saved")
}
