package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/merchant"
)

type merchantFlagsData struct {
	Month  string
	Prev   string
	Groups []merchant.GroupSummary
}

// merchantFlags is the month's flags of every street and site the actor
// sees, as they stand (proposed or confirmed).
func (s *Server) merchantFlags(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !merchant.MayOpen(a) {
		return apperr.Forbidden("merchant.forbidden")
	}
	month := r.URL.Query().Get("month")
	if month == "" {
		month = merchant.Month(s.Problems.Now())
	}
	if !merchant.ValidMonth(month) {
		return apperr.Invalid("merchant.month_invalid")
	}
	groups, err := s.Merchants.Groups(r.Context(), a, month)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "merchant_flags", "merchant.flags_title", merchantFlagsData{Month: month, Prev: merchant.PrevMonth(month), Groups: groups})
	return nil
}

type merchantRoundData struct {
	R         merchant.Round
	CanManage bool
	Error     string
}

func (s *Server) showMerchantRound(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	g, ok := merchant.ParseGroup(r.PathValue("group"))
	if !ok {
		return apperr.NotFound("error.not_found")
	}
	a := actorOf(r)
	round, err := s.Merchants.Round(r.Context(), a, r.PathValue("month"), g)
	if err != nil {
		return err
	}
	s.render(w, r, status, "merchant_round", "merchant.round_title", merchantRoundData{R: round, CanManage: a.Manages(round.RegionCode), Error: msg})
	return nil
}

// merchantRound is one street's or site's flags of a month with each
// merchant's figures, the proposal and the office's changes.
func (s *Server) merchantRound(w http.ResponseWriter, r *http.Request) error {
	return s.showMerchantRound(w, r, http.StatusOK, "")
}

// merchantFlagChange changes one merchant's flag of the month, with a reason.
func (s *Server) merchantFlagChange(w http.ResponseWriter, r *http.Request) error {
	g, ok := merchant.ParseGroup(r.PathValue("group"))
	if !ok {
		return apperr.NotFound("error.not_found")
	}
	month := r.PathValue("month")
	in := merchant.ChangeInput{MerchantID: formID(r, "merchant_id"), Kind: r.PostFormValue("kind"), Reason: r.PostFormValue("reason")}
	if err := s.Merchants.ChangeFlag(r.Context(), actorOf(r), month, g, in); err != nil {
		return s.refused(err, func(st int, msg string) error { return s.showMerchantRound(w, r, st, msg) })
	}
	return s.redirectWith(w, r, merchantRoundPath(month, g), "merchant.flag_changed")
}

// merchantFlagConfirm confirms the month's flags of a street or site.
func (s *Server) merchantFlagConfirm(w http.ResponseWriter, r *http.Request) error {
	g, ok := merchant.ParseGroup(r.PathValue("group"))
	if !ok {
		return apperr.NotFound("error.not_found")
	}
	month := r.PathValue("month")
	if err := s.Merchants.Confirm(r.Context(), actorOf(r), month, g); err != nil {
		return s.refused(err, func(st int, msg string) error { return s.showMerchantRound(w, r, st, msg) })
	}
	return s.redirectWith(w, r, merchantRoundPath(month, g), "merchant.flags_confirmed")
}
