package web

import (
	"context"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/bulletin"
)

// wallLists is the 红黑榜 of the latest bulletin the actor may read, for
// the wall screen: per group, the red list best first and the black list
// worst first.
type wallLists struct {
	ID     int64
	Number string
	Title  string
	Groups []wallListGroup
}

type wallListGroup struct {
	Name       string
	Red, Black []bulletin.UnitRow
}

// latestLists reads the newest issued bulletin the actor may see; nil when
// there is none (or no bulletins in this installation).
func (s *Server) latestLists(ctx context.Context, a access.Actor) (*wallLists, error) {
	if s.Bulletins == nil {
		return nil, nil
	}
	list, _, err := s.Bulletins.List(ctx, a, 0, 1)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	b, err := s.Bulletins.Get(ctx, a, list[0].ID)
	if err != nil {
		return nil, err
	}
	t := bulletin.T(s.Catalog.T)
	out := &wallLists{ID: b.ID, Number: b.NumberText(t), Title: b.TitleText(t)}
	for _, g := range b.Groups {
		red, black := g.RedList(), g.BlackList()
		if len(red)+len(black) > 0 {
			out.Groups = append(out.Groups, wallListGroup{Name: s.Catalog.T(bulletin.GroupKey(g.Key)), Red: red, Black: black})
		}
	}
	return out, nil
}
