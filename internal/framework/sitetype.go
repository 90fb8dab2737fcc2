package framework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// DefaultSiteTypes returns the 26 site types of the 2021 operating manual
// of the national evaluation (全国文明城市测评体系操作手册), in the manual's
// order. Their codes are stable: sites and criteria refer to them.
func DefaultSiteTypes() []SiteType {
	list := []struct{ code, name string }{
		{"practice_center", "新时代文明实践中心"},
		{"gov_hall", "政务大厅"},
		{"bank", "银行网点"},
		{"window_unit", "窗口单位"},
		{"bus_stop", "公交站点"},
		{"bus", "公交车"},
		{"taxi", "出租车"},
		{"toilet", "室外公共厕所"},
		{"square", "公共广场"},
		{"hotel", "宾馆酒店"},
		{"park", "公园"},
		{"community", "社区"},
		{"construction_site", "建筑工地"},
		{"scenic_spot", "景区景点"},
		{"school", "中小学校"},
		{"mall", "商场超市"},
		{"hospital", "医院"},
		{"culture_venue", "公共文化设施"},
		{"intersection", "主要交通路口"},
		{"back_alley", "背街小巷"},
		{"commercial_street", "商业大街"},
		{"main_road", "主次干道"},
		{"urban_rural_fringe", "城乡接合部"},
		{"market", "集贸市场"},
		{"residential_compound", "小区"},
		{"township", "乡镇"},
	}
	out := make([]SiteType, len(list))
	for i, x := range list {
		out[i] = SiteType{Code: x.code, Name: x.name, Position: i + 1, Builtin: true, Active: true}
	}
	return out
}

const siteTypeColumns = "code, name, position, builtin, active"

func scanSiteType(sc interface{ Scan(...any) error }) (SiteType, error) {
	var t SiteType
	err := sc.Scan(&t.Code, &t.Name, &t.Position, &t.Builtin, &t.Active)
	return t, err
}

// SiteTypes lists the site types in position order; without
// includeInactive only those that can be chosen for a new site.
func (s *Store) SiteTypes(ctx context.Context, includeInactive bool) ([]SiteType, error) {
	return s.siteTypes(ctx, s.DB, includeInactive)
}

// SiteTypeCatalogue lists every site type, inactive ones included, for
// those who may read the framework.
func (s *Store) SiteTypeCatalogue(ctx context.Context, a access.Actor) ([]SiteType, error) {
	if err := mayView(a); err != nil {
		return nil, err
	}
	return s.siteTypes(ctx, s.DB, true)
}

func (s *Store) siteTypes(ctx context.Context, c db.Conn, includeInactive bool) ([]SiteType, error) {
	q := "SELECT " + siteTypeColumns + " FROM site_type"
	if !includeInactive {
		q += " WHERE active"
	}
	rows, err := c.Query(ctx, q+" ORDER BY position, code")
	if err != nil {
		return nil, fmt.Errorf("list site types: %w", err)
	}
	defer rows.Close()
	var out []SiteType
	for rows.Next() {
		t, err := scanSiteType(rows)
		if err != nil {
			return nil, fmt.Errorf("scan site type: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SiteType returns one site type by code, active or not.
func (s *Store) SiteType(ctx context.Context, code string) (SiteType, error) {
	return siteType(ctx, s.DB, strings.TrimSpace(code))
}

func siteType(ctx context.Context, c db.Conn, code string) (SiteType, error) {
	t, err := scanSiteType(c.QueryRow(ctx, "SELECT "+siteTypeColumns+" FROM site_type WHERE code = ?", code))
	if errors.Is(err, sql.ErrNoRows) {
		return SiteType{}, apperr.NotFound("sitetype.not_found", code)
	}
	if err != nil {
		return SiteType{}, fmt.Errorf("read site type %s: %w", code, err)
	}
	return t, nil
}

// CreateSiteType adds a city's own site type at the end of the list. An
// empty code is made up (custom_1, custom_2 …), since the office thinks in
// names; a code given must be lower-case letters, digits and underscores.
func (s *Store) CreateSiteType(ctx context.Context, a access.Actor, code, name string) (SiteType, error) {
	if err := mayChange(a, "sitetype.forbidden"); err != nil {
		return SiteType{}, err
	}
	code, name = strings.ToLower(strings.TrimSpace(code)), strings.TrimSpace(name)
	switch {
	case code != "" && (len(code) > maxTypeCode || !siteTypeCodePattern.MatchString(code)):
		return SiteType{}, apperr.Invalid("sitetype.code_invalid", maxTypeCode)
	case name == "" || utf8.RuneCountInString(name) > maxTypeName || strings.ContainsAny(name, listSeparators):
		return SiteType{}, apperr.Invalid("sitetype.name_invalid", maxTypeName)
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if taken, err := exists(ctx, tx, "SELECT COUNT(*) FROM site_type WHERE name = ?", name); err != nil || taken {
			return firstErr(err, apperr.Conflict("sitetype.name_taken", name))
		}
		if code == "" {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM site_type WHERE NOT builtin").Scan(&n); err != nil {
				return fmt.Errorf("count site types: %w", err)
			}
			for {
				n++
				code = "custom_" + strconv.Itoa(n)
				taken, err := exists(ctx, tx, "SELECT COUNT(*) FROM site_type WHERE code = ?", code)
				if err != nil {
					return err
				}
				if !taken {
					break
				}
			}
		} else if taken, err := exists(ctx, tx, "SELECT COUNT(*) FROM site_type WHERE code = ?", code); err != nil || taken {
			return firstErr(err, apperr.Conflict("sitetype.code_taken", code))
		}
		_, err := tx.Exec(ctx, `INSERT INTO site_type (code, name, position, builtin, active, created_at)
			VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM site_type), ?, ?, ?)`,
			code, name, false, true, db.Millis(s.now()))
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("sitetype.code_taken", code)
		}
		if err != nil {
			return fmt.Errorf("insert site type: %w", err)
		}
		return nil
	})
	if err != nil {
		return SiteType{}, err
	}
	return s.SiteType(ctx, code)
}

// SetSiteTypeActive switches a site type on or off. Sites and criteria keep
// an inactive type; it is no longer offered for new sites.
func (s *Store) SetSiteTypeActive(ctx context.Context, a access.Actor, code string, active bool) error {
	if err := mayChange(a, "sitetype.forbidden"); err != nil {
		return err
	}
	res, err := s.DB.Exec(ctx, "UPDATE site_type SET active = ? WHERE code = ?", active, strings.TrimSpace(code))
	if err != nil {
		return fmt.Errorf("set site type %s active: %w", code, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return apperr.NotFound("sitetype.not_found", code)
	}
	return nil
}

// ensureSiteTypes inserts the built-in types missing from the database
// and returns how many it inserted. Existing rows (renamed or deactivated
// by the office) are left alone.
func (s *Store) ensureSiteTypes(ctx context.Context) (int, error) {
	have := map[string]bool{}
	rows, err := s.DB.Query(ctx, "SELECT code FROM site_type")
	if err != nil {
		return 0, fmt.Errorf("read site types: %w", err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read site types: %w", err)
		}
		have[c] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read site types: %w", err)
	}
	var missing []SiteType
	for _, t := range DefaultSiteTypes() {
		if !have[t.Code] {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	created := 0
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		created = 0
		now := db.Millis(s.now())
		for _, t := range missing {
			// A city type may already use the name; the built-in one then
			// takes the name with its code, so both stay distinguishable.
			name := t.Name
			if taken, err := exists(ctx, tx, "SELECT COUNT(*) FROM site_type WHERE name = ? AND code <> ?", name, t.Code); err != nil {
				return err
			} else if taken {
				name += "（" + t.Code + "）"
			}
			res, err := tx.Exec(ctx, `INSERT INTO site_type (code, name, position, builtin, active, created_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`, t.Code, name, t.Position, true, true, now)
			if err != nil {
				return fmt.Errorf("insert site type %s: %w", t.Code, err)
			}
			if n, err := res.RowsAffected(); err == nil {
				created += int(n)
			}
		}
		return nil
	})
	return created, err
}
