package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/org"
)

// unitPickLimit bounds the units one look-up answers with: the picker
// asks again as the person types, instead of every page listing hundreds.
const unitPickLimit = 20

type unitPickItem struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"` // tells apart units of the same name
}

// unitPick answers the unit pickers' search boxes with the units the
// person may see whose name or code contains the text (and, with kind,
// of those kinds, separated by commas).
func (s *Server) unitPick(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	items := []unitPickItem{}
	if q != "" && len(q) <= 100 {
		units, _, err := s.Org.ListUnits(r.Context(), actorOf(r), org.UnitFilter{Query: q, Kinds: pickKinds(r.URL.Query().Get("kind")),
			Limit: unitPickLimit})
		if err != nil {
			return err
		}
		for _, u := range units {
			items = append(items, unitPickItem{ID: u.ID, Name: u.Name, Parent: u.ParentName})
		}
	}
	return writePlaceJSON(w, map[string]any{"units": items})
}

// pickKinds reads a picker's kinds ("department,office"); unknown words
// are left out.
func pickKinds(list string) []org.UnitKind {
	var out []org.UnitKind
	for _, k := range strings.Split(list, ",") {
		if k := org.UnitKind(strings.TrimSpace(k)); k.Valid() {
			out = append(out, k)
		}
	}
	return out
}

// unitPicked is what a unit picker shows and sends.
type unitPicked struct {
	Field    string // the form field of the id
	ID       int64
	Name     string // the chosen unit's name, or the text that found none
	Missing  bool   // a name was typed that matches no unit
	Hint     string // catalogue key of the placeholder ("": unitpick.placeholder)
	Label    string // catalogue key of the field's label ("": ledger.unit)
	Required bool   // the form needs a unit
	Kinds    string // the kinds offered ("": all), as /units/pick takes them
}

// pickedUnit reads a picker's fields: the id its script set, or, without
// the script, the name typed, which must name one unit the actor sees
// (exactly, or as the only unit containing it).
func (s *Server) pickedUnit(ctx context.Context, a access.Actor, p unitPicked, idText, name string) (unitPicked, error) {
	p.ID, p.Name, p.Missing = 0, "", false
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
	u, refusal, err := s.unitNamed(ctx, a, name, pickKinds(p.Kinds))
	if err != nil {
		return p, err
	}
	if refusal != "" {
		p.Name, p.Missing = name, true
		return p, nil
	}
	p.ID, p.Name = u.ID, u.Name
	return p, nil
}

// postedUnit reads a single picker of a posted form; an id the actor may
// not see, and a typed name that finds no unit, are refused in words, and
// the picker returned keeps the name to show the form again.
func (s *Server) postedUnit(r *http.Request, p unitPicked) (unitPicked, error) {
	p, err := s.pickedUnit(r.Context(), actorOf(r), p, r.PostFormValue(p.Field), r.PostFormValue(p.Field+"_name"))
	err = unitRefused(err)
	if err == nil && p.Missing {
		err = apperr.Invalid("unitpick.missing", p.Name)
	}
	return p, err
}

// shownUnit is picker p showing unit id (0: none) on a form, its name
// looked up for the actor; a unit the actor may not see shows none.
func (s *Server) shownUnit(ctx context.Context, a access.Actor, p unitPicked, id int64) (unitPicked, error) {
	p.ID, p.Name, p.Missing = 0, "", false
	if id <= 0 {
		return p, nil
	}
	u, err := s.Org.GetUnit(ctx, a, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	p.ID, p.Name = u.ID, u.Name
	return p, nil
}

// unitNamed finds the one unit the actor sees that a typed name means:
// the unit of exactly that name or code, else the only unit whose name or
// code contains it. refusal is the catalogue key of why there is none
// (unitpick.name_unknown, unitpick.name_ambiguous), "" when found.
func (s *Server) unitNamed(ctx context.Context, a access.Actor, name string, kinds []org.UnitKind) (u org.Unit, refusal string, err error) {
	if len(name) > 200 {
		return u, "unitpick.name_unknown", nil
	}
	for _, f := range []org.UnitFilter{{Exact: name, Kinds: kinds, Limit: 2}, {Query: name, Kinds: kinds, Limit: 2}} {
		units, total, err := s.Org.ListUnits(ctx, a, f)
		if err != nil {
			return u, "", err
		}
		switch {
		case total == 1:
			return units[0], "", nil
		case total > 1:
			return u, "unitpick.name_ambiguous", nil
		}
	}
	return u, "unitpick.name_unknown", nil
}

// unitRefused turns a posted unit the actor may not see (or that does
// not exist: the two look alike) into a refusal the form shows, not a
// missing page.
func unitRefused(err error) error {
	if errors.Is(err, apperr.ErrNotFound) {
		return apperr.Forbidden("org.unit_not_found")
	}
	return err
}

// unitsPicked is what a picker of several units shows and sends: one
// value of Field per chosen unit, and, without the script, the names
// typed in Field+"_names", separated by 、, commas or new lines.
type unitsPicked struct {
	Field   string         // the form field of the ids, repeated
	Label   string         // catalogue key of the field's legend
	Units   []unitPickItem // the units chosen
	Text    string         // the names typed without the script, as sent
	Refusal string         // why the typed names were refused, in words
	Kinds   string         // the kinds offered ("": all), as /units/pick takes them
}

// maxPickedUnits bounds the units one picker sends (a bulletin's group
// of units is the largest).
const maxPickedUnits = 500

// splitUnitNames cuts typed names at 、 , ， ; ； and new lines.
func splitUnitNames(text string) []string {
	var out []string
	for _, n := range strings.FieldsFunc(text, func(c rune) bool { return strings.ContainsRune("、,，;；\r\n", c) }) {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// pickedUnits reads a picker of several units from a posted form (or a
// query): the ids, each of which the actor must see, then the names
// typed, each of which must name one unit the actor sees. It returns the
// ids of all of them, repeats left out, in that order. A name that finds
// none or several is refused with its name in words; the picker returned
// keeps what was sent, to show the form again.
func (s *Server) pickedUnits(ctx context.Context, a access.Actor, v url.Values, p unitsPicked) (unitsPicked, []int64, error) {
	p.Units, p.Refusal = nil, ""
	p.Text = strings.TrimSpace(v.Get(p.Field + "_names"))
	var ids []int64
	for _, x := range v[p.Field] {
		if id, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	names := splitUnitNames(p.Text)
	if len(ids)+len(names) > maxPickedUnits {
		return p, nil, apperr.Invalid("org.too_many_units", maxPickedUnits)
	}
	units, err := s.Org.VisibleUnits(ctx, a, ids)
	if err != nil {
		return p, nil, unitRefused(err)
	}
	seen := map[int64]bool{}
	var out []int64
	for _, u := range units {
		p.Units = append(p.Units, unitPickItem{ID: u.ID, Name: u.Name})
		seen[u.ID] = true
		out = append(out, u.ID)
	}
	var bad []string
	for _, n := range names {
		u, refusal, err := s.unitNamed(ctx, a, n, pickKinds(p.Kinds))
		if err != nil {
			return p, nil, err
		}
		if refusal != "" {
			bad = append(bad, s.Catalog.T(refusal, n))
			continue
		}
		if !seen[u.ID] {
			seen[u.ID] = true
			out = append(out, u.ID)
		}
	}
	if len(bad) > 0 {
		e := apperr.Invalid("unitpick.names_refused", strings.Join(bad, s.Catalog.T("unitpick.list_sep")))
		p.Refusal = s.Catalog.T(e.Code, e.Args...)
		return p, nil, e
	}
	return p, out, nil
}

// shownUnits is picker p showing units ids on a form, their names looked
// up for the actor (those it may not see are left out).
func (s *Server) shownUnits(ctx context.Context, a access.Actor, p unitsPicked, ids []int64) (unitsPicked, error) {
	p.Units = nil
	units, err := s.Org.SeenUnits(ctx, a, ids)
	if err != nil {
		return p, err
	}
	for _, u := range units {
		p.Units = append(p.Units, unitPickItem{ID: u.ID, Name: u.Name})
	}
	return p, nil
}

// leadAndCoop are the pickers of a form's lead unit and its cooperating
// units (a campaign, a task, a dossier requirement) as posted.
type leadAndCoop struct {
	Lead unitPicked
	Coop unitsPicked
}

// postedLeadAndCoop reads both pickers of a posted form and returns the
// cooperating units' ids; the first refusal of either is the error.
func (s *Server) postedLeadAndCoop(r *http.Request, lead unitPicked, coop unitsPicked) (leadAndCoop, []int64, error) {
	var u leadAndCoop
	var err, cerr error
	var ids []int64
	u.Lead, err = s.postedUnit(r, lead)
	u.Coop, ids, cerr = s.pickedUnits(r.Context(), actorOf(r), r.PostForm, coop)
	if err == nil {
		err = cerr
	}
	return u, ids, err
}
