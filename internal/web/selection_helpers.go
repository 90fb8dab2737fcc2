package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/selection"
)

// Helpers shared by the selection pages (selection_*.go).

func roundPath(id int64) string { return "/selections/rounds/" + strconv.FormatInt(id, 10) }

func publicRoundPath(id int64) string {
	return "/public/selections/rounds/" + strconv.FormatInt(id, 10)
}

// selectionScores reads a nomination form's score sheet: score_<id> for
// points, or the checkbox star_<id> for a star.
func selectionScores(r *http.Request, k selection.Kind) map[int64]int {
	out := map[int64]int{}
	for _, c := range k.Criteria {
		id := strconv.FormatInt(c.ID, 10)
		if k.Sheet == selection.SheetStars {
			if r.PostFormValue("star_"+id) != "" {
				out[c.ID] = 1
			}
			continue
		}
		if v := formInt(r, "score_"+id); v != 0 {
			out[c.ID] = v
		}
	}
	return out
}

// selectionNomination reads a nomination form.
func selectionNomination(r *http.Request, roundID int64, k selection.Kind) selection.NominationInput {
	return selection.NominationInput{RoundID: roundID, MerchantID: formID(r, "merchant_id"), Name: r.PostFormValue("name"),
		CreditCode: r.PostFormValue("credit_code"), RegionCode: r.PostFormValue("region"), Address: r.PostFormValue("address"),
		Contact: r.PostFormValue("contact"), Deeds: r.PostFormValue("deeds"), Scores: selectionScores(r, k)}
}

func (s *Server) needSelections() error {
	if s.Selections == nil {
		return apperr.NotFound("error.not_found")
	}
	return nil
}
