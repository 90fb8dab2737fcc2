package category

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
)

// Store reads and writes the catalogue. Reading needs no actor: citizens
// pick a category when they report a problem, and Open311 lists them as
// public services. Writing is for the office and administrators.
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// subs keeps the sub-categories Get read, for the reference
	// generation the request read. Every report, filing and dispatch looks
	// its category up; every change to the catalogue counts the
	// generation up (org.Changed).
	subs org.GenCache[int64, Sub]
}

// New returns a store with the system clock.
func New(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

// canEdit: the catalogue is shared by the whole installation (limits and
// conditions must be the same everywhere for bulletins to compare units),
// so only the office and administrators change it.
func canEdit(a access.Actor) bool { return a.IsAdmin() || a.Has(access.RoleOffice) }

// CanEdit reports whether a may change the catalogue, for pages that offer
// the forms only to those who may use them.
func CanEdit(a access.Actor) bool { return canEdit(a) }

// mayView: the catalogue as configured (inactive entries, limits, owner
// rules) is part of the system configuration, read by the office, leaders
// and administrators. The active categories stay open to all (Tree).
func mayView(a access.Actor) error {
	if a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader) {
		return nil
	}
	return apperr.Forbidden("cfg.forbidden")
}

// mayChange: someone who may not even see the configuration is told so;
// a leader who sees it is told that only the office changes it.
func mayChange(a access.Actor) error {
	if err := mayView(a); err != nil {
		return err
	}
	if !canEdit(a) {
		return apperr.Forbidden("category.forbidden")
	}
	return nil
}

// Catalogue is the whole tree, inactive entries included, for those who
// may view the configuration.
func (s *Store) Catalogue(ctx context.Context, a access.Actor) ([]Top, error) {
	if err := mayView(a); err != nil {
		return nil, err
	}
	return s.Tree(ctx, true)
}

// EditSub returns the sub-category to edit (id 0: none, for a new one) to
// someone who may change the catalogue.
func (s *Store) EditSub(ctx context.Context, a access.Actor, id int64) (Sub, error) {
	if err := mayChange(a); err != nil || id == 0 {
		return Sub{}, err
	}
	return s.read(ctx, id)
}

// EditTop returns the top category to edit (id 0: none, for a new one) to
// someone who may change the catalogue.
func (s *Store) EditTop(ctx context.Context, a access.Actor, id int64) (Top, error) {
	if err := mayChange(a); err != nil || id == 0 {
		return Top{}, err
	}
	return s.GetTop(ctx, id)
}

const topColumns = `t.id, t.code, t.name, t.position, t.active, t.created_at, t.updated_at`

const subColumns = `c.id, c.top_id, t.code, t.name, t.active, c.code, c.name, c.kind, c.limit_amount, c.limit_unit,
	c.filing_condition, c.closing_condition, c.owner_rule, c.position, c.active, c.created_at, c.updated_at`

const subFrom = ` FROM category c JOIN category_top t ON t.id = c.top_id`

type scanner interface{ Scan(...any) error }

func scanTop(sc scanner) (Top, error) {
	var t Top
	var created, updated int64
	err := sc.Scan(&t.ID, &t.Code, &t.Name, &t.Position, &t.Active, &created, &updated)
	t.CreatedAt, t.UpdatedAt = db.FromMillis(created), db.FromMillis(updated)
	return t, err
}

func scanSub(sc scanner) (Sub, error) {
	var s Sub
	var kind, unit, owner string
	var created, updated int64
	err := sc.Scan(&s.ID, &s.TopID, &s.TopCode, &s.TopName, &s.TopActive, &s.Code, &s.Name, &kind, &s.Limit.Amount, &unit,
		&s.FilingCondition, &s.ClosingCondition, &owner, &s.Position, &s.Active, &created, &updated)
	s.Kind, s.Limit.Unit, s.Owner = Kind(kind), calendar.Unit(unit), OwnerRule(owner)
	s.CreatedAt, s.UpdatedAt = db.FromMillis(created), db.FromMillis(updated)
	return s, err
}

// Tree returns the top categories in position order, each with its
// sub-categories in position order. Without includeInactive it leaves out
// inactive tops and subs, and tops left without subs: what a person filing
// a case may choose.
func (s *Store) Tree(ctx context.Context, includeInactive bool) ([]Top, error) {
	topWhere, subWhere := "", ""
	if !includeInactive {
		topWhere, subWhere = " WHERE t.active", " WHERE t.active AND c.active"
	}
	rows, err := s.DB.Query(ctx, "SELECT "+topColumns+" FROM category_top t"+topWhere+" ORDER BY t.position, t.id")
	if err != nil {
		return nil, fmt.Errorf("list top categories: %w", err)
	}
	var tops []Top
	index := map[int64]int{}
	for rows.Next() {
		t, err := scanTop(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan top category: %w", err)
		}
		index[t.ID] = len(tops)
		tops = append(tops, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list top categories: %w", err)
	}
	rows, err = s.DB.Query(ctx, "SELECT "+subColumns+subFrom+subWhere+" ORDER BY c.top_id, c.position, c.id")
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		sub, err := scanSub(rows)
		if err != nil {
			return nil, fmt.Errorf("scan category: %w", err)
		}
		if i, ok := index[sub.TopID]; ok { // a top created between the two reads is simply not shown
			tops[i].Subs = append(tops[i].Subs, sub)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	if includeInactive {
		return tops, nil
	}
	out := tops[:0]
	for _, t := range tops {
		if len(t.Subs) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// Get returns a sub-category by id, active or not.
func (s *Store) Get(ctx context.Context, id int64) (Sub, error) {
	return s.subs.Load(ctx, id, func() (Sub, error) { return s.read(ctx, id) })
}

// read reads a sub-category by id from the table: what a change returns
// (the request's generation is the one before it).
func (s *Store) read(ctx context.Context, id int64) (Sub, error) {
	return s.sub(ctx, s.DB, "c.id = ?", id)
}

// ByCode returns a sub-category by its code (any case), active or not.
func (s *Store) ByCode(ctx context.Context, code string) (Sub, error) {
	return s.sub(ctx, s.DB, "c.code = ?", NormalizeCode(code))
}

func (s *Store) sub(ctx context.Context, c db.Conn, where string, arg any) (Sub, error) {
	sub, err := scanSub(c.QueryRow(ctx, "SELECT "+subColumns+subFrom+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Sub{}, apperr.NotFound("category.not_found")
	}
	if err != nil {
		return Sub{}, fmt.Errorf("read category %v: %w", arg, err)
	}
	return sub, nil
}

// GetTop returns a top category by id, without its subs.
func (s *Store) GetTop(ctx context.Context, id int64) (Top, error) {
	return s.top(ctx, s.DB, id)
}

func (s *Store) top(ctx context.Context, c db.Conn, id int64) (Top, error) {
	t, err := scanTop(c.QueryRow(ctx, "SELECT "+topColumns+" FROM category_top t WHERE t.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Top{}, apperr.NotFound("category.top_not_found")
	}
	if err != nil {
		return Top{}, fmt.Errorf("read top category %d: %w", id, err)
	}
	return t, nil
}

// CreateTop adds a top category.
func (s *Store) CreateTop(ctx context.Context, a access.Actor, in TopInput) (Top, error) {
	if !canEdit(a) {
		return Top{}, apperr.Forbidden("category.forbidden")
	}
	in.normalize()
	if err := in.validate(); err != nil {
		return Top{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if taken, err := exists(ctx, tx, "SELECT COUNT(*) FROM category_top WHERE code = ?", in.Code); err != nil || taken {
			return firstErr(err, apperr.Conflict("category.code_taken", in.Code))
		}
		pos := in.Position
		if pos == 0 {
			if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM category_top").Scan(&pos); err != nil {
				return fmt.Errorf("next top position: %w", err)
			}
		}
		now := db.Millis(s.Now())
		err := tx.QueryRow(ctx, `INSERT INTO category_top (code, name, position, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, in.Code, in.Name, pos, true, now, now).Scan(&id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("category.code_taken", in.Code)
		}
		if err != nil {
			return fmt.Errorf("insert top category: %w", err)
		}
		return org.Changed(ctx, tx) // the kept sub-categories are read again
	})
	if err != nil {
		return Top{}, err
	}
	return s.top(ctx, s.DB, id)
}

// UpdateTop changes a top category's name and position; its code is fixed.
func (s *Store) UpdateTop(ctx context.Context, a access.Actor, id int64, in TopInput) (Top, error) {
	if !canEdit(a) {
		return Top{}, apperr.Forbidden("category.forbidden")
	}
	in.normalize()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := s.top(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fixedCode(&in.Code, cur.Code); err != nil {
			return err
		}
		if err := in.validate(); err != nil {
			return err
		}
		if in.Position == 0 {
			in.Position = cur.Position
		}
		if _, err := tx.Exec(ctx, "UPDATE category_top SET name = ?, position = ?, updated_at = ? WHERE id = ?",
			in.Name, in.Position, db.Millis(s.Now()), id); err != nil {
			return fmt.Errorf("update top category %d: %w", id, err)
		}
		return org.Changed(ctx, tx) // the kept sub-categories are read again
	})
	if err != nil {
		return Top{}, err
	}
	return s.top(ctx, s.DB, id)
}

// SetTopActive switches a top category on or off. Its subs keep their own
// flag; while the top is off none of them can be chosen (Sub.Usable).
func (s *Store) SetTopActive(ctx context.Context, a access.Actor, id int64, active bool) error {
	return s.setActive(ctx, a, "category_top", "category.top_not_found", id, active)
}

// SetActive switches a sub-category on or off. Existing cases keep it;
// new cases cannot choose it while it is off.
func (s *Store) SetActive(ctx context.Context, a access.Actor, id int64, active bool) error {
	return s.setActive(ctx, a, "category", "category.not_found", id, active)
}

func (s *Store) setActive(ctx context.Context, a access.Actor, table, notFound string, id int64, active bool) error {
	if !canEdit(a) {
		return apperr.Forbidden("category.forbidden")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE "+table+" SET active = ?, updated_at = ? WHERE id = ?", active, db.Millis(s.Now()), id)
		if err != nil {
			return fmt.Errorf("set %s %d active: %w", table, id, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return apperr.NotFound(notFound)
		}
		return org.Changed(ctx, tx) // the kept sub-categories are read again
	})
}

// CreateSub adds a sub-category under in.TopID.
func (s *Store) CreateSub(ctx context.Context, a access.Actor, in SubInput) (Sub, error) {
	if !canEdit(a) {
		return Sub{}, apperr.Forbidden("category.forbidden")
	}
	in.normalize()
	if err := in.validate(); err != nil {
		return Sub{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.top(ctx, tx, in.TopID); err != nil {
			return firstErr(ignoreNotFound(err), apperr.Invalid("category.top_unknown"))
		}
		if taken, err := exists(ctx, tx, "SELECT COUNT(*) FROM category WHERE code = ?", in.Code); err != nil || taken {
			return firstErr(err, apperr.Conflict("category.code_taken", in.Code))
		}
		pos := in.Position
		if pos == 0 {
			var err error
			if pos, err = nextSubPosition(ctx, tx, in.TopID); err != nil {
				return err
			}
		}
		now := db.Millis(s.Now())
		err := tx.QueryRow(ctx, `INSERT INTO category (top_id, code, name, kind, limit_amount, limit_unit, filing_condition,
			closing_condition, owner_rule, position, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.TopID, in.Code, in.Name, string(in.Kind), in.Limit.Amount, string(in.Limit.Unit), in.FilingCondition,
			in.ClosingCondition, string(in.Owner), pos, true, now, now).Scan(&id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("category.code_taken", in.Code)
		}
		if err != nil {
			return fmt.Errorf("insert category: %w", err)
		}
		return org.Changed(ctx, tx) // the kept sub-categories are read again
	})
	if err != nil {
		return Sub{}, err
	}
	return s.read(ctx, id)
}

// UpdateSub changes a sub-category; its code is fixed. A TopID of 0 keeps
// the current top. The new limit applies to cases filed from now on.
func (s *Store) UpdateSub(ctx context.Context, a access.Actor, id int64, in SubInput) (Sub, error) {
	if !canEdit(a) {
		return Sub{}, apperr.Forbidden("category.forbidden")
	}
	in.normalize()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := s.sub(ctx, tx, "c.id = ?", id)
		if err != nil {
			return err
		}
		if err := fixedCode(&in.Code, cur.Code); err != nil {
			return err
		}
		if err := in.validate(); err != nil {
			return err
		}
		if in.TopID == 0 {
			in.TopID = cur.TopID
		}
		if in.TopID != cur.TopID {
			if _, err := s.top(ctx, tx, in.TopID); err != nil {
				return firstErr(ignoreNotFound(err), apperr.Invalid("category.top_unknown"))
			}
		}
		switch {
		case in.Position != 0:
		case in.TopID == cur.TopID:
			in.Position = cur.Position
		default:
			if in.Position, err = nextSubPosition(ctx, tx, in.TopID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE category SET top_id = ?, name = ?, kind = ?, limit_amount = ?, limit_unit = ?,
			filing_condition = ?, closing_condition = ?, owner_rule = ?, position = ?, updated_at = ? WHERE id = ?`,
			in.TopID, in.Name, string(in.Kind), in.Limit.Amount, string(in.Limit.Unit), in.FilingCondition,
			in.ClosingCondition, string(in.Owner), in.Position, db.Millis(s.Now()), id); err != nil {
			return fmt.Errorf("update category %d: %w", id, err)
		}
		return org.Changed(ctx, tx) // the kept sub-categories are read again
	})
	if err != nil {
		return Sub{}, err
	}
	return s.read(ctx, id)
}

// fixedCode fills in an omitted code and refuses a changed one: codes are
// referred to from outside (imports, Open311 service codes).
func fixedCode(code *string, current string) error {
	if *code == "" {
		*code = current
		return nil
	}
	if *code != current {
		return apperr.Invalid("category.code_immutable", current)
	}
	return nil
}

func nextSubPosition(ctx context.Context, c db.Conn, topID int64) (int, error) {
	var pos int
	if err := c.QueryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM category WHERE top_id = ?", topID).Scan(&pos); err != nil {
		return 0, fmt.Errorf("next category position: %w", err)
	}
	return pos, nil
}

func exists(ctx context.Context, c db.Conn, q string, args ...any) (bool, error) {
	var n int
	if err := c.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return false, fmt.Errorf("check %q: %w", q, err)
	}
	return n > 0, nil
}

// firstErr returns err when there is one, else the domain error.
func firstErr(err error, domain error) error {
	if err != nil {
		return err
	}
	return domain
}

// ignoreNotFound drops a not-found error so that the caller's own domain
// error is reported instead.
func ignoreNotFound(err error) error {
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	return err
}
