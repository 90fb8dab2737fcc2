package problem

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
)

// The marks the office sets on a case for the assessment. They are
// life-cycle actions of the case that leave its state as it is: each is
// an event on the timeline and a line of the mark history the bulletin's
// deductions are traced to.
const (
	MarkFalsified         = "falsified"          // the rectification was falsified (虚假整改)
	MarkNotFalsified      = "not_falsified"      // the mark was taken back
	MarkUnjustifiedReturn = "unjustified_return" // a return the office found unjustified (无故退回)
	MarkJustifiedReturn   = "justified_return"   // an unjustified mark taken back
)

// The timeline actions of the marks.
const (
	ActMarkFalsified         Action = "mark_falsified"
	ActUnmarkFalsified       Action = "unmark_falsified"
	ActMarkUnjustifiedReturn Action = "mark_unjustified_return"
	ActUndoUnjustifiedReturn Action = "undo_unjustified_return"
)

// markAction is the timeline action of each mark kind.
var markAction = map[string]Action{
	MarkFalsified: ActMarkFalsified, MarkNotFalsified: ActUnmarkFalsified,
	MarkUnjustifiedReturn: ActMarkUnjustifiedReturn, MarkJustifiedReturn: ActUndoUnjustifiedReturn,
}

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

// CanMarkFalsified reports whether the case may be marked falsified now:
// it was rectified and is not marked yet.
func (m CaseMarks) CanMarkFalsified() bool { return !m.Falsified && m.Rectified }

// CanUnmarkFalsified reports whether there is a falsified mark to take back.
func (m CaseMarks) CanUnmarkFalsified() bool { return m.Falsified }

// CanMarkUnjustified reports whether a return is left to judge unjustified.
func (m CaseMarks) CanMarkUnjustified() bool { return m.UnjustifiedReturns < m.ReturnCount }

// CanUndoUnjustified reports whether there is an unjustified mark to take back.
func (m CaseMarks) CanUndoUnjustified() bool { return m.UnjustifiedReturns > 0 }

// MarksView is the marks as the case page shows them: with CanMark, to the
// office that may change them (the Can… methods then say which changes
// are open); read-only to the others.
type MarksView struct {
	CaseMarks
	CanMark bool
}

// readMarks reads a case's marks, with the region and the unit the case
// is with.
func readMarks(ctx context.Context, c db.Conn, id int64) (m CaseMarks, region string, unit int64, err error) {
	var rectified sql.NullInt64
	err = c.QueryRow(ctx, `SELECT p.id, p.code, p.description, p.state, p.return_count, p.rectified_at,
		p.falsified, p.unjustified_returns, COALESCE(p.region_code, ''), COALESCE(p.unit_id, 0) FROM problem p WHERE p.id = ?`, id).
		Scan(&m.ID, &m.Code, &m.Description, &m.State, &m.ReturnCount, &rectified, &m.Falsified, &m.UnjustifiedReturns,
			&region, &unit)
	if errors.Is(err, sql.ErrNoRows) {
		return m, "", 0, apperr.NotFound("bulletin.case_not_found")
	}
	if err != nil {
		return m, "", 0, fmt.Errorf("read case %d: %w", id, err)
	}
	if unit != 0 {
		names, err := org.UnitNames(ctx, c, []int64{unit})
		if err != nil {
			return m, "", 0, err
		}
		m.UnitName = names[unit]
	}
	m.Rectified = rectified.Valid
	return m, region, unit, nil
}

// mayMark: the office whose jurisdiction holds the case's region, or an
// administrator.
func mayMark(a access.Actor, region string) bool {
	return a.IsAdmin() || (a.Has(access.RoleOffice) && region != "" && a.Manages(region))
}

// markCase reads a case the actor may mark.
func markCase(ctx context.Context, c db.Conn, a access.Actor, id int64) (CaseMarks, string, error) {
	if !a.SignedIn() {
		return CaseMarks{}, "", apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	m, region, _, err := readMarks(ctx, c, id)
	if err != nil {
		return m, "", err
	}
	if !mayMark(a, region) {
		return m, "", apperr.Forbidden("bulletin.mark_forbidden")
	}
	return m, region, nil
}

// ViewMarks returns the marks of a case for its page. The office of the
// case's jurisdiction and administrators may change them; the others who
// see the case by their role — leaders and inspectors of the jurisdiction,
// the handlers of the unit it is with (CanSee, without the reporter's own
// access) — see them read-only. Anyone else, such as a citizen who
// reported the case, gets nil: the marks are the office's assessment, not
// part of the case. The history stays on Marks.
func (s *Store) ViewMarks(ctx context.Context, a access.Actor, problemID int64) (*MarksView, error) {
	if !a.SignedIn() {
		return nil, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	m, region, unit, err := readMarks(ctx, s.DB, problemID)
	if err != nil {
		return nil, err
	}
	v := MarksView{CaseMarks: m, CanMark: mayMark(a, region)}
	if !v.CanMark && !CanSee(a, &Case{RegionCode: region, UnitID: unit}) {
		return nil, nil
	}
	return &v, nil
}

// Marks returns a case's marks and their history, for the office.
func (s *Store) Marks(ctx context.Context, a access.Actor, problemID int64) (CaseMarks, error) {
	m, _, err := markCase(ctx, s.DB, a, problemID)
	if err != nil {
		return m, err
	}
	rows, err := s.DB.Query(ctx, `SELECT kind, COALESCE(actor_id, 0), at FROM bulletin_mark WHERE problem_id = ? ORDER BY id`, problemID)
	type line struct {
		mark  Mark
		actor int64
	}
	lines, err := db.Collect(rows, err, func(r *sql.Rows) (line, error) {
		var x line
		var at int64
		err := r.Scan(&x.mark.Kind, &x.actor, &at)
		x.mark.At = db.FromMillis(at)
		return x, err
	})
	if err != nil {
		return m, fmt.Errorf("case marks: %w", err)
	}
	actors := make([]int64, 0, len(lines))
	for _, x := range lines {
		actors = append(actors, x.actor)
	}
	names, err := org.DisplayNames(ctx, s.DB, actors)
	if err != nil {
		return m, err
	}
	for _, x := range lines {
		x.mark.ActorName = names[x.actor]
		m.History = append(m.History, x.mark)
	}
	return m, nil
}

// mark runs one marking in a transaction: fn changes the case and names
// the mark; the mark history and the timeline get it.
func (s *Store) mark(ctx context.Context, a access.Actor, problemID int64, fn func(tx *db.Tx, m CaseMarks) (string, error)) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		m, _, err := markCase(ctx, tx, a, problemID)
		if err != nil {
			return err
		}
		before, err := readTallyCase(ctx, tx, problemID)
		if err != nil {
			return err
		}
		kind, err := fn(tx, m)
		if err != nil || kind == "" {
			return err
		}
		// The marks are counted (falsified cases, unjustified returns).
		after, err := readTallyCase(ctx, tx, problemID)
		if err != nil {
			return err
		}
		if err := s.applyTally(ctx, tx, tallyChange(&before, &after)); err != nil {
			return err
		}
		now := s.Now()
		if _, err := tx.Exec(ctx, "INSERT INTO bulletin_mark (problem_id, kind, actor_id, at) VALUES (?, ?, ?, ?)",
			problemID, kind, db.NullID(a.UserID), db.Millis(now)); err != nil {
			return fmt.Errorf("record mark: %w", err)
		}
		state := State(m.State)
		// The version stays: a mark is the office's judgement, not a move, and
		// must not make a handler's open form stale.
		err = appendEvent(ctx, tx, problemID, a, now, markAction[kind], state, state, "", EventData{}, nil)
		return err
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
