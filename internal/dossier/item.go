package dossier

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
)

// Item is one instance a unit owes.
type Item struct {
	ID            int64
	RoundID       int64
	RoundName     string
	RoundRegion   string
	RoundState    RoundState
	RequirementID int64
	Title         string // the requirement's
	CriterionID   int64
	CriterionCode string
	UnitID        int64
	UnitName      string
	Seq           int
	PeriodFrom    string
	PeriodTo      string
	DueOn         string
	State         State
	ReturnReason  string
	SubmittedAt   time.Time
	ReviewedAt    time.Time
	Version       int
	Files         []FileRow // current files, then (History) replaced ones
	History       []FileRow
	Events        []Event
	Requirement   *Requirement
	unitRegion    string
}

// Period is the item's period as people say it.
func (it *Item) Period() string { return PeriodLabel(it.PeriodFrom, it.PeriodTo) }

// Status is the item's state, or overdue when pending past its due date.
func (it *Item) Status(today string) Status {
	if it.State == Pending && it.DueOn < today {
		return Overdue
	}
	return Status(it.State)
}

// Late reports whether the unit still owes the item past its due date.
func (it *Item) Late(today string) bool { return it.State.open() && it.DueOn < today }

// CanUpload reports whether the actor may upload files for the item: a
// handler of the item's own unit, while it is not approved.
func (it *Item) CanUpload(a access.Actor) bool {
	return a.Has(access.RoleHandler) && a.UnitID != 0 && a.UnitID == it.UnitID && it.State != Approved && it.RoundState == RoundOpen
}

// CanReview reports whether the actor may approve or return the item.
func (it *Item) CanReview(a access.Actor) bool {
	return manages(a, it.RoundRegion) && it.State == Submitted
}

// FileRow is an uploaded file of an item.
type FileRow struct {
	ID         int64
	ItemID     int64
	Hash       string
	Name       string
	Title      string
	ConcernsOn string
	Note       string
	UploadedBy string
	UploadedAt time.Time
	ReplacedBy int64
	ReplacedAt time.Time
	File       media.File
}

// Event is one entry of an item's history.
type Event struct {
	At    time.Time
	Actor string
	Kind  string // uploaded, replaced, approved, returned
	Note  string
	File  string // the file's title
}

// Key is the catalogue key of the event's name.
func (e Event) Key() string { return "dossier.event." + e.Kind }

const itemColumns = `i.id, i.round_id, r.name, r.region_code, r.state, i.requirement_id, q.title, q.criterion_id, i.unit_id, i.seq,
	i.period_from, i.period_to, i.due_on, i.state, i.return_reason, i.submitted_at, i.reviewed_at, i.version`

const itemFrom = ` FROM dossier_item i JOIN dossier_requirement q ON q.id = i.requirement_id JOIN dossier_round r ON r.id = i.round_id`

func scanItem(sc interface{ Scan(...any) error }) (*Item, error) {
	it := &Item{}
	var sub, rev sql.NullInt64
	err := sc.Scan(&it.ID, &it.RoundID, &it.RoundName, &it.RoundRegion, &it.RoundState, &it.RequirementID, &it.Title, &it.CriterionID,
		&it.UnitID, &it.Seq, &it.PeriodFrom, &it.PeriodTo, &it.DueOn, &it.State, &it.ReturnReason, &sub, &rev, &it.Version)
	it.SubmittedAt, it.ReviewedAt = db.FromNullMillis(sub), db.FromNullMillis(rev)
	return it, err
}

// mayRead reports whether the actor may see the item.
func mayRead(a access.Actor, it *Item) bool {
	return oversees(a, it.RoundRegion) || slices.Contains(myUnits(a), it.UnitID)
}

// ItemFilter narrows a list of items.
type ItemFilter struct {
	RoundID     int64
	Mine        bool   // the actor's unit's items in open rounds
	State       Status // "": any
	CriterionID int64
	UnitID      int64
	Region      string // units in this area (a district covers its streets)
	NotApproved bool
	Limit       int // 0: 500
}

// Items lists items the actor may see, late ones first, then by due date.
func (s *Store) Items(ctx context.Context, a access.Actor, f ItemFilter) ([]*Item, error) {
	if !MayOpen(a) {
		return nil, apperr.Forbidden("dossier.forbidden")
	}
	where := []string{"1 = 1"}
	var args []any
	today := s.today()
	if f.Mine {
		units := myUnits(a)
		if len(units) == 0 {
			return nil, nil
		}
		where = append(where, "i.unit_id = ?", "r.state = ?")
		args = append(args, a.UnitID, string(RoundOpen))
	}
	if f.RoundID != 0 {
		// Who may see which items is decided per item below (mayRead).
		where = append(where, "i.round_id = ?")
		args = append(args, f.RoundID)
	}
	switch f.State {
	case "":
	case Overdue:
		where = append(where, "i.state = ?", "i.due_on < ?")
		args = append(args, string(Pending), today)
	case Status(Pending):
		where = append(where, "i.state = ?", "i.due_on >= ?")
		args = append(args, string(Pending), today)
	default:
		where = append(where, "i.state = ?")
		args = append(args, string(f.State))
	}
	if f.NotApproved {
		where = append(where, "i.state <> ?")
		args = append(args, string(Approved))
	}
	if f.CriterionID != 0 {
		where = append(where, "q.criterion_id = ?")
		args = append(args, f.CriterionID)
	}
	if f.UnitID != 0 {
		where = append(where, "i.unit_id = ?")
		args = append(args, f.UnitID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	rows, err := s.DB.Query(ctx, "SELECT "+itemColumns+itemFrom+" WHERE "+strings.Join(where, " AND ")+
		" ORDER BY CASE WHEN i.state IN ('pending', 'returned') AND i.due_on < ? THEN 0 ELSE 1 END, i.due_on, i.id LIMIT "+strconv.Itoa(limit*4),
		append(args, today)...)
	all, err := db.Collect(rows, err, func(r *sql.Rows) (*Item, error) { return scanItem(r) })
	if err != nil {
		return nil, fmt.Errorf("list dossier items: %w", err)
	}
	var out []*Item
	for _, it := range all {
		if mayRead(a, it) {
			out = append(out, it)
		}
	}
	if err := s.fillItems(ctx, out); err != nil {
		return nil, err
	}
	if f.Region != "" {
		out = slices.DeleteFunc(out, func(it *Item) bool { return !s.inArea(it.UnitRegion(), f.Region) })
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// UnitRegion is the region of the item's unit (filled with the unit names).
func (it *Item) UnitRegion() string { return it.unitRegion }

func (s *Store) inArea(unitRegion, area string) bool {
	return unitRegion == "" || strings.HasPrefix(unitRegion, area)
}

// fillItems adds the unit names and criterion codes.
func (s *Store) fillItems(ctx context.Context, items []*Item) error {
	if len(items) == 0 {
		return nil
	}
	var units, crit []int64
	for _, it := range items {
		units = append(units, it.UnitID)
		crit = append(crit, it.CriterionID)
	}
	infos, err := org.UnitInfos(ctx, s.DB, units)
	if err != nil {
		return err
	}
	texts, err := framework.NodeTexts(ctx, s.DB, crit)
	if err != nil {
		return err
	}
	for _, it := range items {
		it.UnitName, it.unitRegion = infos[it.UnitID].Name, infos[it.UnitID].RegionCode
		it.CriterionCode = texts[it.CriterionID].Code
	}
	return nil
}

// Item returns an item with its files and history.
func (s *Store) Item(ctx context.Context, a access.Actor, id int64) (*Item, error) {
	it, err := s.item(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !mayRead(a, it) {
		return nil, apperr.NotFound("dossier.item_not_found")
	}
	if err := s.fillItems(ctx, []*Item{it}); err != nil {
		return nil, err
	}
	files, err := s.files(ctx, "f.item_id = ?", id)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.ReplacedBy == 0 {
			it.Files = append(it.Files, f)
		} else {
			it.History = append(it.History, f)
		}
	}
	rows, err := s.DB.Query(ctx, `SELECT e.at, COALESCE(e.actor_id, 0), e.kind, e.note, COALESCE(f.title, '') FROM dossier_event e
		LEFT JOIN dossier_file f ON f.id = e.file_id WHERE e.item_id = ? ORDER BY e.id`, id)
	type ev struct {
		Event
		actor int64
	}
	evs, err := db.Collect(rows, err, func(r *sql.Rows) (ev, error) {
		var e ev
		var at int64
		err := r.Scan(&at, &e.actor, &e.Kind, &e.Note, &e.File)
		e.At = db.FromMillis(at)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("dossier item events: %w", err)
	}
	var actors []int64
	for _, e := range evs {
		actors = append(actors, e.actor)
	}
	names, err := org.DisplayNames(ctx, s.DB, actors)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		e.Event.Actor = names[e.actor]
		it.Events = append(it.Events, e.Event)
	}
	reqs, err := s.requirements(ctx, it.RoundID)
	if err != nil {
		return nil, err
	}
	for _, q := range reqs {
		if q.ID == it.RequirementID {
			it.Requirement = q
		}
	}
	return it, nil
}

func (s *Store) item(ctx context.Context, c db.Conn, id int64) (*Item, error) {
	it, err := scanItem(c.QueryRow(ctx, "SELECT "+itemColumns+itemFrom+" WHERE i.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("dossier.item_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("read dossier item %d: %w", id, err)
	}
	return it, nil
}

// files lists file rows matching where (on dossier_file f), oldest first.
func (s *Store) files(ctx context.Context, where string, args ...any) ([]FileRow, error) {
	rows, err := s.DB.Query(ctx, `SELECT f.id, f.item_id, f.hash, f.name, f.title, f.concerns_on, f.note, COALESCE(f.uploaded_by, 0), f.uploaded_at,
		COALESCE(f.replaced_by, 0), f.replaced_at FROM dossier_file f WHERE `+where+` ORDER BY f.id`, args...)
	type row struct {
		FileRow
		by int64
	}
	list, err := db.Collect(rows, err, func(r *sql.Rows) (row, error) {
		var x row
		var at int64
		var rep sql.NullInt64
		err := r.Scan(&x.ID, &x.ItemID, &x.Hash, &x.Name, &x.Title, &x.ConcernsOn, &x.Note, &x.by, &at, &x.ReplacedBy, &rep)
		x.UploadedAt, x.ReplacedAt = db.FromMillis(at), db.FromNullMillis(rep)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("dossier files: %w", err)
	}
	var by []int64
	for _, x := range list {
		by = append(by, x.by)
	}
	names, err := org.DisplayNames(ctx, s.DB, by)
	if err != nil {
		return nil, err
	}
	out := make([]FileRow, len(list))
	for i, x := range list {
		x.UploadedBy = names[x.by]
		if s.Files != nil {
			if f, err := s.Files.Get(ctx, x.Hash); err == nil {
				x.File = f
			}
		}
		out[i] = x.FileRow
	}
	return out, nil
}

// Upload is what a handler enters for a file.
type Upload struct {
	Title      string
	ConcernsOn string
	Note       string
	Replaces   int64 // a current file of the item this one replaces, or 0
	// File is the stored file (media.Files.Ingest), set after CheckUpload.
	File media.File
}

// CheckUpload checks an upload for an item before its file is stored:
// the actor's unit owes the item, and the fields are well formed.
func (s *Store) CheckUpload(ctx context.Context, a access.Actor, itemID int64, in *Upload) (*Item, error) {
	it, err := s.item(ctx, s.DB, itemID)
	if err != nil {
		return nil, err
	}
	if !mayRead(a, it) {
		return nil, apperr.NotFound("dossier.item_not_found")
	}
	if !a.Has(access.RoleHandler) || a.UnitID != it.UnitID {
		return nil, apperr.Forbidden("dossier.upload_forbidden")
	}
	if it.RoundState != RoundOpen {
		return nil, apperr.Conflict("dossier.round_not_open")
	}
	if it.State == Approved {
		return nil, apperr.Conflict("dossier.upload_approved")
	}
	in.Title, in.Note = strings.TrimSpace(in.Title), strings.TrimSpace(in.Note)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > MaxTitleLen {
		return nil, apperr.Invalid("dossier.file_title_invalid", MaxTitleLen)
	}
	if utf8.RuneCountInString(in.Note) > MaxTextLen {
		return nil, apperr.Invalid("dossier.text_too_long", MaxTextLen)
	}
	t, ok := ParseDate(in.ConcernsOn)
	if !ok {
		return nil, apperr.Invalid("dossier.concerns_invalid")
	}
	in.ConcernsOn = t.Format(dateLayout)
	if in.Replaces != 0 {
		var n int
		if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM dossier_file WHERE id = ? AND item_id = ? AND replaced_by IS NULL",
			in.Replaces, itemID).Scan(&n); err != nil {
			return nil, fmt.Errorf("check replaced file: %w", err)
		}
		if n == 0 {
			return nil, apperr.Invalid("dossier.replace_unknown")
		}
	}
	return it, nil
}

// AddFile records a stored file for an item (CheckUpload first), replacing
// one of its files when in.Replaces is set (the old one stays in the
// history), and submits the item for review.
func (s *Store) AddFile(ctx context.Context, a access.Actor, itemID int64, in Upload) (*Item, error) {
	it, err := s.CheckUpload(ctx, a, itemID, &in)
	if err != nil {
		return nil, err
	}
	if in.File.Hash == "" {
		return nil, apperr.Invalid("dossier.file_required")
	}
	now := db.Millis(s.now())
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// The state moves only from what was read: a concurrent review wins.
		res, err := tx.Exec(ctx, `UPDATE dossier_item SET state = ?, submitted_at = ?, return_reason = CASE WHEN state = 'returned' THEN return_reason ELSE '' END,
			version = version + 1 WHERE id = ? AND version = ? AND state <> ?`, string(Submitted), now, itemID, it.Version, string(Approved))
		if err != nil {
			return fmt.Errorf("submit dossier item: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("dossier.item_changed")
		}
		var fileID int64
		if err := tx.QueryRow(ctx, `INSERT INTO dossier_file (item_id, hash, name, title, concerns_on, note, uploaded_by, uploaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, itemID, in.File.Hash, in.File.OriginalName, in.Title, in.ConcernsOn, in.Note,
			db.NullID(a.UserID), now).Scan(&fileID); err != nil {
			return fmt.Errorf("insert dossier file: %w", err)
		}
		kind := "uploaded"
		if in.Replaces != 0 {
			kind = "replaced"
			res, err := tx.Exec(ctx, "UPDATE dossier_file SET replaced_by = ?, replaced_at = ? WHERE id = ? AND item_id = ? AND replaced_by IS NULL",
				fileID, now, in.Replaces, itemID)
			if err != nil {
				return fmt.Errorf("replace dossier file: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return apperr.Conflict("dossier.item_changed")
			}
		}
		return addEvent(ctx, tx, itemID, a, now, kind, "", fileID)
	})
	if err != nil {
		return nil, err
	}
	return s.Item(ctx, a, itemID)
}

func addEvent(ctx context.Context, tx *db.Tx, itemID int64, a access.Actor, at int64, kind, note string, fileID int64) error {
	actor := db.NullID(a.UserID)
	if _, err := tx.Exec(ctx, "INSERT INTO dossier_event (item_id, actor_id, at, kind, note, file_id) VALUES (?, ?, ?, ?, ?, ?)",
		itemID, actor, at, kind, note, db.NullID(fileID)); err != nil {
		return fmt.Errorf("dossier event: %w", err)
	}
	return nil
}

// Decision is the office's review of an item.
type Decision struct {
	Approve bool
	Reason  string // required to return
}

// Review approves an item or returns it with a reason (退回补充), which
// notifies the unit's handlers. Only the office that runs the round
// reviews, and only a submitted item.
func (s *Store) Review(ctx context.Context, a access.Actor, itemID int64, d Decision) (*Item, error) {
	it, err := s.item(ctx, s.DB, itemID)
	if err != nil {
		return nil, err
	}
	if !mayRead(a, it) {
		return nil, apperr.NotFound("dossier.item_not_found")
	}
	if !manages(a, it.RoundRegion) {
		return nil, apperr.Forbidden("dossier.review_forbidden")
	}
	switch it.State {
	case Approved:
		return nil, apperr.Conflict("dossier.already_approved")
	case Submitted:
	default:
		return nil, apperr.Conflict("dossier.not_submitted")
	}
	d.Reason = strings.TrimSpace(d.Reason)
	if !d.Approve && d.Reason == "" {
		return nil, apperr.Invalid("dossier.reason_required")
	}
	if utf8.RuneCountInString(d.Reason) > MaxTextLen {
		return nil, apperr.Invalid("dossier.text_too_long", MaxTextLen)
	}
	now := s.now()
	state, kind, reason := Approved, "approved", ""
	if !d.Approve {
		state, kind, reason = Returned, "returned", d.Reason
	}
	if err := s.fillItems(ctx, []*Item{it}); err != nil {
		return nil, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE dossier_item SET state = ?, return_reason = ?, reviewed_at = ?, reviewed_by = ?, version = version + 1
			WHERE id = ? AND version = ? AND state = ?`, string(state), reason, db.Millis(now), db.NullID(a.UserID), itemID, it.Version, string(Submitted))
		if err != nil {
			return fmt.Errorf("review dossier item: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("dossier.item_changed")
		}
		if err := addEvent(ctx, tx, itemID, a, db.Millis(now), kind, d.Note(), 0); err != nil {
			return err
		}
		if d.Approve {
			return nil
		}
		users, err := org.ActiveUsersOfUnits(ctx, tx, []int64{it.UnitID}, access.RoleHandler)
		if err != nil {
			return fmt.Errorf("dossier return recipients: %w", err)
		}
		return notice.Add(ctx, tx, notice.Message{Users: users, Kind: "dossier_returned", Args: []string{it.Title, it.Period(), d.Reason},
			Dedupe: fmt.Sprintf("dossier-ret:%d:%d", itemID, it.Version), At: now})
	})
	if err != nil {
		return nil, err
	}
	return s.Item(ctx, a, itemID)
}

// Note is what the history records of the decision.
func (d Decision) Note() string { return strings.TrimSpace(d.Reason) }

// FileForDownload returns a file row the actor may read, by its id.
func (s *Store) FileForDownload(ctx context.Context, a access.Actor, fileID int64) (FileRow, error) {
	rows, err := s.files(ctx, "f.id = ?", fileID)
	if err != nil {
		return FileRow{}, err
	}
	if len(rows) == 0 {
		return FileRow{}, apperr.NotFound("dossier.file_not_found")
	}
	it, err := s.item(ctx, s.DB, rows[0].ItemID)
	if err != nil {
		return FileRow{}, err
	}
	if !mayRead(a, it) {
		return FileRow{}, apperr.NotFound("dossier.file_not_found")
	}
	return rows[0], nil
}

// CanSetDue reports whether the actor may move the item's due date.
func (it *Item) CanSetDue(a access.Actor) bool {
	return manages(a, it.RoundRegion) && it.State != Approved
}

// SetDue moves one instance's due date (the office grants a unit more time,
// or asks for it sooner); the history records the old and new dates and
// the reminder ahead of the new date is sent again.
func (s *Store) SetDue(ctx context.Context, a access.Actor, itemID int64, due string) (*Item, error) {
	it, err := s.item(ctx, s.DB, itemID)
	if err != nil {
		return nil, err
	}
	if !mayRead(a, it) {
		return nil, apperr.NotFound("dossier.item_not_found")
	}
	if !manages(a, it.RoundRegion) {
		return nil, apperr.Forbidden("dossier.forbidden")
	}
	if it.State == Approved {
		return nil, apperr.Conflict("dossier.already_approved")
	}
	t, ok := ParseDate(due)
	if !ok {
		return nil, apperr.Invalid("dossier.date_invalid")
	}
	due = t.Format(dateLayout)
	if due == it.DueOn {
		return it, nil
	}
	now := db.Millis(s.now())
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE dossier_item SET due_on = ?, reminded_before = FALSE, version = version + 1
			WHERE id = ? AND version = ?`, due, itemID, it.Version)
		if err != nil {
			return fmt.Errorf("set dossier due date: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("dossier.item_changed")
		}
		return addEvent(ctx, tx, itemID, a, now, "due_changed", it.DueOn+" → "+due, 0)
	})
	if err != nil {
		return nil, err
	}
	return s.Item(ctx, a, itemID)
}
