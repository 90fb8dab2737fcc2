package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/routing"
	"github.com/wenming-civic/wenming/internal/survey"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

//go:embed templates
var templateFiles embed.FS

// pages holds one template set per page: the layout and partials, and the
// page's own "content" block.
type pages struct {
	byName map[string]*template.Template
}

func parsePages(funcs template.FuncMap) (*pages, error) {
	base, err := template.New("base").Funcs(funcs).ParseFS(templateFiles, "templates/layout/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("clone layout: %w", err)
		}
		if _, err := t.ParseFS(templateFiles, n); err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		p.byName[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return p, nil
}

// view is what every page template receives.
type view struct {
	Title   string
	Actor   access.Actor
	CSRF    string
	Flash   string
	Nav     []navItem
	Path    string
	Data    any
	Partial bool
	Unread  int // unread notifications, for the bell
	Map     MapConfig
}

type navItem struct {
	Href, Label string
	Active      bool
}

// section is one part of the site in the navigation, with the roles that
// see it (none listed: everyone signed in).
type section struct {
	href, key string
	roles     []access.Role
}

func sections() []section {
	return []section{
		{"/", "nav.home", nil},
		{"/dashboard", "nav.dashboard", nil},
		{"/problems", "nav.ledger", nil},
		{"/bulletins", "nav.bulletins", nil},
		{"/report", "nav.report", nil},
		{"/regions", "nav.regions", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler, access.RoleInspector}},
		{"/units", "nav.units", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler}},
		{"/users", "nav.users", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader}},
		{"/sites", "nav.sites", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleInspector}},
		{"/framework", "nav.framework", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleInspector}},
		{"/inspections", "nav.inspections", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleInspector}},
		{"/projection", "nav.projection", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader}},
		{"/workplans", "nav.workplans", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler}},
		{"/dossiers", "nav.dossiers", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler}},
		{"/merchants", "nav.merchants", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler, access.RoleInspector}},
		{"/campaigns", "nav.campaigns", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler}},
		{"/surveys", "nav.surveys", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler, access.RoleInspector, access.RoleVolunteer}},
		{"/volunteers", "nav.volunteers", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler, access.RoleVolunteer}},
		{"/selections", "nav.selections", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler}},
		{"/holders", "nav.holders", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler}},
		{"/settings", "nav.settings", []access.Role{access.RoleAdmin, access.RoleOffice, access.RoleLeader}},
		{"/admin/tokens", "nav.tokens", []access.Role{access.RoleAdmin}},
		{"/admin/sms", "nav.sms", []access.Role{access.RoleAdmin}},
		{"/robots", "nav.robots", []access.Role{access.RoleAdmin, access.RoleOffice}},
		{"/admin/webhooks", "nav.webhooks", []access.Role{access.RoleAdmin}},
	}
}

// inNav reports whether the actor's navigation lists the section at href.
func inNav(a access.Actor, href string) bool {
	for _, e := range sections() {
		if e.href == href {
			return a.SignedIn() && (len(e.roles) == 0 || a.HasAny(e.roles...))
		}
	}
	return false
}

// navFor lists the sections the actor's roles open.
func (s *Server) navFor(a access.Actor, current string) []navItem {
	var out []navItem
	for _, e := range sections() {
		if !inNav(a, e.href) {
			continue
		}
		active := e.href == current || (e.href != "/" && strings.HasPrefix(current, e.href))
		key := e.key
		if e.href == "/problems" && problem.OwnReportsOnly(a) {
			key = "citizen.mine_title" // the ledger of a citizen is 我的上报
		}
		out = append(out, navItem{Href: e.href, Label: s.Catalog.T(key), Active: active})
	}
	return out
}

// render executes a page with the common view around data.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, titleKey string, data any) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.Log.Error("no such page template", "page", name)
		http.Error(w, s.Catalog.T("error.internal"), http.StatusInternalServerError)
		return
	}
	info := reqInfo(r)
	v := view{
		Title: s.Catalog.T(titleKey),
		Actor: info.session.Actor,
		CSRF:  s.maskedCSRF(info),
		Flash: s.takeFlash(w, r),
		Nav:   s.navFor(info.session.Actor, r.URL.Path),
		Path:  r.URL.Path,
		Data:  data,
		Map:   s.Map,
	}
	if v.Actor.SignedIn() && s.Problems != nil {
		n, err := s.Notices.Unread(r.Context(), v.Actor)
		if err != nil {
			s.Log.Warn("count notifications", "err", err)
		}
		v.Unread = n
	}
	entry := "layout"
	if r.Header.Get("HX-Request") != "" && t.Lookup("partial") != nil {
		entry, v.Partial = "partial", true
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, entry, v); err != nil {
		s.Log.Error("render page", "page", name, "err", err)
		http.Error(w, s.Catalog.T("error.internal"), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	body := buf.Bytes()
	// Pages are compressed for a phone on a slow line (a checklist of 40
	// criteria is 100 KB of HTML); the CSRF token is masked per page, so
	// compression gives it away to no one (maskedCSRF).
	if len(body) > 1400 && acceptsGzip(r) {
		var zb bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&zb, gzip.BestSpeed)
		if _, err := zw.Write(body); err == nil && zw.Close() == nil {
			h.Set("Content-Encoding", "gzip")
			h.Add("Vary", "Accept-Encoding")
			body = zb.Bytes()
		}
	}
	w.WriteHeader(status)
	w.Write(body)
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string { return s.Catalog.T(key, args...) },
		"asset": func(name string) (string, error) {
			return s.assets.URL(name)
		},
		"mask": org.MaskPhone,
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(s.loc).Format("2006-01-02 15:04")
		},
		"roleName": func(r access.Role) string { return s.Catalog.T("role." + string(r)) },
		"kindName": func(k org.UnitKind) string { return s.Catalog.T(k.Key()) },
		"lineName": func(l string) string {
			if l == "" {
				return ""
			}
			return s.Catalog.T(org.LineKey(l))
		},
		"inNav": inNav,
		// Leaflet finds its marker images under this folder (with a slash).
		"leafletImages": func() (string, error) {
			u, err := s.assets.URL("vendor/leaflet/images/marker-icon.png")
			return strings.TrimSuffix(u, "marker-icon.png"), err
		},
		"has": func(a access.Actor, role string) bool { return a.Has(access.Role(role)) },
		"notice": func(n notice.Notification) string {
			args := make([]any, len(n.Args))
			for i, x := range n.Args {
				args[i] = x
			}
			return s.Catalog.T(n.Key(), args...)
		},
		"hasRole": func(roles []access.Role, role access.Role) bool {
			for _, r := range roles {
				if r == role {
					return true
				}
			}
			return false
		},
		"stateName":  func(st problem.State) string { return s.Catalog.T(st.Key()) },
		"sourceName": func(src problem.Source) string { return s.Catalog.T(src.Key()) },
		"actionName": func(a problem.Action) string { return s.Catalog.T(a.Key()) },
		"states":     problem.States,
		"sources":    problem.Sources,
		"routeNote":  s.routeNote,
		"pct":        func(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" },
		"hours":      func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) },
		"coord":      func(x float64) string { return strconv.FormatFloat(x, 'f', 6, 64) },
		"overdue":    func(c *problem.Case, now time.Time) bool { return c.Overdue(now) },
		"qget":       func(q url.Values, k string) string { return q.Get(k) },
		"qhas": func(q url.Values, k, v string) bool {
			for _, x := range q[k] {
				if x == v {
					return true
				}
			}
			return false
		},
		"photo":      func(hash, size string) string { return "/photos/" + hash + "/" + size },
		"needs":      actionNeeds,
		"ms":         func(ms int64) time.Time { return time.UnixMilli(ms) },
		"day":        func(t time.Time) string { return t.In(s.loc).Format("2006-01-02") },
		"allRoles":   access.AllRoles,
		"unitKinds":  org.UnitKinds,
		"lines":      org.Lines,
		"add":        func(a, b int) int { return a + b },
		"noticeKind": s.noticeKindName,
		"figureKeys": survey.FigureKeys,
		// volunteerHours writes minutes as hours (志愿服务).
		"volunteerHours": volunteer.Hours,
	}
}

// routeNote says in words which rule chose a case's unit.
func (s *Server) routeNote(note string) string {
	by, detail := routing.ParseNote(note)
	switch by {
	case routing.ByRule:
		id, text, _ := strings.Cut(detail, "|")
		return s.Catalog.T("routing.by_rule", id, text)
	case routing.ByTerritory:
		return s.Catalog.T("routing.by_territorial", detail)
	case routing.ByLine:
		return s.Catalog.T("routing.by_line", s.Catalog.T(org.LineKey(detail)))
	case routing.ByOffice:
		return s.Catalog.T("routing.by_office", detail)
	case routing.ByHand:
		return s.Catalog.T("routing.by_hand")
	case "import":
		return s.Catalog.T("routing.by_import", detail)
	}
	return ""
}

// actionNeeds says which inputs an action's form shows: note, photos,
// deadline, unit, category, duplicate.
func actionNeeds(a problem.Action, what string) bool {
	needs := map[problem.Action]string{
		problem.ActFile:             "category",
		problem.ActReject:           "note!",
		problem.ActMerge:            "duplicate",
		problem.ActDispatch:         "unit",
		problem.ActReturn:           "note!",
		problem.ActRequestExtension: "note! deadline",
		problem.ActApproveExtension: "note",
		problem.ActRefuseExtension:  "note!",
		problem.ActPark:             "note! deadline",
		problem.ActRectify:          "note! photos",
		problem.ActFixOnSpot:        "note photos",
		problem.ActVerifyPass:       "note",
		problem.ActVerifyFail:       "note!",
		problem.ActReopen:           "note! photos",
	}[a]
	for _, f := range strings.Fields(needs) {
		if f == what || strings.TrimSuffix(f, "!") == what && what != "note!" {
			return true
		}
	}
	return false
}
