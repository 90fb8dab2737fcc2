package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/merchant"
	"github.com/wenming-civic/wenming/internal/site"
)

type merchantFormData struct {
	ID     int64
	In     merchant.Input
	Sites  []site.Site
	Duties []string
	Kinds  []string
	Error  string
}

func (s *Server) showMerchantForm(w http.ResponseWriter, r *http.Request, status int, d merchantFormData) error {
	sites, err := s.Merchants.SiteChoices(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	d.Sites, d.Duties, d.Kinds = sites, merchant.Duties(), []string{merchant.FrontRadius, merchant.FrontLine, merchant.FrontPolygon}
	title := "merchant.new"
	if d.ID != 0 {
		title = "merchant.edit"
	}
	s.render(w, r, status, "merchant_form", title, d)
	return nil
}

// merchantNew shows the empty form.
func (s *Server) merchantNew(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !a.IsAdmin() && !a.Has("office") {
		return apperr.Forbidden("merchant.forbidden")
	}
	return s.showMerchantForm(w, r, http.StatusOK, merchantFormData{In: merchant.Input{FrontageKind: merchant.FrontRadius,
		Duties: []string{"hygiene", "order", "greening"}}})
}

// merchantCreate adds a merchant, with its signed commitment if one is attached.
func (s *Server) merchantCreate(w http.ResponseWriter, r *http.Request) error {
	files, ferr := s.merchantCommitmentFile(r)
	in, err := merchantForm(r)
	show := func(st int, msg string) error {
		return s.showMerchantForm(w, r, st, merchantFormData{In: in, Error: msg})
	}
	if ferr != nil {
		return s.refused(ferr, show)
	}
	if err != nil {
		return s.refused(err, show)
	}
	ctx, a := r.Context(), actorOf(r)
	if len(files) > 0 {
		in.CommitmentKey = "pending"
	}
	if err := s.Merchants.CheckInput(ctx, a, in); err != nil {
		return s.refused(err, show)
	}
	if len(files) > 0 {
		hashes, _, err := s.ingestPhotos(ctx, files)
		if err != nil {
			return s.refused(err, show)
		}
		in.CommitmentKey = merchant.PhotoKey(hashes[0])
	}
	m, err := s.Merchants.Create(ctx, a, in)
	if err != nil {
		return s.refused(err, show)
	}
	return s.redirectWith(w, r, merchantPath(m.ID), "merchant.created")
}
