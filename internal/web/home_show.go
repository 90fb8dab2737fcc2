package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// homeData is the workbench (工作台), translated for the page, under a
// short line about the signed-in person.
type homeData struct {
	User   org.User
	Today  string
	Groups []homeGroup
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
	d := homeData{User: u, Today: s.Problems.Now().In(s.loc).Format("2006-01-02")}
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
