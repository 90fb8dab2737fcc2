package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/org"
)

// t is the catalogue as the bulletin package wants it.
func (s *Server) bt() bulletin.T { return s.Catalog.T }

func mayCompose(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader)
}

func mayIssueBulletins(a access.Actor) bool { return a.HasAny(access.RoleAdmin, access.RoleOffice) }

// bulletinRequest reads the compose form (from a query or a post).
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

type composeForm struct {
	Mode, Region, Kind, From, To, Title string
	Units                               map[int64]bool
}

func composeFrom(v url.Values, a access.Actor, today string) composeForm {
	f := composeForm{Mode: v.Get("mode"), Region: v.Get("region"), Kind: v.Get("kind"), From: v.Get("from"), To: v.Get("to"),
		Title: v.Get("title"), Units: map[int64]bool{}}
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
	for _, u := range v["units"] {
		if id, err := strconv.ParseInt(u, 10, 64); err == nil {
			f.Units[id] = true
		}
	}
	return f
}

type archiveData struct {
	List       []bulletin.Summary
	Pager      pager
	CanCompose bool
	CanIssue   bool
	Form       composeForm
	UnitGroups []unitChoiceGroup
	Error      string
	Kinds      []string
	T          bulletin.T
}

type unitChoiceGroup struct {
	Kind  org.UnitKind
	Units []org.Unit
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
		units, err := s.Org.UnitChoices(ctx, a)
		if err != nil {
			return d, err
		}
		for _, k := range []org.UnitKind{org.KindDepartment, org.KindTerritorial, org.KindSponsor, org.KindProperty, org.KindOther} {
			g := unitChoiceGroup{Kind: k}
			for _, u := range units {
				if u.Kind == k {
					g.Units = append(g.Units, u)
				}
			}
			if len(g.Units) > 0 {
				d.UnitGroups = append(d.UnitGroups, g)
			}
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
		s.render(w, r, status, "bulletins", "bulletin.title", d)
		return nil
	})
}
