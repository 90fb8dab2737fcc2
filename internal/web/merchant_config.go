package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/merchant"
)

type merchantConfigData struct {
	C          merchant.Config
	Categories []category.CodeName
	Chosen     map[string]bool
	Error      string
}

func (s *Server) showMerchantConfig(w http.ResponseWriter, r *http.Request, status int, c *merchant.Config, msg string) error {
	a := actorOf(r)
	if !merchant.MayConfigure(a) {
		return apperr.Forbidden("merchant.forbidden")
	}
	if c == nil {
		cur, err := s.Merchants.Config(r.Context())
		if err != nil {
			return err
		}
		c = &cur
	}
	cats, err := category.CodesAndNames(r.Context(), s.Merchants.DB)
	if err != nil {
		return err
	}
	var subs []category.CodeName
	for _, x := range cats {
		if len(x.Code) > 2 { // sub-categories: the top level codes are two letters
			subs = append(subs, x)
		}
	}
	chosen := map[string]bool{}
	for _, code := range c.Categories {
		chosen[code] = true
	}
	s.render(w, r, status, "merchant_config", "merchant.config_title", merchantConfigData{C: *c, Categories: subs, Chosen: chosen, Error: msg})
	return nil
}

// merchantConfig shows the 门前三包 categories and the flag quotas.
func (s *Server) merchantConfig(w http.ResponseWriter, r *http.Request) error {
	return s.showMerchantConfig(w, r, http.StatusOK, nil, "")
}

// merchantConfigSave stores them.
func (s *Server) merchantConfigSave(w http.ResponseWriter, r *http.Request) error {
	atoi := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
		if err != nil {
			return -1
		}
		return n
	}
	atof := func(name string) float64 {
		x, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue(name)), 64)
		if err != nil {
			return -1
		}
		return x
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	c := merchant.Config{Categories: r.PostForm["categories"], RedPerGroup: atoi("red_per_group"), BlackPerGroup: atoi("black_per_group"),
		RedMin: atof("red_min"), BlackBelow: atof("black_below")}
	if err := s.Merchants.SaveConfig(r.Context(), actorOf(r), c); err != nil {
		return s.refused(err, func(st int, msg string) error { return s.showMerchantConfig(w, r, st, &c, msg) })
	}
	return s.redirectWith(w, r, "/merchants/config", "merchant.config_saved")
}

// merchantBackfill links every filed case to the frontages again (after
// the categories changed or frontages were drawn).
func (s *Server) merchantBackfill(w http.ResponseWriter, r *http.Request) error {
	if !merchant.MayConfigure(actorOf(r)) {
		return apperr.Forbidden("merchant.forbidden")
	}
	rep, err := s.Merchants.Backfill(r.Context())
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, "/merchants/config", "merchant.backfilled", strconv.Itoa(rep.Cases), strconv.Itoa(rep.Linked))
}
