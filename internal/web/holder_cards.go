package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/holder"
)

type holderCardsData struct {
	Month string
	Cards []holder.Card
}

// holderCards are the month's report cards of every holder of the area,
// on one printable page.
func (s *Server) holderCards(w http.ResponseWriter, r *http.Request) error {
	month := r.URL.Query().Get("month")
	if _, _, err := holder.MonthRange(month); err != nil {
		month = s.Holders.ThisMonth()
	}
	cards, err := s.Holders.Cards(r.Context(), actorOf(r), month)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "holder_cards", "holder.cards_title", holderCardsData{Month: month, Cards: cards})
	return nil
}
