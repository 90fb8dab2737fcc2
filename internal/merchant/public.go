package merchant

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
)

// Public is what anyone may look up of a merchant: its name, where it is,
// its current flag and 诚信 title. Nothing personal.
type Public struct {
	ID           int64
	Name         string
	Address      string
	BusinessType string
	StreetName   string
	SiteName     string
	Signed       bool
	Flag         string // red, black, "" (none)
	FlagMonth    string
	Title        string
}

// MaxPublicResults bounds a public search.
const MaxPublicResults = 20

// PublicSearch finds merchants by name (at least two characters), for the
// public lookup page.
func (s *Store) PublicSearch(ctx context.Context, q string) ([]Public, error) {
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) < 2 {
		return nil, nil
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
	ids, err := db.Int64s(ctx, s.DB, `SELECT id FROM merchant WHERE active = TRUE AND name LIKE ? ESCAPE '\' ORDER BY name, id LIMIT ?`,
		like, MaxPublicResults)
	if err != nil {
		return nil, fmt.Errorf("public merchant search: %w", err)
	}
	out := make([]Public, 0, len(ids))
	for _, id := range ids {
		p, err := s.PublicGet(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// PublicGet is one merchant's public record.
func (s *Store) PublicGet(ctx context.Context, id int64) (Public, error) {
	m, err := s.read(ctx, s.DB, id)
	if err != nil {
		return Public{}, err
	}
	if !m.Active {
		return Public{}, ErrNotFound
	}
	ms := []Merchant{m}
	if err := s.fill(ctx, ms, access.Actor{}); err != nil {
		return Public{}, err
	}
	m = ms[0]
	p := Public{ID: m.ID, Name: m.Name, Address: m.Address, BusinessType: m.BusinessType, StreetName: m.StreetName, SiteName: m.SiteName,
		Signed: m.Signed()}
	if p.Flag, p.FlagMonth, err = s.Current(ctx, m); err != nil {
		return Public{}, err
	}
	if s.Titles != nil {
		if p.Title, err = s.Titles.Title(ctx, m.ID); err != nil {
			return Public{}, err
		}
	}
	return p, nil
}

// Title is the merchant's 诚信 title, "" when none (or no source wired).
func (s *Store) Title(ctx context.Context, m Merchant) (string, error) {
	if s.Titles == nil {
		return "", nil
	}
	return s.Titles.Title(ctx, m.ID)
}
