package bulletin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/problem"
)

// The marks the office sets on a case for the assessment.
const (
	MarkFalsified         = "falsified"          // the rectification was falsified (虚假整改)
	MarkNotFalsified      = "not_falsified"      // the mark was taken back
	MarkUnjustifiedReturn = "unjustified_return" // a return the office found unjustified (无故退回)
	MarkJustifiedReturn   = "justified_return"   // an unjustified mark taken back
)

// Mark is one judgement in a case's mark history.
type Mark struct {
	Kind      string
	ActorName string
	At        time.Time
}

// CaseMarks is what the mark page shows of a case.
type CaseMarks struct {
	ID                 int64
	Code               string
	Description        string
	UnitName           string
	State              string
	ReturnCount        int
	Rectified          bool
	Falsified          bool
	UnjustifiedReturns int
	History            []Mark
}

// readMarks reads a case's marks, with the region and the unit the case
// is with.
func readMarks(ctx context.Context, c db.Conn, id int64) (m CaseMarks, region string, unit int64, err error) {
	var rectified sql.NullInt64
	err = c.QueryRow(ctx, `SELECT p.id, p.code, p.description, COALESCE(u.name, ''), p.state, p.return_count, p.rectified_at,
		p.falsified, p.unjustified_returns, COALESCE(p.region_code, ''), COALESCE(p.unit_id, 0) FROM problem p
		LEFT JOIN unit u ON u.id = p.unit_id WHERE p.id = ?`, id).
		Scan(&m.ID, &m.Code, &m.Description, &m.UnitName, &m.State, &m.ReturnCount, &rectified, &m.Falsified, &m.UnjustifiedReturns,
			&region, &unit)
	if errors.Is(err, sql.ErrNoRows) {
		return m, "", 0, apperr.NotFound("bulletin.case_not_found")
	}
	if err != nil {
		return m, "", 0, fmt.Errorf("read case %d: %w", id, err)
	}
	m.Rectified = rectified.Valid
	return m, region, unit, nil
}

// markCase reads a case the actor may mark: the office whose jurisdiction
// holds the case, or an administrator.
func markCase(ctx context.Context, c db.Conn, a access.Actor, id int64) (CaseMarks, error) {
	if !a.SignedIn() {
		return CaseMarks{}, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	m, region, _, err := readMarks(ctx, c, id)
	if err != nil {
		return m, err
	}
	if !mayMark(a, region) {
		return m, apperr.Forbidden("bulletin.mark_forbidden")
	}
	return m, nil
}

// mayMark: the office whose jurisdiction holds the case's region, or an
// administrator.
func mayMark(a access.Actor, region string) bool {
	return a.IsAdmin() || (a.Has(access.RoleOffice) && region != "" && a.Manages(region))
}

// CanMarkFalsified reports whether the case may be marked falsified now:
// it was rectified and is not marked yet.
func (m CaseMarks) CanMarkFalsified() bool { return !m.Falsified && m.Rectified }

// CanUnmarkFalsified reports whether there is a falsified mark to take back.
func (m CaseMarks) CanUnmarkFalsified() bool { return m.Falsified }

// CanMarkUnjustified reports whether a return is left to judge unjustified.
func (m CaseMarks) CanMarkUnjustified() bool { return m.UnjustifiedReturns < m.ReturnCount }

// CanUndoUnjustified reports whether there is an unjustified mark to take back.
func (m CaseMarks) CanUndoUnjustified() bool { return m.UnjustifiedReturns > 0 }

// CaseView is the marks as the case page shows them: with CanMark, to the
// office that may change them (the Can… methods then say which changes
// are open); read-only to the others.
type CaseView struct {
	CaseMarks
	CanMark bool
}

// ViewMarks returns the marks of a case for its page. The office of the
// case's jurisdiction and administrators may change them; the others who
// see the case by their role — leaders and inspectors of the jurisdiction,
// the handlers of the unit it is with (problem.CanSee, without the
// reporter's own access) — see them read-only. Anyone else, such as a
// citizen who reported the case, gets nil: the marks are the office's
// assessment, not part of the case. The history stays on Marks.
func (s *Store) ViewMarks(ctx context.Context, a access.Actor, problemID int64) (*CaseView, error) {
	if !a.SignedIn() {
		return nil, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	m, region, unit, err := readMarks(ctx, s.DB, problemID)
	if err != nil {
		return nil, err
	}
	v := CaseView{CaseMarks: m}
	v.CanMark = mayMark(a, region)
	if !v.CanMark && !problem.CanSee(a, &problem.Case{RegionCode: region, UnitID: unit}) {
		return nil, nil
	}
	return &v, nil
}

// Marks returns a case's marks and their history, for the office.
func (s *Store) Marks(ctx context.Context, a access.Actor, problemID int64) (CaseMarks, error) {
	m, err := markCase(ctx, s.DB, a, problemID)
	if err != nil {
		return m, err
	}
	rows, err := s.DB.Query(ctx, `SELECT m.kind, COALESCE(u.display_name, ''), m.at FROM bulletin_mark m
		LEFT JOIN app_user u ON u.id = m.actor_id WHERE m.problem_id = ? ORDER BY m.id`, problemID)
	if err != nil {
		return m, fmt.Errorf("case marks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x Mark
		var at int64
		if err := rows.Scan(&x.Kind, &x.ActorName, &at); err != nil {
			return m, fmt.Errorf("case marks: %w", err)
		}
		x.At = db.FromMillis(at)
		m.History = append(m.History, x)
	}
	return m, rows.Err()
}

func (s *Store) mark(ctx context.Context, a access.Actor, problemID int64, fn func(tx *db.Tx, m CaseMarks) (string, error)) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		m, err := markCase(ctx, tx, a, problemID)
		if err != nil {
			return err
		}
		kind, err := fn(tx, m)
		if err != nil || kind == "" {
			return err
		}
		var by any
		if a.UserID > 0 {
			by = a.UserID
		}
		if _, err := tx.Exec(ctx, "INSERT INTO bulletin_mark (problem_id, kind, actor_id, at) VALUES (?, ?, ?, ?)",
			problemID, kind, by, db.Millis(s.now())); err != nil {
			return fmt.Errorf("record mark: %w", err)
		}
		return nil
	})
}

// MarkFalsified records the office's finding that a case's rectification
// was falsified (or takes it back). Only a case that was rectified can be
// marked. The assessment deducts points from the unit the case is with.
func (s *Store) MarkFalsified(ctx context.Context, a access.Actor, problemID int64, falsified bool) error {
	return s.mark(ctx, a, problemID, func(tx *db.Tx, m CaseMarks) (string, error) {
		if m.Falsified == falsified {
			return "", nil
		}
		if falsified && !m.CanMarkFalsified() {
			return "", apperr.Invalid("bulletin.mark_not_rectified")
		}
		if _, err := tx.Exec(ctx, "UPDATE problem SET falsified = ? WHERE id = ?", falsified, problemID); err != nil {
			return "", fmt.Errorf("mark falsified: %w", err)
		}
		if falsified {
			return MarkFalsified, nil
		}
		return MarkNotFalsified, nil
	})
}

// MarkUnjustifiedReturn records that the latest return of a case not yet
// judged was unjustified; the assessment deducts points from the unit that
// made it. A case cannot have more unjustified returns than returns.
func (s *Store) MarkUnjustifiedReturn(ctx context.Context, a access.Actor, problemID int64) error {
	return s.mark(ctx, a, problemID, func(tx *db.Tx, m CaseMarks) (string, error) {
		res, err := tx.Exec(ctx, "UPDATE problem SET unjustified_returns = unjustified_returns + 1 WHERE id = ? AND unjustified_returns < return_count", problemID)
		if err != nil {
			return "", fmt.Errorf("mark return: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return "", apperr.Invalid("bulletin.mark_no_return")
		}
		return MarkUnjustifiedReturn, nil
	})
}

// UndoUnjustifiedReturn takes one unjustified mark back.
func (s *Store) UndoUnjustifiedReturn(ctx context.Context, a access.Actor, problemID int64) error {
	return s.mark(ctx, a, problemID, func(tx *db.Tx, m CaseMarks) (string, error) {
		res, err := tx.Exec(ctx, "UPDATE problem SET unjustified_returns = unjustified_returns - 1 WHERE id = ? AND unjustified_returns > 0", problemID)
		if err != nil {
			return "", fmt.Errorf("undo return mark: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return "", apperr.Invalid("bulletin.mark_none_to_undo")
		}
		return MarkJustifiedReturn, nil
	})
}
