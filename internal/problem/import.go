package problem

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// ImportedCase is a case taken over from an existing ledger (an Excel
// sheet), with the state and times it already had.
type ImportedCase struct {
	Code        string // kept when given, else numbered like a new case
	Source      Source
	CategoryID  int64
	Description string
	Address     string
	RegionCode  string
	UnitID      int64
	State       State
	ReportedAt  time.Time
	Deadline    time.Time
	RectifiedAt time.Time
	ClosedAt    time.Time
	Lng, Lat    float64
	HasPlace    bool
}

// MayImport reports whether the actor may import a ledger: the office and
// administrators, each case inside their jurisdiction.
func MayImport(a access.Actor) bool { return a.HasAny(access.RoleAdmin, access.RoleOffice) }

// ImportCases adds cases from an existing ledger in one transaction: all of
// them or none. Only the office (inside its jurisdiction) and administrators
// may; each case gets one "import" event recording where it came from.
func (s *Store) ImportCases(ctx context.Context, a access.Actor, cases []ImportedCase, origin string) (int, error) {
	if !MayImport(a) {
		return 0, apperr.Forbidden("problem.import_forbidden")
	}
	for i, c := range cases {
		if c.RegionCode == "" || !a.Manages(c.RegionCode) {
			return 0, apperr.Forbidden("problem.import_outside_scope", i+1)
		}
	}
	now := s.Now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, c := range cases {
			code := c.Code
			if code == "" {
				var err error
				if code, err = nextCode(ctx, tx, c.ReportedAt); err != nil {
					return err
				}
			}
			var cat CategoryInfo
			if c.CategoryID != 0 {
				var err error
				if cat, err = s.category(ctx, c.CategoryID); err != nil {
					return err
				}
			}
			filed := c.ReportedAt
			var dispatched any
			if c.UnitID != 0 {
				dispatched = db.Millis(c.ReportedAt)
			}
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO problem (code, source, category_id, description, address, lng, lat, region_code,
				state, unit_id, route_note, limit_amount, limit_unit, deadline, reported_at, filed_at, dispatched_at, rectified_at,
				closed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				code, string(c.Source), db.NullID(c.CategoryID), c.Description, c.Address, nullFloat(c.Lng, c.HasPlace),
				nullFloat(c.Lat, c.HasPlace), c.RegionCode, string(c.State), db.NullID(c.UnitID), "import|"+origin,
				cat.LimitAmount, cat.LimitUnit, db.NullMillis(c.Deadline), db.Millis(c.ReportedAt), db.Millis(filed), dispatched,
				db.NullMillis(c.RectifiedAt), db.NullMillis(c.ClosedAt), db.Millis(now)).Scan(&id)
			if db.IsUniqueViolation(err) {
				return apperr.Conflict("problem.import_code_taken", code)
			}
			if err != nil {
				return fmt.Errorf("import case %s: %w", code, err)
			}
			if err := appendEvent(ctx, tx, id, a, now, ActImport, "", c.State, origin, EventData{}, nil); err != nil {
				return err
			}
			if c.UnitID != 0 && !c.RectifiedAt.IsZero() {
				h, err := s.handlingHours(ctx, sql.NullInt64{Int64: db.Millis(c.ReportedAt), Valid: true}, db.NullMillis(c.RectifiedAt))
				if err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "UPDATE problem SET handling_hours = ? WHERE id = ?", h, id); err != nil {
					return fmt.Errorf("import case %s: %w", code, err)
				}
			}
			if err := indexForSearch(ctx, tx, searchRow{id: id, code: code, description: c.Description, addr: c.Address,
				region: c.RegionCode, unit: c.UnitID}, false); err != nil {
				return err
			}
			if err := s.tallyNew(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(cases), nil
}
