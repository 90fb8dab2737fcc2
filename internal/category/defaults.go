package category

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
)

// defaultsCSV is the default catalogue of a civilized-city campaign, one
// sub-category a row under its top category. Names and conditions are
// content, not interface text, so they live here rather than in the
// message catalogue.
//
//go:embed data/defaults.csv
var defaultsCSV []byte

var defaultsHeader = []string{"top_code", "top_name", "code", "name", "kind", "limit", "unit", "owner",
	"filing_condition", "closing_condition"}

// Defaults returns the default catalogue in file order, checked with the
// same rules as CreateTop and CreateSub. IDs and positions are not set.
func Defaults() ([]Top, error) {
	r := csv.NewReader(bytes.NewReader(defaultsCSV))
	r.Comment = '#'
	r.FieldsPerRecord = len(defaultsHeader)
	var tops []Top
	index := map[string]int{}
	seen := map[string]bool{}
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("default categories: %w", err)
		}
		line, _ := r.FieldPos(0)
		if first {
			if !slices.Equal(rec, defaultsHeader) {
				return nil, fmt.Errorf("default categories: header must be %v", defaultsHeader)
			}
			continue
		}
		topIn := TopInput{Code: rec[0], Name: rec[1]}
		topIn.normalize()
		if err := topIn.validate(); err != nil {
			return nil, fmt.Errorf("default categories line %d: top %s: %w", line, rec[0], err)
		}
		amount, err := strconv.Atoi(rec[5])
		if err != nil {
			return nil, fmt.Errorf("default categories line %d: limit %q: %w", line, rec[5], err)
		}
		in := SubInput{Code: rec[2], Name: rec[3], Kind: Kind(rec[4]), Limit: Limit{Amount: amount, Unit: calendar.Unit(rec[6])},
			Owner: OwnerRule(rec[7]), FilingCondition: rec[8], ClosingCondition: rec[9]}
		in.normalize()
		if err := in.validate(); err != nil {
			return nil, fmt.Errorf("default categories line %d: %s: %w", line, rec[2], err)
		}
		if seen[in.Code] {
			return nil, fmt.Errorf("default categories line %d: code %s repeated", line, in.Code)
		}
		seen[in.Code] = true
		ti, ok := index[topIn.Code]
		if !ok {
			ti = len(tops)
			index[topIn.Code] = ti
			tops = append(tops, Top{Code: topIn.Code, Name: topIn.Name, Active: true})
		} else if tops[ti].Name != topIn.Name {
			return nil, fmt.Errorf("default categories line %d: top %s named %q and %q", line, topIn.Code, tops[ti].Name, topIn.Name)
		}
		tops[ti].Subs = append(tops[ti].Subs, Sub{
			TopCode: topIn.Code, TopName: topIn.Name, TopActive: true, Code: in.Code, Name: in.Name, Kind: in.Kind,
			Limit: in.Limit, FilingCondition: in.FilingCondition, ClosingCondition: in.ClosingCondition,
			Owner: in.Owner, Active: true,
		})
	}
	if len(tops) == 0 {
		return nil, fmt.Errorf("default categories: no rows")
	}
	return tops, nil
}

// EnsureDefaults inserts every default top and sub-category whose code is
// not in the database yet and returns how many rows (tops and subs) it
// inserted. It never changes or reactivates an existing row, so the
// office's edits and deactivations stay, and a release that adds a default
// category brings it to existing installations. A missing sub goes under
// the top with its default top code, at the end.
func (s *Store) EnsureDefaults(ctx context.Context) (int, error) {
	defs, err := Defaults()
	if err != nil {
		return 0, err
	}
	haveTops, err := s.codes(ctx, "category_top")
	if err != nil {
		return 0, err
	}
	haveSubs, err := s.codes(ctx, "category")
	if err != nil {
		return 0, err
	}
	missing := false
	for _, t := range defs {
		missing = missing || !haveTops[t.Code]
		for _, sub := range t.Subs {
			missing = missing || !haveSubs[sub.Code]
		}
	}
	if !missing {
		return 0, nil // the usual case at start: no write at all
	}
	created := 0
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		created = 0
		now := db.Millis(s.Now())
		for _, t := range defs {
			// ON CONFLICT DO NOTHING: a second server seeding at the same
			// time waits for the first and then inserts nothing.
			res, err := tx.Exec(ctx, `INSERT INTO category_top (code, name, position, active, created_at, updated_at)
				VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM category_top), ?, ?, ?)
				ON CONFLICT (code) DO NOTHING`, t.Code, t.Name, true, now, now)
			if err != nil {
				return fmt.Errorf("insert default top category %s: %w", t.Code, err)
			}
			created += affected(res)
			var topID int64
			if err := tx.QueryRow(ctx, "SELECT id FROM category_top WHERE code = ?", t.Code).Scan(&topID); err != nil {
				return fmt.Errorf("read top category %s: %w", t.Code, err)
			}
			for _, sub := range t.Subs {
				res, err := tx.Exec(ctx, `INSERT INTO category (top_id, code, name, kind, limit_amount, limit_unit,
					filing_condition, closing_condition, owner_rule, position, active, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM category WHERE top_id = ?), ?, ?, ?)
					ON CONFLICT (code) DO NOTHING`,
					topID, sub.Code, sub.Name, string(sub.Kind), sub.Limit.Amount, string(sub.Limit.Unit),
					sub.FilingCondition, sub.ClosingCondition, string(sub.Owner), topID, true, now, now)
				if err != nil {
					return fmt.Errorf("insert default category %s: %w", sub.Code, err)
				}
				created += affected(res)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return created, nil
}

func affected(res interface{ RowsAffected() (int64, error) }) int {
	n, err := res.RowsAffected()
	if err != nil {
		return 0
	}
	return int(n)
}

func (s *Store) codes(ctx context.Context, table string) (map[string]bool, error) {
	rows, err := s.DB.Query(ctx, "SELECT code FROM "+table)
	if err != nil {
		return nil, fmt.Errorf("read %s codes: %w", table, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("read %s codes: %w", table, err)
		}
		out[c] = true
	}
	return out, rows.Err()
}
