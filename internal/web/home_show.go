package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// homeData is the workbench (工作台), translated for the page, under a
// short line about the signed-in person.
type homeData struct {
	User   org.User
	Today  string
	Groups []homeGroup
	// Nearby: an inspector may have the cases to verify nearest first
	// (?near=lng,lat, from the phone); Near says they are.
	Nearby, Near bool
}

type homeGroup struct {
	Key   string
	Title string
	Items []homeItem
}

type homeItem struct {
	Kind, Title, Note, Link string
	Count                   int
	Tone                    workbench.Tone
	Entries                 []homeEntry
}

type homeEntry struct {
	Label, Note, Link string
	Tone              workbench.Tone
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	ctx := r.Context()
	u, err := s.Org.GetUser(ctx, a, a.UserID)
	if err != nil {
		return err
	}
	d := homeData{User: u, Today: s.Problems.Now().In(s.loc).Format("2006-01-02"), Nearby: a.Has(access.RoleInspector)}
	if lng, lat, ok := nearParam(r.URL.Query().Get("near")); ok && d.Nearby {
		ctx, d.Near = workbench.WithPosition(ctx, lng, lat), true
	}
	if s.Workbench != nil {
		groups, err := s.Workbench.Groups(ctx, a)
		if err != nil {
			return err
		}
		d.Groups = s.homeGroups(groups)
	}
	s.render(w, r, http.StatusOK, "home", "workbench.title", d)
	return nil
}

func (s *Server) homeGroups(groups []workbench.Group) []homeGroup {
	text := func(x workbench.Text) string {
		if x.Zero() {
			return ""
		}
		return s.Catalog.T(x.Key, x.Args...)
	}
	out := make([]homeGroup, 0, len(groups))
	for _, g := range groups {
		hg := homeGroup{Key: string(g.Section), Title: s.Catalog.T(g.Section.Key())}
		for _, it := range g.Items {
			hi := homeItem{Kind: it.Kind, Title: text(it.Title), Note: text(it.Note), Link: it.Link, Count: it.Count, Tone: it.Tone}
			for _, e := range it.Entries {
				hi.Entries = append(hi.Entries, homeEntry{Label: e.Label, Note: text(e.Note), Link: e.Link, Tone: e.Tone})
			}
			hg.Items = append(hg.Items, hi)
		}
		out = append(out, hg)
	}
	return out
}

// nearParam reads "lng,lat" as the browser sends it; anything that is not
// a place on Earth is ignored.
func nearParam(v string) (lng, lat float64, ok bool) {
	x, y, found := strings.Cut(v, ",")
	if !found {
		return 0, 0, false
	}
	lng, err1 := strconv.ParseFloat(strings.TrimSpace(x), 64)
	lat, err2 := strconv.ParseFloat(strings.TrimSpace(y), 64)
	if err1 != nil || err2 != nil || math.IsNaN(lng) || math.IsNaN(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90 {
		return 0, 0, false
	}
	return lng, lat, true
}
