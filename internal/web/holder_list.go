package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/holder"
)

type holderListData struct {
	All     []holder.Holder
	Mine    []holder.Holder
	Manages bool
	Month   string
	Error   string
	Today   string
}

func (s *Server) holderListPage(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	ctx, a := r.Context(), actorOf(r)
	d := holderListData{Manages: holder.Manages(a), Month: s.Holders.ThisMonth(), Error: msg,
		Today: s.Holders.Clock().In(s.loc).Format("2006-01-02")}
	var err error
	if d.Mine, err = s.Holders.Mine(ctx, a); err != nil {
		return err
	}
	if a.IsAdmin() || a.Oversees(a.Region) {
		if d.All, err = s.Holders.List(ctx, a); err != nil {
			return err
		}
	}
	s.render(w, r, status, "holders", "holder.title", d)
	return nil
}

// holderList lists the actor's own holdings and, for the office and
// leaders, every holder of the area.
func (s *Server) holderList(w http.ResponseWriter, r *http.Request) error {
	return s.holderListPage(w, r, http.StatusOK, "")
}
