package problem

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/org"
)

// MoveInput carries what an action needs; each action checks its part.
type MoveInput struct {
	Action      Action
	Note        string    // reason, plan, rectification note …
	UnitID      int64     // dispatch: a unit chosen by hand (0: the routing rules)
	CategoryID  int64     // file: set or correct the category
	Deadline    time.Time // request_extension: new deadline; park: target date
	DuplicateOf int64     // merge
	Photos      []string  // rectify, fix_on_spot, reopen: photo hashes
	Version     int       // when set, the case must still be at this version
}

// Move takes an action on a case: it checks the life cycle, the actor's
// side and scope, and what the action needs, then changes the case and
// appends one event, in one transaction. A case changed by someone else in
// between is refused, not overwritten.
func (s *Store) Move(ctx context.Context, a access.Actor, id int64, in MoveInput) (*Case, error) {
	return s.move(ctx, a, id, in, false)
}

// errDryRun rolls CheckMove's transaction back.
var errDryRun = errors.New("problem: dry run")

// CheckMove tells whether Move would take the action, with photos photos
// attached, without keeping anything: it makes the change in a transaction
// it rolls back. A page calls it before it stores the uploaded photos, so a
// refused move leaves no orphan files.
func (s *Store) CheckMove(ctx context.Context, a access.Actor, id int64, in MoveInput, photos int) error {
	in.Photos = make([]string, photos)
	for i := range in.Photos {
		in.Photos[i] = fmt.Sprintf("dry-run-%d", i)
	}
	_, err := s.move(ctx, a, id, in, true)
	return err
}

func (s *Store) move(ctx context.Context, a access.Actor, id int64, in MoveInput, dryRun bool) (*Case, error) {
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > maxText {
		return nil, apperr.Invalid("problem.text_too_long", maxText)
	}
	if len(in.Photos) > MaxPhotos {
		return nil, apperr.Invalid("problem.too_many_photos", MaxPhotos)
	}
	var moved *Case // the row as the update left it
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.read(ctx, tx, id)
		if err != nil {
			return err
		}
		if !CanSee(a, c) {
			return apperr.NotFound("problem.not_found")
		}
		if in.Version != 0 && in.Version != c.Version {
			return apperr.Conflict("problem.changed_meanwhile")
		}
		if c.Held {
			return apperr.Conflict("problem.held")
		}
		to, ok := Allowed(in.Action, c.State)
		if !ok {
			return apperr.Conflict("problem.illegal_move", i18n.Key(in.Action.Key()), i18n.Key(c.State.Key()))
		}
		if !mayTake(a, c, in.Action) {
			return apperr.Forbidden("problem.not_your_move")
		}
		now := s.Now()
		before := tallyOf(c)
		ch := change{set: map[string]any{}, data: EventData{}}
		if err := s.apply(ctx, tx, a, c, in, now, &ch); err != nil {
			return err
		}
		ch.set["state"] = string(to)
		ch.set["updated_at"] = db.Millis(now)
		if in.Action == ActVerifyPass {
			ch.set["verify_passes"] = before.passes + 1
		}
		if err := s.setHandlingHours(ctx, before, &ch); err != nil {
			return err
		}
		if moved, err = ch.write(ctx, tx, c); err != nil {
			return err
		}
		if moved.UnitID != c.UnitID {
			// The index knows the case by its unit too.
			if err := indexForSearch(ctx, tx, searchRowOf(moved), true); err != nil {
				return err
			}
		}
		after := before.applied(ch.set)
		if err := s.applyTally(ctx, tx, tallyChange(&before, &after)); err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, c.ID, a, now, in.Action, c.State, to, in.Note, ch.data, ch.photos); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		// The names first (read by the writer, whose page cache the write
		// kept; a reader's starts cold after every write on SQLite): the
		// listeners name the case's unit and category from them.
		if err := s.withNames(ctx, tx, []*Case{moved}); err != nil {
			return err
		}
		if err := s.tellMove(ctx, tx, in, c, moved, now); err != nil {
			return err
		}
		// The notices go in the move's transaction (one commit, not two),
		// behind a savepoint: the move stands even if a notice cannot be
		// written; the bell is a convenience, the case page is the record.
		// A move without notices (a filing) sets none: on PostgreSQL the
		// savepoint and its release are two round trips.
		if len(ch.notices) > 0 {
			if err := tx.Savepoint(ctx, "notify", func() error { return s.notify(ctx, tx, moved, ch.notices, now) }); err != nil {
				s.warn("notify", "problem", moved.ID, "err", err)
			}
		}
		return nil
	})
	if dryRun && errors.Is(err, errDryRun) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// tellMove tells the listener of the moves systems outside hear of.
func (s *Store) tellMove(ctx context.Context, tx *db.Tx, in MoveInput, before, after *Case, now time.Time) error {
	h := Happening{Case: after, Note: in.Note, At: now}
	switch in.Action {
	case ActDispatch:
		h.Kind, h.UnitID = HappenedDispatched, after.UnitID
	case ActReturn:
		h.Kind, h.UnitID = HappenedReturned, before.UnitID
	case ActVerifyFail:
		h.Kind, h.UnitID = HappenedVerifyFailed, after.UnitID
	default:
		return nil
	}
	return s.tell(ctx, tx, h)
}

// change collects the columns an action sets, what its event records and
// whom it tells.
type change struct {
	set     map[string]any
	data    EventData
	photos  []EventPhoto
	notices []noticeTo
}

// write updates the case's row and returns it as updated (RETURNING: the
// move reads its case once, not again after the update).
func (ch *change) write(ctx context.Context, tx *db.Tx, c *Case) (*Case, error) {
	cols := make([]string, 0, len(ch.set))
	args := make([]any, 0, len(ch.set)+2)
	for _, k := range sortedKeys(ch.set) {
		cols = append(cols, k+" = ?")
		args = append(args, ch.set[k])
	}
	args = append(args, c.ID, c.Version)
	moved, err := scanCase(tx.QueryRow(ctx, "UPDATE problem SET "+strings.Join(cols, ", ")+
		", version = version + 1 WHERE id = ? AND version = ? RETURNING "+returningColumns(), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.Conflict("problem.changed_meanwhile")
	}
	if err != nil {
		return nil, fmt.Errorf("update problem %d: %w", c.ID, err)
	}
	return moved, nil
}

// returningColumns are caseColumns without the table alias, which SQLite
// does not accept in RETURNING.
func returningColumns() string { return strings.ReplaceAll(caseColumns, "p.", "") }

// setHandlingHours keeps handling_hours in step with the dispatch and
// rectification times a change sets.
func (s *Store) setHandlingHours(ctx context.Context, before tallyCase, ch *change) error {
	_, d := ch.set["dispatched_at"]
	_, r := ch.set["rectified_at"]
	if !d && !r {
		return nil
	}
	dispatched, rectified := before.dispatched, before.rectified
	if v, ok := ch.set["dispatched_at"]; ok {
		dispatched = nullMillisOf(v)
	}
	if v, ok := ch.set["rectified_at"]; ok {
		rectified = nullMillisOf(v)
	}
	h, err := s.handlingHours(ctx, dispatched, rectified)
	if err != nil {
		return err
	}
	ch.set["handling_hours"] = h
	return nil
}

// nullMillisOf reads an integer column value (a time in ms, an id, a
// count) as change.set holds it; nil is NULL.
func nullMillisOf(v any) sql.NullInt64 {
	switch x := v.(type) {
	case int64:
		return sql.NullInt64{Int64: x, Valid: true}
	case int:
		return sql.NullInt64{Int64: int64(x), Valid: true}
	case sql.NullInt64:
		return x
	}
	return sql.NullInt64{}
}

func needNote(in MoveInput) error {
	if in.Note == "" {
		return apperr.Invalid("problem.note_required", i18n.Key(in.Action.Key()))
	}
	return nil
}

func needPhotos(in MoveInput) error {
	if len(in.Photos) == 0 {
		return apperr.Invalid("problem.photo_required", i18n.Key(in.Action.Key()))
	}
	return nil
}

// apply checks the needs of one action and fills the change.
func (s *Store) apply(ctx context.Context, tx *db.Tx, a access.Actor, c *Case, in MoveInput, now time.Time, ch *change) error {
	ms := db.Millis(now)
	switch in.Action {
	case ActFile:
		catID := c.CategoryID
		if in.CategoryID != 0 {
			catID = in.CategoryID
		}
		if catID == 0 {
			return apperr.Invalid("problem.category_required")
		}
		cat, err := s.category(ctx, catID)
		if err != nil {
			return err
		}
		ch.set["category_id"], ch.set["limit_amount"], ch.set["limit_unit"], ch.set["filed_at"] = catID, cat.LimitAmount, cat.LimitUnit, ms
		ch.data.CategoryID = catID
	case ActReject:
		return needNote(in)
	case ActMerge:
		if in.DuplicateOf == 0 || in.DuplicateOf == c.ID {
			return apperr.Invalid("problem.duplicate_of_required")
		}
		other, err := s.read(ctx, tx, in.DuplicateOf)
		if err != nil || other.State == Duplicate || other.State == Rejected {
			return apperr.Invalid("problem.duplicate_of_invalid")
		}
		ch.set["duplicate_of"] = in.DuplicateOf
		ch.data.DuplicateOf = in.DuplicateOf
	case ActDispatch:
		unitID, note := in.UnitID, "hand|"
		if unitID == 0 {
			var err error
			if unitID, note, err = s.Router.Route(ctx, c.CategoryID, c.RegionCode); err != nil {
				return err
			}
		} else if err := unitExists(ctx, tx, unitID); err != nil {
			return err
		}
		deadline, err := s.Clock.Deadline(ctx, now, c.LimitAmount, c.LimitUnit)
		if err != nil {
			return err
		}
		ch.set["unit_id"], ch.set["route_note"], ch.set["dispatched_at"], ch.set["deadline"] = unitID, note, ms, db.Millis(deadline)
		ch.set["accepted_at"], ch.set["escalation_level"], ch.set["escalated_at"] = nil, 0, nil
		ch.data.UnitID, ch.data.RouteNote, ch.data.Deadline = unitID, note, db.Millis(deadline)
		if ch.data.UnitName, err = org.UnitName(ctx, tx, unitID); err != nil {
			return err
		}
		ch.notices = append(ch.notices, noticeTo{kind: "dispatched", toUnit: unitID})
	case ActAccept:
		ch.set["accepted_at"] = ms
	case ActReturn:
		if err := needNote(in); err != nil {
			return err
		}
		ch.set["unit_id"], ch.set["deadline"], ch.set["return_count"] = nil, nil, c.ReturnCount+1
		ch.set["returners"] = withReturner(c.returners, c.UnitID)
		ch.set["ext_requested_deadline"], ch.set["ext_reason"] = nil, ""
		ch.data.UnitID = c.UnitID
		ch.notices = append(ch.notices, noticeTo{kind: "returned", toOffice: true})
	case ActRequestExtension:
		if err := needNote(in); err != nil {
			return err
		}
		if !c.ExtRequestedDeadline.IsZero() {
			return apperr.Conflict("problem.extension_pending")
		}
		if in.Deadline.IsZero() || !in.Deadline.After(c.Deadline) || !in.Deadline.After(now) {
			return apperr.Invalid("problem.extension_deadline_invalid")
		}
		ch.set["ext_requested_deadline"], ch.set["ext_reason"] = db.Millis(in.Deadline), in.Note
		ch.data.Deadline = db.Millis(in.Deadline)
		ch.notices = append(ch.notices, noticeTo{kind: "extension_requested", toOffice: true})
	case ActApproveExtension, ActRefuseExtension:
		if c.ExtRequestedDeadline.IsZero() {
			return apperr.Conflict("problem.no_extension_pending")
		}
		if in.Action == ActRefuseExtension {
			if err := needNote(in); err != nil {
				return err
			}
		} else {
			ch.set["deadline"], ch.set["extension_count"] = db.Millis(c.ExtRequestedDeadline), c.ExtensionCount+1
			ch.set["escalation_level"], ch.set["escalated_at"] = 0, nil
			ch.data.Deadline = db.Millis(c.ExtRequestedDeadline)
		}
		ch.set["ext_requested_deadline"], ch.set["ext_reason"] = nil, ""
		ch.notices = append(ch.notices, noticeTo{kind: string(in.Action), toUnit: c.UnitID})
	case ActPark:
		if err := needNote(in); err != nil {
			return err
		}
		if in.Deadline.IsZero() || !in.Deadline.After(now) {
			return apperr.Invalid("problem.park_target_invalid")
		}
		ch.set["parked_until"], ch.set["park_plan"] = db.Millis(in.Deadline), in.Note
		ch.data.Deadline = db.Millis(in.Deadline)
	case ActResume, ActVerifyFail, ActReopen:
		if in.Action != ActResume {
			if err := needNote(in); err != nil {
				return err
			}
		}
		if in.Action == ActReopen {
			if err := needPhotos(in); err != nil {
				return err
			}
			ch.photos = photosOf(in.Photos, "evidence")
			ch.set["closed_at"] = nil
		}
		if in.Action == ActVerifyFail {
			ch.set["rework_count"] = c.ReworkCount + 1
			ch.notices = append(ch.notices, noticeTo{kind: "rework", toUnit: c.UnitID})
		}
		// A parked case, a failed check and a reopened case each get a
		// fresh full time limit from now: the time already spent is not
		// held against the unit, and this is recorded in the event.
		deadline, err := s.Clock.Deadline(ctx, now, c.LimitAmount, c.LimitUnit)
		if err != nil {
			return err
		}
		ch.set["deadline"], ch.set["parked_until"], ch.set["escalation_level"], ch.set["escalated_at"] = db.Millis(deadline), nil, 0, nil
		ch.data.Deadline = db.Millis(deadline)
	case ActRectify, ActFixOnSpot:
		if err := needPhotos(in); err != nil {
			return err
		}
		if in.Action == ActRectify {
			if err := needNote(in); err != nil {
				return err
			}
		} else if c.FiledAt.IsZero() {
			ch.set["filed_at"] = ms
		}
		ch.set["rectified_at"], ch.set["rectified_by"], ch.set["parked_until"] = ms, a.UserID, nil
		ch.photos = photosOf(in.Photos, "after")
		ch.notices = append(ch.notices, noticeTo{kind: "verify", toVerifiers: true})
	case ActVerifyPass:
		if c.RectifiedBy == a.UserID && !a.IsAdmin() {
			return apperr.Forbidden("problem.verifier_is_rectifier")
		}
		ch.set["closed_at"] = ms
	default:
		return apperr.Conflict("problem.illegal_move", i18n.Key(in.Action.Key()), i18n.Key(c.State.Key()))
	}
	return nil
}

func unitExists(ctx context.Context, tx *db.Tx, id int64) error {
	ok, err := org.UnitExists(ctx, tx, id)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Invalid("problem.unit_unknown")
	}
	return nil
}
