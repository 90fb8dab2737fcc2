package web

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/merchant"
)

type merchantShowData struct {
	M         merchant.Merchant
	Frontage  string
	Shape     string // the frontage for the map, in the basemap's coordinates
	Cases     []merchant.LinkedCase
	Months    []merchant.MonthCount
	History   []merchant.HistoryEntry
	Flag      string
	FlagMonth string
	Title     string
	CanManage bool
	Today     string
	Month     string
	Now       time.Time
	Error     string
}

func (s *Server) merchantShowData(r *http.Request) (merchantShowData, error) {
	id, err := pathID(r)
	if err != nil {
		return merchantShowData{}, err
	}
	ctx, a := r.Context(), actorOf(r)
	m, err := s.Merchants.Get(ctx, a, id)
	if err != nil {
		return merchantShowData{}, err
	}
	d := merchantShowData{M: m, Frontage: m.Frontage.Describe(s.Catalog.T), CanManage: m.CanManage(a), Now: s.Problems.Now(),
		Shape: s.viewGeometry(m.Frontage.Outline(geo.Point{Lng: m.Lng, Lat: m.Lat}))}
	d.Today, d.Month = d.Now.In(s.loc).Format("2006-01-02"), merchant.Month(d.Now)
	if d.Cases, err = s.Merchants.Cases(ctx, m, 50); err != nil {
		return d, err
	}
	if d.Months, err = s.Merchants.CasesByMonth(ctx, m); err != nil {
		return d, err
	}
	if d.History, err = s.Merchants.History(ctx, m); err != nil {
		return d, err
	}
	if d.Flag, d.FlagMonth, err = s.Merchants.Current(ctx, m); err != nil {
		return d, err
	}
	if d.Title, err = s.Merchants.Title(ctx, m); err != nil {
		return d, err
	}
	return d, nil
}

// merchantShow is a merchant's page: its responsibility, linked cases by
// month, and its flags.
func (s *Server) merchantShow(w http.ResponseWriter, r *http.Request) error {
	d, err := s.merchantShowData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "merchant", "merchant.show_title", d)
	return nil
}
