package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/org"
)

type unitListData struct {
	Units   []org.Unit
	Pager   pager
	Query   string
	Kind    string
	Region  string
	CanEdit bool
}

func (s *Server) unitList(w http.ResponseWriter, r *http.Request) error {
	a, q := actorOf(r), r.URL.Query()
	page, offset, limit := pageParams(r)
	f := org.UnitFilter{Query: q.Get("q"), Kind: org.UnitKind(q.Get("kind")), Region: q.Get("region"), Offset: offset, Limit: limit}
	units, total, err := s.Org.ListUnits(r.Context(), a, f)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "units", "unit.list_title", unitListData{
		Units: units, Pager: newPager(r, page, limit, total), Query: f.Query, Kind: string(f.Kind), Region: f.Region,
		CanEdit: org.CanCreate(a),
	})
	return nil
}
