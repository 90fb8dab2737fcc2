package volunteer

import (
	"context"
	"fmt"

	"github.com/wenming-civic/wenming/internal/region"
)

// Places are the streets and communities below a district, by code, for
// the import (names to codes) and the pages (codes to names).
type Places struct {
	Names  map[string]string // code → name
	ByName map[string]string // name → code (a name two streets share is left out)
}

// Name is the place's name, or its code when unknown.
func (p Places) Name(code string) string {
	if n, ok := p.Names[code]; ok {
		return n
	}
	return code
}

// PlacesUnder reads the regions two levels below root (a district's
// streets and their communities), and root itself.
func (s *Store) PlacesUnder(ctx context.Context, root string) (Places, error) {
	p := Places{Names: map[string]string{}, ByName: map[string]string{}}
	if s.Regions == nil || root == "" {
		return p, nil
	}
	top, err := s.Regions.Get(ctx, root)
	if err != nil {
		return p, fmt.Errorf("places: %w", err)
	}
	add := func(r region.Region) {
		p.Names[r.Code] = r.Name
		if _, dup := p.ByName[r.Name]; dup {
			p.ByName[r.Name] = ""
		} else {
			p.ByName[r.Name] = r.Code
		}
	}
	add(top)
	level := []string{root}
	for depth := 0; depth < 2; depth++ {
		var next []string
		for _, code := range level {
			kids, _, err := s.Regions.Children(ctx, code, 0, 1000)
			if err != nil {
				return p, fmt.Errorf("places: %w", err)
			}
			for _, k := range kids {
				if k.Level == region.Grid {
					continue
				}
				add(k)
				next = append(next, k.Code)
			}
		}
		level = next
	}
	return p, nil
}
