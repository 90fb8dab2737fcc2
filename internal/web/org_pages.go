package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/auth"
	"github.com/wenming-civic/wenming/internal/httpx"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/outbox"
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
		CanEdit: a.HasAny(access.RoleAdmin, access.RoleOffice),
	})
	return nil
}

type unitDetailData struct {
	Unit    org.Unit
	Users   []org.User
	Pager   pager
	CanEdit bool
}

func (s *Server) unitDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	u, err := s.Org.GetUnit(r.Context(), a, id)
	if err != nil {
		return err
	}
	page, offset, limit := pageParams(r)
	users, total, err := s.Org.ListUsers(r.Context(), a, org.UserFilter{UnitID: id, Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "unit", "unit.detail_title", unitDetailData{
		Unit: u, Users: users, Pager: newPager(r, page, limit, total), CanEdit: a.Manages(u.RegionCode),
	})
	return nil
}

type unitFormData struct {
	ID      int64
	In      org.UnitInput
	Parents []org.Unit
	Error   string
}

func (s *Server) unitForm(w http.ResponseWriter, r *http.Request, status int, d unitFormData) error {
	parents, err := s.Org.UnitChoices(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	d.Parents = parents
	title := "unit.new_title"
	if d.ID != 0 {
		title = "unit.edit_title"
	}
	s.render(w, r, status, "unit_form", title, d)
	return nil
}

func (s *Server) unitNew(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !a.HasAny(access.RoleAdmin, access.RoleOffice) {
		return apperr.Forbidden("error.forbidden")
	}
	return s.unitForm(w, r, http.StatusOK, unitFormData{In: org.UnitInput{Kind: org.KindTerritorial, RegionCode: a.Region, ParentID: a.UnitID}})
}

func unitInputFrom(r *http.Request) org.UnitInput {
	return org.UnitInput{
		Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Kind: org.UnitKind(r.PostFormValue("kind")),
		Line: r.PostFormValue("line"), ParentID: formID(r, "parent_id"), RegionCode: r.PostFormValue("region_code"),
		HeadName: r.PostFormValue("head_name"), HeadPhone: r.PostFormValue("head_phone"),
		LiaisonName: r.PostFormValue("liaison_name"), LiaisonPhone: r.PostFormValue("liaison_phone"),
	}
}

// formError re-renders a form when the domain refused the input; other
// errors go to the error page.
func (s *Server) formError(err error) (string, int, bool) {
	e := apperr.As(err)
	switch e.Kind {
	case apperr.KindInvalid, apperr.KindConflict, apperr.KindForbidden:
		return s.Catalog.T(e.Code, e.Args...), httpx.Status(e.Kind), true
	}
	return "", 0, false
}

func (s *Server) unitCreate(w http.ResponseWriter, r *http.Request) error {
	in := unitInputFrom(r)
	u, err := s.Org.CreateUnit(r.Context(), actorOf(r), in)
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		return s.unitForm(w, r, status, unitFormData{In: in, Error: msg})
	}
	return s.redirectWith(w, r, "/units/"+strconv.FormatInt(u.ID, 10), "common.saved")
}

func (s *Server) unitEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	u, err := s.Org.GetUnit(r.Context(), a, id)
	if err != nil {
		return err
	}
	if !a.Manages(u.RegionCode) {
		return apperr.Forbidden("org.unit_outside_scope")
	}
	return s.unitForm(w, r, http.StatusOK, unitFormData{ID: id, In: org.UnitInput{
		Code: u.Code, Name: u.Name, Kind: u.Kind, Line: u.Line, ParentID: u.ParentID, RegionCode: u.RegionCode,
		HeadName: u.HeadName, HeadPhone: u.HeadPhone, LiaisonName: u.LiaisonName, LiaisonPhone: u.LiaisonPhone,
	}})
}

func (s *Server) unitUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := unitInputFrom(r)
	if _, err := s.Org.UpdateUnit(r.Context(), actorOf(r), id, in); err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		return s.unitForm(w, r, status, unitFormData{ID: id, In: in, Error: msg})
	}
	return s.redirectWith(w, r, "/units/"+strconv.FormatInt(id, 10), "common.saved")
}

type userListData struct {
	Users   []org.User
	Pager   pager
	Query   string
	Role    string
	CanEdit bool
}

func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	a, q := actorOf(r), r.URL.Query()
	page, offset, limit := pageParams(r)
	f := org.UserFilter{Query: q.Get("q"), Role: access.Role(q.Get("role")), Offset: offset, Limit: limit}
	users, total, err := s.Org.ListUsers(r.Context(), a, f)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "users", "user.list_title", userListData{
		Users: users, Pager: newPager(r, page, limit, total), Query: f.Query, Role: string(f.Role),
		CanEdit: a.HasAny(access.RoleAdmin, access.RoleOffice),
	})
	return nil
}

type userDetailData struct {
	User        org.User
	CanEdit     bool
	NewPassword string
}

func (s *Server) userDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	u, err := s.Org.GetUser(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "user", "user.detail_title", userDetailData{User: u, CanEdit: a.Manages(u.UnitRegion) && u.ID != a.UserID})
	return nil
}

type userFormData struct {
	ID    int64
	In    org.UserInput
	Units []org.Unit
	Error string
}

func (s *Server) userForm(w http.ResponseWriter, r *http.Request, status int, d userFormData) error {
	units, err := s.Org.UnitChoices(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	d.Units = units
	title := "user.new_title"
	if d.ID != 0 {
		title = "user.edit_title"
	}
	s.render(w, r, status, "user_form", title, d)
	return nil
}

func (s *Server) userNew(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !a.HasAny(access.RoleAdmin, access.RoleOffice) {
		return apperr.Forbidden("error.forbidden")
	}
	return s.userForm(w, r, http.StatusOK, userFormData{In: org.UserInput{UnitID: a.UnitID, Roles: []access.Role{access.RoleHandler}}})
}

func userInputFrom(r *http.Request) org.UserInput {
	in := org.UserInput{
		Username: r.PostFormValue("username"), Phone: r.PostFormValue("phone"), DisplayName: r.PostFormValue("display_name"),
		UnitID: formID(r, "unit_id"), Disabled: r.PostFormValue("disabled") == "1",
	}
	for _, v := range r.PostForm["roles"] {
		in.Roles = append(in.Roles, access.Role(strings.TrimSpace(v)))
	}
	return in
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	in := userInputFrom(r)
	u, generated, err := s.Org.CreateUser(r.Context(), actorOf(r), in)
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		return s.userForm(w, r, status, userFormData{In: in, Error: msg})
	}
	// The generated password is shown once, on this response, never stored
	// in clear or put in a URL.
	s.render(w, r, http.StatusCreated, "user", "user.detail_title", userDetailData{User: u, CanEdit: true, NewPassword: generated})
	return nil
}

func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	u, err := s.Org.GetUser(r.Context(), a, id)
	if err != nil {
		return err
	}
	if !a.Manages(u.UnitRegion) {
		return apperr.Forbidden("org.user_outside_scope")
	}
	return s.userForm(w, r, http.StatusOK, userFormData{ID: id, In: org.UserInput{
		Username: u.Username, Phone: u.Phone, DisplayName: u.DisplayName, UnitID: u.UnitID, Roles: u.Roles, Disabled: u.Disabled,
	}})
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := userInputFrom(r)
	if _, err := s.Org.UpdateUser(r.Context(), actorOf(r), id, in); err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		return s.userForm(w, r, status, userFormData{ID: id, In: in, Error: msg})
	}
	return s.redirectWith(w, r, "/users/"+strconv.FormatInt(id, 10), "common.saved")
}

func (s *Server) userResetPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	pw, err := s.Org.ResetPassword(r.Context(), a, id)
	if err != nil {
		return err
	}
	u, err := s.Org.GetUser(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "user", "user.detail_title", userDetailData{User: u, CanEdit: true, NewPassword: pw})
	return nil
}

type tokenData struct {
	Tokens   []auth.Token
	NewToken string
	Error    string
	Users    []org.User
}

func (s *Server) tokenPage(w http.ResponseWriter, r *http.Request, status int, d tokenData) error {
	a := actorOf(r)
	toks, err := s.Auth.ListTokens(r.Context(), a)
	if err != nil {
		return err
	}
	users, _, err := s.Org.ListUsers(r.Context(), a, org.UserFilter{Limit: 500})
	if err != nil {
		return err
	}
	d.Tokens, d.Users = toks, users
	s.render(w, r, status, "tokens", "token.title", d)
	return nil
}

func (s *Server) tokenList(w http.ResponseWriter, r *http.Request) error {
	return s.tokenPage(w, r, http.StatusOK, tokenData{})
}

func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	plain, _, err := s.Auth.CreateToken(r.Context(), actorOf(r), formID(r, "user_id"), r.PostFormValue("name"))
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		return s.tokenPage(w, r, status, tokenData{Error: msg})
	}
	return s.tokenPage(w, r, http.StatusCreated, tokenData{NewToken: plain})
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeToken(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/admin/tokens", "token.revoked")
}

type smsData struct {
	Rows    []smsRow
	Counts  outbox.Counts
	Gateway bool
}

type smsRow struct {
	outbox.Entry
	Text string // the message's text as the gateway gets it
}

// smsLog shows the administrator the latest SMS messages and how their
// delivery went.
func (s *Server) smsLog(w http.ResponseWriter, r *http.Request) error {
	entries, counts, err := s.Outbox.Recent(r.Context(), actorOf(r), 200)
	if err != nil {
		return err
	}
	d := smsData{Counts: counts, Gateway: s.SMSGateway}
	for _, e := range entries {
		args := make([]any, len(e.Args))
		for i, x := range e.Args {
			args[i] = x
		}
		d.Rows = append(d.Rows, smsRow{Entry: e, Text: s.Catalog.T("problem.notice."+e.Kind, args...)})
	}
	s.render(w, r, http.StatusOK, "sms", "sms.title", d)
	return nil
}
