package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
)

// unitPickLimit bounds the units one look-up answers with: the picker
// asks again as the person types, instead of every page listing hundreds.
const unitPickLimit = 20

type unitPickItem struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// unitPick answers the unit picker's search box with the units the person
// may see whose name or code contains the text.
func (s *Server) unitPick(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	items := []unitPickItem{}
	if q != "" && len(q) <= 100 {
		units, _, err := s.Org.ListUnits(r.Context(), actorOf(r), org.UnitFilter{Query: q, Limit: unitPickLimit})
		if err != nil {
			return err
		}
		for _, u := range units {
			items = append(items, unitPickItem{ID: u.ID, Name: u.Name})
		}
	}
	return writePlaceJSON(w, map[string]any{"units": items})
}

// unitPicked is what a unit picker shows and sends.
type unitPicked struct {
	Field   string // the form field of the id
	ID      int64
	Name    string // the chosen unit's name, or the text that found none
	Missing bool   // a name was typed that matches no unit
	Hint    string // catalogue key of the placeholder ("": unitpick.placeholder)
}

// pickedUnit reads a picker's fields: the id its script set, or, without
// the script, the name typed, which must name one unit the actor sees
// (exactly, or as the only unit containing it).
func (s *Server) pickedUnit(ctx context.Context, a access.Actor, field, idText, name string) (unitPicked, error) {
	p := unitPicked{Field: field}
	if id, _ := strconv.ParseInt(strings.TrimSpace(idText), 10, 64); id > 0 {
		u, err := s.Org.GetUnit(ctx, a, id)
		if err != nil {
			return p, err
		}
		p.ID, p.Name = u.ID, u.Name
		return p, nil
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return p, nil
	}
	units, _, err := s.Org.ListUnits(ctx, a, org.UnitFilter{Query: name, Limit: unitPickLimit})
	if err != nil {
		return p, err
	}
	for _, u := range units {
		if u.Name == name {
			return unitPicked{Field: field, ID: u.ID, Name: u.Name}, nil
		}
	}
	if len(units) == 1 {
		return unitPicked{Field: field, ID: units[0].ID, Name: units[0].Name}, nil
	}
	p.Name, p.Missing = name, true
	return p, nil
}
