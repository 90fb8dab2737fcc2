package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/org"
)

// t is the catalogue as the bulletin package wants it.
func (s *Server) bt() bulletin.T { return s.Catalog.T }

func mayCompose(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader)
}

func mayIssueBulletins(a access.Actor) bool { return a.HasAny(access.RoleAdmin, access.RoleOffice) }

// bulletinRequest reads the compose form (from a query or a post) whose
// units are ids.
func bulletinRequest(v url.Values) bulletin.Request {
	req := bulletin.Request{Period: bulletin.Period{Kind: v.Get("kind"), From: v.Get("from")}, Title: v.Get("title")}
	if req.Period.Kind == bulletin.PeriodCustom {
		req.Period.To = v.Get("to")
	}
	if v.Get("mode") == "units" {
		for _, u := range v["units"] {
			if id, err := strconv.ParseInt(strings.TrimSpace(u), 10, 64); err == nil {
				req.Units = append(req.Units, id)
			}
		}
		if len(req.Units) == 0 {
			// Nothing chosen: let the store say so.
			req.Units = nil
		}
	} else {
		req.Region = strings.TrimSpace(v.Get("region"))
	}
	return req
}

// bulletinUnitsPicker is the compose form's group of units: those a
// bulletin ranks (the offices that issue bulletins are not offered).
func bulletinUnitsPicker() unitsPicked {
	kinds := []string{}
	for _, k := range []org.UnitKind{org.KindDepartment, org.KindTerritorial, org.KindSponsor, org.KindProperty, org.KindOther} {
		kinds = append(kinds, string(k))
	}
	return unitsPicked{Field: "units", Label: "bulletin.pick_units", Kinds: strings.Join(kinds, ",")}
}

// composeRequest reads the compose form: a group of units is checked for
// the person and names typed without the script are found. It returns
// the form again with the units as ids alone, for the draft's links and
// its issue form.
func (s *Server) composeRequest(ctx context.Context, a access.Actor, v url.Values) (bulletin.Request, url.Values, error) {
	if v.Get("mode") != "units" {
		return bulletinRequest(v), v, nil
	}
	_, ids, err := s.pickedUnits(ctx, a, v, bulletinUnitsPicker())
	if err != nil {
		return bulletin.Request{}, v, err
	}
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	delete(out, "units_names")
	out["units"] = nil
	for _, id := range ids {
		out.Add("units", strconv.FormatInt(id, 10))
	}
	return bulletinRequest(out), out, nil
}

type composeForm struct {
	Mode, Region, Kind, From, To, Title string
	Units                               unitsPicked
}

func composeFrom(v url.Values, a access.Actor, today string) composeForm {
	f := composeForm{Mode: v.Get("mode"), Region: v.Get("region"), Kind: v.Get("kind"), From: v.Get("from"), To: v.Get("to"),
		Title: v.Get("title"), Units: bulletinUnitsPicker()}
	f.Units.Text = strings.TrimSpace(v.Get("units_names"))
	if f.Mode == "" {
		f.Mode = "region"
	}
	if f.Region == "" {
		f.Region = a.Region
	}
	if f.Kind == "" {
		f.Kind = bulletin.PeriodWeek
	}
	if f.From == "" {
		f.From = today
	}
	if f.To == "" {
		f.To = today
	}
	return f
}

type archiveData struct {
	List       []bulletin.Summary
	Pager      pager
	CanCompose bool
	CanIssue   bool
	Form       composeForm
	Error      string
	Kinds      []string
	T          bulletin.T
}

func (s *Server) today() string { return s.Problems.Now().In(s.loc).Format("2006-01-02") }

func (s *Server) archiveData(r *http.Request, v url.Values) (archiveData, error) {
	ctx, a := r.Context(), actorOf(r)
	page, offset, limit := pageParams(r)
	list, total, err := s.Bulletins.List(ctx, a, offset, limit)
	if err != nil {
		return archiveData{}, err
	}
	d := archiveData{List: list, Pager: newPager(r, page, limit, total), CanCompose: mayCompose(a), CanIssue: mayIssueBulletins(a),
		Form: composeFrom(v, a, s.today()), T: s.bt(),
		Kinds: []string{bulletin.PeriodDay, bulletin.PeriodWeek, bulletin.PeriodMonth, bulletin.PeriodCustom}}
	if d.CanCompose {
		// The group's units chosen so far, their names looked up for them
		// alone: the others are found by name as one types.
		var ids []int64
		for _, u := range v["units"] {
			if id, err := strconv.ParseInt(strings.TrimSpace(u), 10, 64); err == nil && id > 0 {
				ids = append(ids, id)
			}
		}
		if d.Form.Units, err = s.shownUnits(ctx, a, d.Form.Units, ids); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (s *Server) bulletinArchive(w http.ResponseWriter, r *http.Request) error {
	d, err := s.archiveData(r, r.URL.Query())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "bulletins", "bulletin.title", d)
	return nil
}

// composeFailed shows the archive again with the form as sent and the
// reason it was refused.
func (s *Server) composeFailed(w http.ResponseWriter, r *http.Request, v url.Values, err error) error {
	return s.refused(err, func(status int, msg string) error {
		d, derr := s.archiveData(r, v)
		if derr != nil {
			return derr
		}
		d.Error = msg
		if apperr.As(err).Code == "unitpick.names_refused" {
			d.Form.Units.Refusal = msg
		}
		s.render(w, r, status, "bulletins", "bulletin.title", d)
		return nil
	})
}
