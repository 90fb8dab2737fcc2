package dossier

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/region"
)

// Round is a dossier round (材料申报).
type Round struct {
	ID           int64
	Name         string
	EvaluationOn string
	VersionID    int64
	VersionName  string
	RegionCode   string
	State        RoundState
	CopiedFrom   int64
	CreatedAt    time.Time
	Requirements int
	Items        int
}

// CanManage reports whether the actor may change the round.
func (r Round) CanManage(a access.Actor) bool { return manages(a, r.RegionCode) }

// RoundInput is a new round.
type RoundInput struct {
	Name         string
	EvaluationOn string
	VersionID    int64  // 0: the active version
	RegionCode   string // "": the office's jurisdiction
}

const roundColumns = `r.id, r.name, r.evaluation_on, r.version_id, r.region_code, r.state, COALESCE(r.copied_from, 0), r.created_at,
	(SELECT COUNT(*) FROM dossier_requirement q WHERE q.round_id = r.id), (SELECT COUNT(*) FROM dossier_item i WHERE i.round_id = r.id)`

func scanRound(sc interface{ Scan(...any) error }) (Round, error) {
	var r Round
	var created int64
	err := sc.Scan(&r.ID, &r.Name, &r.EvaluationOn, &r.VersionID, &r.RegionCode, &r.State, &r.CopiedFrom, &created, &r.Requirements, &r.Items)
	r.CreatedAt = db.FromMillis(created)
	return r, err
}

func (s *Store) checkRound(ctx context.Context, a access.Actor, in *RoundInput) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.RegionCode == "" {
		in.RegionCode = a.Region
	}
	if in.Name == "" || len([]rune(in.Name)) > MaxNameLen {
		return apperr.Invalid("dossier.name_invalid", MaxNameLen)
	}
	if !MayRun(a) {
		return apperr.Forbidden("dossier.forbidden")
	}
	if !manages(a, in.RegionCode) {
		return apperr.Forbidden("dossier.forbidden")
	}
	if ok, err := region.Exists(ctx, s.DB, in.RegionCode); err != nil {
		return err
	} else if !ok {
		return apperr.Invalid("dossier.region_invalid")
	}
	t, ok := ParseDate(in.EvaluationOn)
	if !ok {
		return apperr.Invalid("dossier.date_invalid")
	}
	in.EvaluationOn = t.Format(dateLayout)
	if in.VersionID == 0 {
		v, err := s.Framework.ActiveVersion(ctx)
		if err != nil {
			return apperr.Invalid("dossier.no_version")
		}
		in.VersionID = v.ID
	} else if _, err := s.Framework.VersionInfo(ctx, access.System(), in.VersionID); err != nil {
		return apperr.Invalid("dossier.no_version")
	}
	return nil
}

// CreateRound makes a draft round.
func (s *Store) CreateRound(ctx context.Context, a access.Actor, in RoundInput) (Round, error) {
	if err := s.checkRound(ctx, a, &in); err != nil {
		return Round{}, err
	}
	var id int64
	err := s.DB.ExecReturning(ctx, `INSERT INTO dossier_round (name, evaluation_on, version_id, region_code, state, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Name, in.EvaluationOn, in.VersionID, in.RegionCode, string(RoundDraft),
		db.NullID(a.UserID), db.Millis(s.now())).Scan(&id)
	if err != nil {
		return Round{}, fmt.Errorf("create dossier round: %w", err)
	}
	return s.Round(ctx, a, id)
}

// Rounds lists the rounds the actor oversees (or whose items the actor's
// unit owes), newest evaluation first.
func (s *Store) Rounds(ctx context.Context, a access.Actor) ([]Round, error) {
	if !MayOpen(a) {
		return nil, apperr.Forbidden("dossier.forbidden")
	}
	rows, err := s.DB.Query(ctx, "SELECT "+roundColumns+" FROM dossier_round r ORDER BY r.evaluation_on DESC, r.id DESC")
	all, err := db.Collect(rows, err, func(r *sql.Rows) (Round, error) { return scanRound(r) })
	if err != nil {
		return nil, fmt.Errorf("list dossier rounds: %w", err)
	}
	var out []Round
	for _, r := range all {
		if oversees(a, r.RegionCode) || (len(myUnits(a)) > 0 && r.State != RoundDraft && access.InSubtree(a.Region, r.RegionCode)) {
			out = append(out, r)
		}
	}
	if err := s.fillVersionNames(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) fillVersionNames(ctx context.Context, rs []Round) error {
	ids := make([]int64, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, r.VersionID)
	}
	names, err := framework.VersionNames(ctx, s.DB, ids)
	if err != nil {
		return err
	}
	for i := range rs {
		rs[i].VersionName = names[rs[i].VersionID]
	}
	return nil
}

// Round returns a round the actor oversees.
func (s *Store) Round(ctx context.Context, a access.Actor, id int64) (Round, error) {
	r, err := s.round(ctx, s.DB, id)
	if err != nil {
		return Round{}, err
	}
	if !oversees(a, r.RegionCode) {
		return Round{}, apperr.NotFound("dossier.round_not_found")
	}
	rs := []Round{r}
	if err := s.fillVersionNames(ctx, rs); err != nil {
		return Round{}, err
	}
	return rs[0], nil
}

func (s *Store) round(ctx context.Context, c db.Conn, id int64) (Round, error) {
	r, err := scanRound(c.QueryRow(ctx, "SELECT "+roundColumns+" FROM dossier_round r WHERE r.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, apperr.NotFound("dossier.round_not_found")
	}
	if err != nil {
		return Round{}, fmt.Errorf("read dossier round %d: %w", id, err)
	}
	return r, nil
}

// OpenRound generates the instances of every requirement for each of its
// responsible units and opens the round for submission.
func (s *Store) OpenRound(ctx context.Context, a access.Actor, id int64) (int, error) {
	r, err := s.Round(ctx, a, id)
	if err != nil {
		return 0, err
	}
	if !r.CanManage(a) {
		return 0, apperr.Forbidden("dossier.forbidden")
	}
	if r.State != RoundDraft {
		return 0, apperr.Conflict("dossier.round_open_already")
	}
	reqs, err := s.Requirements(ctx, a, id)
	if err != nil {
		return 0, err
	}
	if len(reqs) == 0 {
		return 0, apperr.Invalid("dossier.round_empty")
	}
	n := 0
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE dossier_round SET state = ?, opened_at = ? WHERE id = ? AND state = ?",
			string(RoundOpen), db.Millis(s.now()), id, string(RoundDraft))
		if err != nil {
			return fmt.Errorf("open dossier round: %w", err)
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return apperr.Conflict("dossier.round_open_already")
		}
		for _, q := range reqs {
			k, err := generate(ctx, tx, id, q)
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	return n, err
}

// itemBatch inserts items.
var itemBatch = db.NewBatch("dossier_item", "", "round_id", "requirement_id", "unit_id", "seq", "period_from", "period_to", "due_on", "state")

// generate writes the instances of a requirement for each of its units.
func generate(ctx context.Context, tx *db.Tx, roundID int64, q *Requirement) (int, error) {
	ins := Instances(q.Frequency, q.PeriodFrom, q.PeriodTo, q.DueDays, q.DueOn)
	var args []any
	for _, u := range q.Units() {
		for _, in := range ins {
			args = append(args, roundID, q.ID, u, in.Seq, in.From, in.To, in.Due, string(Pending))
		}
	}
	if len(args) == 0 {
		return 0, nil
	}
	if err := itemBatch.Insert(ctx, tx, args); err != nil {
		return 0, fmt.Errorf("generate dossier items: %w", err)
	}
	return len(args) / itemBatch.Columns(), nil
}

// CopyRound makes a draft round like id for another evaluation date, with
// its requirements; their periods move by the months between the dates.
func (s *Store) CopyRound(ctx context.Context, a access.Actor, id int64, in RoundInput) (Round, error) {
	src, err := s.Round(ctx, a, id)
	if err != nil {
		return Round{}, err
	}
	if in.VersionID == 0 {
		in.VersionID = src.VersionID
	}
	if in.RegionCode == "" {
		in.RegionCode = src.RegionCode
	}
	if err := s.checkRound(ctx, a, &in); err != nil {
		return Round{}, err
	}
	reqs, err := s.Requirements(ctx, a, id)
	if err != nil {
		return Round{}, err
	}
	oldEval, _ := ParseDate(src.EvaluationOn)
	newEval, _ := ParseDate(in.EvaluationOn)
	shift := (newEval.Year()-oldEval.Year())*12 + int(newEval.Month()) - int(oldEval.Month())
	move := func(m string) string {
		t, err := time.Parse(monthLayout, m)
		if err != nil {
			return m
		}
		return t.AddDate(0, shift, 0).Format(monthLayout)
	}
	var newID int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO dossier_round (name, evaluation_on, version_id, region_code, state, copied_from, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Name, in.EvaluationOn, in.VersionID, in.RegionCode, string(RoundDraft), id,
			db.NullID(a.UserID), db.Millis(s.now())).Scan(&newID); err != nil {
			return fmt.Errorf("copy dossier round: %w", err)
		}
		for _, q := range reqs {
			c := *q
			c.PeriodFrom, c.PeriodTo = move(q.PeriodFrom), move(q.PeriodTo)
			if c.DueOn != "" {
				if t, ok := ParseDate(c.DueOn); ok {
					c.DueOn = t.AddDate(0, shift, 0).Format(dateLayout)
				}
			}
			if _, err := s.insertRequirement(ctx, tx, newID, &c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Round{}, err
	}
	return s.Round(ctx, a, newID)
}

// CanView reports whether the actor may open the round's page (its
// completeness): those who oversee its area. A unit's handler works from
// its own list instead.
func (r Round) CanView(a access.Actor) bool { return oversees(a, r.RegionCode) }
