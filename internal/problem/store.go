package problem

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// CategoryInfo is what the ledger needs to know of a sub-category.
type CategoryInfo struct {
	ID          int64
	Name        string
	LimitAmount int
	LimitUnit   string // hour or day
	Active      bool
}

// Categories looks sub-categories up.
type Categories interface {
	Category(ctx context.Context, id int64) (CategoryInfo, error)
}

// WorkingTime computes deadlines on the working calendar.
type WorkingTime interface {
	Deadline(ctx context.Context, start time.Time, amount int, unit string) (time.Time, error)
}

// Router chooses the responsible unit of a case and says why.
type Router interface {
	Route(ctx context.Context, categoryID int64, regionCode string) (unitID int64, note string, err error)
}

// Locator finds the smallest region containing a point, and tells whether a
// point lies in China at all.
type Locator interface {
	Locate(ctx context.Context, lng, lat float64) (code string, ok bool, err error)
	InChina(lng, lat float64) bool
}

// Store keeps the ledger.
type Store struct {
	DB         *db.DB
	Log        *slog.Logger // nil: notices that fail are not logged
	Now        func() time.Time
	Categories Categories
	Clock      WorkingTime
	Router     Router
	Locator    Locator
	// Listener hears of dispatches, returns, failed verifications and
	// escalations in their transactions (nil: nobody).
	Listener Listener
	// OnRed, when set, is told in the escalation's transaction of each
	// case raised to red (the responsibility holders of its place are
	// notified); its error rolls the raise back.
	OnRed func(ctx context.Context, tx db.Conn, c *Case) error
	// WalkNewestAbove is how many matches make List read a page by walking
	// the reported-time index (0: past CountCap); tests lower it.
	WalkNewestAbove int
	// NoTallyCache makes every Tally sum problem_tally again (tests and
	// benchmarks compare with it) instead of keeping its sums by version.
	NoTallyCache bool

	// tallyChanges counts the changes this server recorded in the tally's
	// deltas since its last FoldTally.
	tallyChanges atomic.Int64
	// foldedSums keeps the sums of problem_tally by its version (Tally).
	foldedSums foldedSums
	// names and regionNames keep the names of categories, units and
	// regions on cases (withNames).
	names       org.GenCache[nameKey, string]
	regionNames org.GenCache[string, string]
	// noticed keeps who the notices of a place or unit go to.
	noticed org.GenCache[recipientKey, []int64]
}

// MaxPhotos bounds the photos of one report or one action.
const MaxPhotos = 6

// maxText bounds descriptions and notes.
const maxText = 2000

// ReportInput is a new problem.
type ReportInput struct {
	Source        Source
	CategoryID    int64
	Description   string
	Address       string
	Lng, Lat      float64
	HasPlace      bool
	RegionCode    string // chosen place when there are no coordinates
	ReporterName  string
	ReporterPhone string
	Photos        []string // photo hashes taken before rectification
	SiteID        int64    // the inspection site it was found at, if any
	// Held keeps the case from every move until Release: a failure found
	// in a covert inspection round waits for the round's publication.
	Held bool
}

// reportSources says which sources each kind of reporter may use.
func allowedSource(a access.Actor, s Source) bool {
	switch s {
	case SourceCitizen:
		return true
	case SourceSnapshot:
		return a.SignedIn()
	case SourceInspection:
		return a.HasAny(access.RoleInspector, access.RoleOffice, access.RoleAdmin)
	case SourceHotline, SourceMedia, SourceSuperior, SourceCamera, SourceSurvey, SourceOther, SourceAPI:
		return a.HasAny(access.RoleOffice, access.RoleAdmin)
	}
	return false
}

// CheckReport checks a report as Report does, without filing it: a form
// with photos is checked before the photos are stored.
func (s *Store) CheckReport(ctx context.Context, a access.Actor, in ReportInput) error {
	_, _, err := s.checkReport(ctx, a, &in)
	return err
}

// checkReport normalises and checks a report; it returns the category's
// limits and the region of the place.
func (s *Store) checkReport(ctx context.Context, a access.Actor, in *ReportInput) (CategoryInfo, string, error) {
	in.Description = strings.TrimSpace(in.Description)
	in.Address = strings.TrimSpace(in.Address)
	in.ReporterName = strings.TrimSpace(in.ReporterName)
	in.ReporterPhone = strings.TrimSpace(in.ReporterPhone)
	switch {
	case !in.Source.Valid():
		return CategoryInfo{}, "", apperr.Invalid("problem.source_invalid")
	case !allowedSource(a, in.Source):
		return CategoryInfo{}, "", apperr.Forbidden("problem.source_forbidden")
	case in.Description == "":
		return CategoryInfo{}, "", apperr.Invalid("problem.description_required")
	case utf8.RuneCountInString(in.Description) > maxText || utf8.RuneCountInString(in.Address) > 200:
		return CategoryInfo{}, "", apperr.Invalid("problem.text_too_long", maxText)
	case len(in.Photos) > MaxPhotos:
		return CategoryInfo{}, "", apperr.Invalid("problem.too_many_photos", MaxPhotos)
	case in.ReporterPhone != "" && !validPhone(in.ReporterPhone):
		return CategoryInfo{}, "", apperr.Invalid("problem.phone_invalid")
	case in.CategoryID == 0 && in.Source != SourceCitizen:
		return CategoryInfo{}, "", apperr.Invalid("problem.category_required")
	}
	var cat CategoryInfo
	if in.CategoryID != 0 {
		var err error
		if cat, err = s.category(ctx, in.CategoryID); err != nil {
			return CategoryInfo{}, "", err
		}
	}
	region, err := s.place(ctx, in)
	if err != nil {
		return CategoryInfo{}, "", err
	}
	return cat, region, nil
}

// Report puts a new problem in the ledger as reported. Anyone may report
// through the public form (source citizen); signed-in users through 随手拍;
// the office enters hotline, media and superior cases.
func (s *Store) Report(ctx context.Context, a access.Actor, in ReportInput) (*Case, error) {
	return s.report(ctx, a, in, nil)
}

// report files a report; then, when set, runs also in the transaction
// with the new case's id (the public form's status link).
func (s *Store) report(ctx context.Context, a access.Actor, in ReportInput,
	then func(ctx context.Context, tx *db.Tx, id int64, now time.Time) error) (*Case, error) {
	cat, region, err := s.checkReport(ctx, a, &in)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var c *Case // the row as inserted (RETURNING: not read back)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		code, err := nextCode(ctx, tx, now)
		if err != nil {
			return err
		}
		reporterID := max(a.UserID, 0)
		c, err = scanCase(tx.QueryRow(ctx, `INSERT INTO problem (code, source, category_id, description, address, lng, lat,
			region_code, state, reporter_id, reporter_name, reporter_phone, limit_amount, limit_unit, reported_at, updated_at,
			site_id, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+returningColumns(),
			code, string(in.Source), db.NullID(in.CategoryID), in.Description, in.Address, nullFloat(in.Lng, in.HasPlace),
			nullFloat(in.Lat, in.HasPlace), region, string(Reported), db.NullID(reporterID), in.ReporterName, in.ReporterPhone,
			cat.LimitAmount, cat.LimitUnit, db.Millis(now), db.Millis(now), db.NullID(in.SiteID), in.Held))
		if err != nil {
			return fmt.Errorf("insert problem: %w", err)
		}
		if err = appendEvent(ctx, tx, c.ID, a, now, ActReport, "", Reported, "", EventData{}, photosOf(in.Photos, "before")); err != nil {
			return err
		}
		if err := indexForSearch(ctx, tx, searchRowOf(c), false); err != nil {
			return err
		}
		after := tallyOf(c)
		if err := s.applyTally(ctx, tx, tallyChange(nil, &after)); err != nil {
			return err
		}
		if then != nil {
			if err := then(ctx, tx, c.ID, now); err != nil {
				return err
			}
		}
		return s.withNames(ctx, tx, []*Case{c}) // by the writer, as in move
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// place resolves where a report is: from coordinates through the grid and
// community boundaries, or from the chosen region.
func (s *Store) place(ctx context.Context, in *ReportInput) (string, error) {
	if in.HasPlace {
		if in.Lng < -180 || in.Lng > 180 || in.Lat < -90 || in.Lat > 90 || !s.Locator.InChina(in.Lng, in.Lat) {
			return "", apperr.Invalid("problem.place_outside_china")
		}
		code, ok, err := s.Locator.Locate(ctx, in.Lng, in.Lat)
		if err != nil {
			return "", err
		}
		if ok {
			return code, nil
		}
		if in.RegionCode == "" {
			return "", apperr.Invalid("problem.place_outside_regions")
		}
	}
	if in.RegionCode == "" {
		return "", apperr.Invalid("problem.place_required")
	}
	known, err := region.Exists(ctx, s.DB, in.RegionCode)
	if err != nil {
		return "", err
	}
	if !known {
		return "", apperr.Invalid("problem.region_unknown", in.RegionCode)
	}
	return in.RegionCode, nil
}

func (s *Store) category(ctx context.Context, id int64) (CategoryInfo, error) {
	cat, err := s.Categories.Category(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && !cat.Active) {
		return CategoryInfo{}, apperr.Invalid("problem.category_unknown")
	}
	if err != nil {
		return CategoryInfo{}, err
	}
	return cat, nil
}

// nextCode numbers cases per day: 20261122-00007.
func nextCode(ctx context.Context, tx *db.Tx, now time.Time) (string, error) {
	day := now.In(calendar.Shanghai()).Format("20060102")
	var n int
	err := tx.QueryRow(ctx, `INSERT INTO problem_seq (day, n) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET n = problem_seq.n + 1 RETURNING n`, day).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("next case number: %w", err)
	}
	return fmt.Sprintf("%s-%05d", day, n), nil
}

// appendEvent records a move in the case's history, with its photos.
func appendEvent(ctx context.Context, tx *db.Tx, problemID int64, a access.Actor, at time.Time, act Action,
	from, to State, note string, data EventData, photos []EventPhoto) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("event data: %w", err)
	}
	var actor any
	if a.UserID > 0 {
		actor = a.UserID
	}
	const insert = `INSERT INTO problem_event (problem_id, at, actor_id, action, from_state, to_state, note, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	args := []any{problemID, db.Millis(at), actor, string(act), string(from), string(to), note, string(raw)}
	if len(photos) == 0 {
		// Nothing refers to the event in this transaction: it goes with the
		// move's other appended rows (one round trip on PostgreSQL).
		if err := tx.Append(ctx, insert, args...); err != nil {
			return fmt.Errorf("append event: %w", err)
		}
		return nil
	}
	var id int64
	if err := tx.QueryRow(ctx, insert+" RETURNING id", args...).Scan(&id); err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	for _, p := range photos {
		if _, err := tx.Exec(ctx, "INSERT INTO problem_photo (problem_id, event_id, hash, role) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			problemID, id, p.Hash, p.Role); err != nil {
			return fmt.Errorf("attach photo: %w", err)
		}
	}
	return nil
}

func photosOf(hashes []string, role string) []EventPhoto {
	out := make([]EventPhoto, 0, len(hashes))
	for _, h := range hashes {
		out = append(out, EventPhoto{Hash: h, Role: role})
	}
	return out
}

// Get returns a case the actor may see; out of scope looks like missing.
func (s *Store) Get(ctx context.Context, a access.Actor, id int64) (*Case, error) {
	c, err := s.get(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !CanSee(a, c) {
		return nil, apperr.NotFound("problem.not_found")
	}
	return c, nil
}

// get reads a case with the names of its category, region and unit, as it
// is shown.
func (s *Store) get(ctx context.Context, c db.Conn, id int64) (*Case, error) {
	x, err := s.read(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if err := s.withNames(ctx, c, []*Case{x}); err != nil {
		return nil, err
	}
	return x, nil
}

// read reads a case without the names, for the checks and changes of a
// move, which need none (a move reads its case several times).
func (s *Store) read(ctx context.Context, c db.Conn, id int64) (*Case, error) {
	x, err := scanCase(c.QueryRow(ctx, "SELECT "+caseColumns+caseFrom+" WHERE p.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("problem.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("read problem %d: %w", id, err)
	}
	return x, nil
}

// CanSee is the read scope of a case: administrators everything; office,
// leaders and inspectors their jurisdiction; handlers and leaders of a
// unit the cases dispatched to it and to the units below it (scope.go);
// everyone the cases they reported.
func CanSee(a access.Actor, c *Case) bool {
	switch {
	case !a.SignedIn():
		return false
	case a.IsAdmin():
		return true
	case c.ReporterID != 0 && c.ReporterID == a.UserID:
		return true
	case a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector) && a.Region != "" && c.RegionCode != "" &&
		access.InSubtree(c.RegionCode, a.Region):
		return true
	case seesUnit(a, c.UnitID):
		return true
	}
	return false
}

// Timeline returns the events of a case the actor may see, oldest first.
func (s *Store) Timeline(ctx context.Context, a access.Actor, id int64) ([]Event, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT e.id, e.at, COALESCE(e.actor_id, 0), e.action,
		e.from_state, e.to_state, e.note, e.data FROM problem_event e WHERE e.problem_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	var out []Event
	index := map[int64]int{}
	for rows.Next() {
		var e Event
		var at int64
		var data string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Action, &e.From, &e.To, &e.Note, &data); err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
		e.At = db.FromMillis(at)
		if data != "" {
			if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
				return nil, fmt.Errorf("timeline event %d: %w", e.ID, err)
			}
		}
		index[e.ID] = len(out)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	actors := make([]int64, 0, len(out))
	for _, e := range out {
		actors = append(actors, e.ActorID)
	}
	names, err := org.DisplayNames(ctx, s.DB, actors)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].ActorName = names[out[i].ActorID]
	}
	prow, err := s.DB.Query(ctx, "SELECT event_id, hash, role FROM problem_photo WHERE problem_id = ? ORDER BY event_id", id)
	if err != nil {
		return nil, fmt.Errorf("timeline photos: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		var ev int64
		var p EventPhoto
		if err := prow.Scan(&ev, &p.Hash, &p.Role); err != nil {
			return nil, fmt.Errorf("timeline photos: %w", err)
		}
		if i, ok := index[ev]; ok {
			out[i].Photos = append(out[i].Photos, p)
		}
	}
	return out, prow.Err()
}

func nullFloat(v float64, ok bool) sql.NullFloat64 { return sql.NullFloat64{Float64: v, Valid: ok} }

func validPhone(p string) bool {
	if len(p) != 11 || p[0] != '1' {
		return false
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// IDByCode finds a case the actor may see by its code (or numeric id).
func (s *Store) IDByCode(ctx context.Context, a access.Actor, code string) (int64, error) {
	code = strings.TrimSpace(code)
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT id FROM problem WHERE code = ?", code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		if _, perr := fmt.Sscan(code, &id); perr != nil {
			return 0, apperr.NotFound("problem.not_found")
		}
	} else if err != nil {
		return 0, fmt.Errorf("find problem %s: %w", code, err)
	}
	if _, err := s.Get(ctx, a, id); err != nil {
		return 0, err
	}
	return id, nil
}

// CanSeePhoto reports whether a photo belongs to a case the actor may see.
func (s *Store) CanSeePhoto(ctx context.Context, a access.Actor, hash string) (bool, error) {
	rows, err := s.DB.Query(ctx, "SELECT DISTINCT problem_id FROM problem_photo WHERE hash = ? LIMIT 50", hash)
	if err != nil {
		return false, fmt.Errorf("photo cases: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return false, fmt.Errorf("photo cases: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		c, err := s.read(ctx, s.DB, id)
		if err != nil {
			return false, err
		}
		if CanSee(a, c) {
			return true, nil
		}
	}
	return false, nil
}

// PhotoExists reports whether a photo with this hash has been stored.
func (s *Store) PhotoExists(ctx context.Context, hash string) (bool, error) {
	return media.Stored(ctx, s.DB, hash)
}
