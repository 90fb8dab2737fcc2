package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/merchant"
)

type merchantListData struct {
	Merchants []merchant.Merchant
	Total     int
	Query     string
	Region    string
	Offset    int
	Next      int
	CanManage bool
	Columns   []string
	Error     string
	Errors    []string
}

func (s *Server) merchantListData(r *http.Request) (merchantListData, error) {
	a := actorOf(r)
	if !merchant.MayOpen(a) {
		return merchantListData{}, apperr.Forbidden("merchant.forbidden")
	}
	q := r.URL.Query()
	off, _ := strconv.Atoi(q.Get("offset"))
	f := merchant.Filter{Query: q.Get("q"), Region: q.Get("region"), Offset: max(off, 0)}
	ms, n, err := s.Merchants.List(r.Context(), a, f)
	if err != nil {
		return merchantListData{}, err
	}
	d := merchantListData{Merchants: ms, Total: n, Query: f.Query, Region: f.Region, Offset: f.Offset, Columns: merchant.ImportHeaders(),
		CanManage: a.IsAdmin() || a.Has("office")}
	if f.Offset+len(ms) < n {
		d.Next = f.Offset + len(ms)
	}
	return d, nil
}

// merchantList lists the merchants the actor sees.
func (s *Server) merchantList(w http.ResponseWriter, r *http.Request) error {
	d, err := s.merchantListData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "merchants", "merchant.title", d)
	return nil
}
