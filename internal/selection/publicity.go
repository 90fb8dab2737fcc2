package selection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
	"github.com/wenming-civic/wenming/internal/region"
)

// StartPublicity closes the reviews and puts the approved candidates on
// the public 公示 for days days of objections (the office). More approved
// candidates than the quota are refused: the office rejects some first.
func (s *Store) StartPublicity(ctx context.Context, a access.Actor, roundID int64, days int) error {
	r, err := s.round(ctx, s.DB, roundID)
	if err != nil {
		return err
	}
	if LevelOf(a) != LevelOffice || !a.Manages(r.RegionCode) {
		return apperr.Forbidden("selection.forbidden")
	}
	if days < 1 || days > 30 {
		return apperr.Invalid("selection.publicity_days_invalid")
	}
	if r.State != RoundNominating {
		return apperr.Conflict("selection.wrong_state")
	}
	if r.Approved == 0 {
		return apperr.Conflict("selection.none_approved")
	}
	if r.Quota > 0 && r.Approved > r.Quota {
		return apperr.Conflict("selection.over_quota", r.Approved, r.Quota)
	}
	now := s.Clock()
	res, err := s.DB.Exec(ctx, "UPDATE selection_round SET state = ?, publicity_at = ?, objections_until = ? WHERE id = ? AND state = ?",
		RoundPublicity, db.Millis(now), db.Millis(now.AddDate(0, 0, days)), r.ID, RoundNominating)
	if err != nil {
		return fmt.Errorf("start publicity: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflict("selection.wrong_state")
	}
	return nil
}

// PublicEntries are the candidates a public page lists: the approved ones
// in 公示, the awarded (and revoked, marked) ones after the award.
func (s *Store) PublicEntries(ctx context.Context, r Round) ([]Nomination, error) {
	switch r.State {
	case RoundPublicity:
		return s.nominations(ctx, s.DB, "n.round_id = ? AND n.state = ? ORDER BY n.score DESC, n.id", r.ID, NomApproved)
	case RoundAwarded:
		return s.nominations(ctx, s.DB, "n.round_id = ? AND n.state IN (?, ?) ORDER BY n.score DESC, n.id", r.ID, NomAwarded, NomRevoked)
	}
	return nil, nil
}

// Object records anyone's objection during the objection period, about
// one candidate of the list or the list as a whole (nominationID 0).
func (s *Store) Object(ctx context.Context, roundID, nominationID int64, body, contact string) error {
	body, contact = strings.TrimSpace(body), strings.TrimSpace(contact)
	if n := len([]rune(body)); n < 5 || n > 1000 {
		return apperr.Invalid("selection.objection_invalid")
	}
	if len([]rune(contact)) > 40 {
		return apperr.Invalid("selection.text_too_long")
	}
	r, err := s.PublicRound(ctx, roundID)
	if err != nil {
		return err
	}
	if !r.ObjectionsOpen(s.Clock()) {
		return apperr.Conflict("selection.objections_closed")
	}
	var nom any
	if nominationID > 0 {
		n, err := s.nomination(ctx, s.DB, nominationID)
		if err != nil || n.RoundID != r.ID || n.State != NomApproved {
			return apperr.Invalid("selection.objection_candidate_invalid")
		}
		nom = n.ID
	}
	masked, sealed, err := s.seal(contact)
	if err != nil {
		return err
	}
	if _, err := s.DB.Exec(ctx, `INSERT INTO selection_objection (round_id, nomination_id, body, contact_masked, contact_sealed, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, r.ID, nom, body, masked, sealed, db.Millis(s.Clock())); err != nil {
		return fmt.Errorf("objection: %w", err)
	}
	return nil
}

// Objection is one objection to a 公示.
type Objection struct {
	ID           int64
	NominationID int64
	Candidate    string
	Body         string
	Contact      string // in full for the office when a data key is set, else masked
	CreatedAt    time.Time
	Upheld       bool
	Resolution   string
	ResolvedAt   time.Time
}

// Objections lists a round's objections for the office and leaders of
// its area.
func (s *Store) Objections(ctx context.Context, a access.Actor, roundID int64) ([]Objection, error) {
	r, err := s.round(ctx, s.DB, roundID)
	if err != nil {
		return nil, err
	}
	if !a.Oversees(r.RegionCode) {
		return nil, apperr.Forbidden("selection.forbidden")
	}
	rows, err := s.DB.Query(ctx, `SELECT o.id, COALESCE(o.nomination_id, 0), COALESCE(n.name, ''), o.body, o.contact_masked, o.contact_sealed,
		o.created_at, o.upheld, o.resolution, COALESCE(o.resolved_at, 0)
		FROM selection_objection o LEFT JOIN selection_nomination n ON n.id = o.nomination_id WHERE o.round_id = ? ORDER BY o.created_at, o.id`, roundID)
	return db.Collect(rows, err, func(rs *sql.Rows) (Objection, error) {
		var o Objection
		var masked, sealed string
		var created, resolved int64
		err := rs.Scan(&o.ID, &o.NominationID, &o.Candidate, &o.Body, &masked, &sealed, &created, &o.Upheld, &o.Resolution, &resolved)
		o.Contact = masked
		if a.Manages(r.RegionCode) {
			o.Contact = s.open(masked, sealed)
		}
		o.CreatedAt = db.FromMillis(created)
		if resolved > 0 {
			o.ResolvedAt = db.FromMillis(resolved)
		}
		return o, err
	})
}

// Resolve answers an objection once, with a reason. An upheld objection
// about a candidate withdraws the candidate from the list.
func (s *Store) Resolve(ctx context.Context, a access.Actor, roundID, objectionID int64, upheld bool, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return apperr.Invalid("selection.reason_required")
	}
	r, err := s.round(ctx, s.DB, roundID)
	if err != nil {
		return err
	}
	if LevelOf(a) != LevelOffice || !a.Manages(r.RegionCode) {
		return apperr.Forbidden("selection.forbidden")
	}
	if r.State != RoundPublicity {
		return apperr.Conflict("selection.wrong_state")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var nom sql.NullInt64
		err := tx.QueryRow(ctx, "SELECT nomination_id FROM selection_objection WHERE id = ? AND round_id = ? AND resolved_at IS NULL",
			objectionID, roundID).Scan(&nom)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Conflict("selection.objection_resolved")
		}
		if err != nil {
			return fmt.Errorf("resolve objection: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE selection_objection SET upheld = ?, resolution = ?, resolved_by = ?, resolved_at = ? WHERE id = ?",
			upheld, reason, creator(a), db.Millis(s.Clock()), objectionID); err != nil {
			return fmt.Errorf("resolve objection: %w", err)
		}
		if upheld && nom.Valid {
			if _, err := tx.Exec(ctx, "UPDATE selection_nomination SET state = ?, revoke_reason = ? WHERE id = ? AND state = ?",
				NomWithdrawn, reason, nom.Int64, NomApproved); err != nil {
				return fmt.Errorf("withdraw candidate: %w", err)
			}
		}
		return nil
	})
}

// Award ends the 公示: once the objection period is over and every
// objection is answered, each candidate on the list gets its numbered
// certificate.
func (s *Store) Award(ctx context.Context, a access.Actor, roundID int64) (int, error) {
	r, err := s.round(ctx, s.DB, roundID)
	if err != nil {
		return 0, err
	}
	if LevelOf(a) != LevelOffice || !a.Manages(r.RegionCode) {
		return 0, apperr.Forbidden("selection.forbidden")
	}
	now := s.Clock()
	switch {
	case r.State != RoundPublicity:
		return 0, apperr.Conflict("selection.wrong_state")
	case now.Before(r.ObjectionsUntil):
		return 0, apperr.Conflict("selection.publicity_not_over")
	}
	n := 0
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		open, err := db.Count(ctx, tx, "SELECT COUNT(*) FROM selection_objection WHERE round_id = ? AND resolved_at IS NULL", roundID)
		if err != nil {
			return err
		}
		if open > 0 {
			return apperr.Conflict("selection.objections_open", open)
		}
		ids, err := db.Int64s(ctx, tx, "SELECT id FROM selection_nomination WHERE round_id = ? AND state = ? ORDER BY score DESC, id", roundID, NomApproved)
		if err != nil {
			return fmt.Errorf("award: %w", err)
		}
		year := now.In(Loc()).Year()
		for _, id := range ids {
			number := fmt.Sprintf("%d-%06d-%s", year, id, randomCode())
			if _, err := tx.Exec(ctx, "UPDATE selection_nomination SET state = ?, number = ?, awarded_at = ? WHERE id = ?",
				NomAwarded, number, db.Millis(now), id); err != nil {
				return fmt.Errorf("award: %w", err)
			}
			n++
		}
		res, err := tx.Exec(ctx, "UPDATE selection_round SET state = ?, awarded_at = ? WHERE id = ? AND state = ?", RoundAwarded, db.Millis(now), roundID, RoundPublicity)
		if err != nil {
			return fmt.Errorf("award: %w", err)
		}
		if c, _ := res.RowsAffected(); c == 0 {
			return apperr.Conflict("selection.wrong_state")
		}
		return nil
	})
	return n, err
}

// Revoke withdraws an awarded title with a reason, shown on the record
// and on the certificate's verification page (the office).
func (s *Store) Revoke(ctx context.Context, a access.Actor, nominationID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return apperr.Invalid("selection.reason_required")
	}
	n, err := s.nomination(ctx, s.DB, nominationID)
	if err != nil {
		return err
	}
	r, err := s.round(ctx, s.DB, n.RoundID)
	if err != nil {
		return err
	}
	if LevelOf(a) != LevelOffice || !a.Manages(r.RegionCode) {
		return apperr.Forbidden("selection.forbidden")
	}
	res, err := s.DB.Exec(ctx, "UPDATE selection_nomination SET state = ?, revoked_at = ?, revoke_reason = ?, revoked_by = ? WHERE id = ? AND state = ?",
		NomRevoked, db.Millis(s.Clock()), reason, creator(a), n.ID, NomAwarded)
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	if c, _ := res.RowsAffected(); c == 0 {
		return apperr.Conflict("selection.not_awarded")
	}
	return nil
}

// Certificate is an awarded title as its certificate and verification
// page show it.
type Certificate struct {
	Nomination
	Round Round
	Kind  Kind
}

// Verify finds an awarded (or revoked) title by its certificate number;
// a wrong number is not found.
func (s *Store) Verify(ctx context.Context, number string) (Certificate, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if len(number) < 10 || len(number) > 30 {
		return Certificate{}, apperr.NotFound("selection.certificate_not_found")
	}
	ns, err := s.nominations(ctx, s.DB, "n.number = ? AND n.state IN (?, ?)", number, NomAwarded, NomRevoked)
	if err != nil {
		return Certificate{}, err
	}
	if len(ns) == 0 {
		return Certificate{}, apperr.NotFound("selection.certificate_not_found")
	}
	return s.certificate(ctx, ns[0])
}

func (s *Store) certificate(ctx context.Context, n Nomination) (Certificate, error) {
	r, err := s.round(ctx, s.DB, n.RoundID)
	if err != nil {
		return Certificate{}, err
	}
	k, err := s.Kind(ctx, r.KindID)
	if err != nil {
		return Certificate{}, err
	}
	return Certificate{Nomination: n, Round: r, Kind: k}, nil
}

// Certificate returns the certificate of an awarded nomination for
// whoever may see the nomination.
func (s *Store) Certificate(ctx context.Context, a access.Actor, nominationID int64) (Certificate, error) {
	n, err := s.nomination(ctx, s.DB, nominationID)
	if err != nil {
		return Certificate{}, err
	}
	r, err := s.round(ctx, s.DB, n.RoundID)
	if err != nil {
		return Certificate{}, err
	}
	if !seesNomination(a, r, n) {
		return Certificate{}, apperr.NotFound("selection.nomination_not_found")
	}
	if n.State != NomAwarded {
		return Certificate{}, apperr.Conflict("selection.not_awarded")
	}
	return s.certificate(ctx, n)
}

// Text is what the PDF says, from the catalogue.
type Text func(key string, args ...any) string

// WritePDF renders an awarded title's certificate (荣誉证书).
func WritePDF(w io.Writer, c Certificate, issuer, verifyURL string, t Text) error {
	if c.State != NomAwarded {
		return apperr.Conflict("selection.not_awarded")
	}
	at := c.AwardedAt.In(Loc())
	sheet := pdfdoc.Table{Header: []string{t("selection.pdf.col_item"), t("selection.pdf.col_points")}, Widths: []float64{110, 40}}
	for _, cr := range c.Kind.Criteria {
		p := c.Scores[cr.ID]
		v := fmt.Sprintf("%d / %d", p, cr.Points)
		if c.Kind.Sheet == SheetStars {
			v = t("selection.star_no")
			if p > 0 {
				v = t("selection.star_yes")
			}
		}
		sheet.Rows = append(sheet.Rows, []string{cr.Name, v})
	}
	n := pdfdoc.Notice{
		Issuer: issuer,
		Title:  t("selection.pdf.title"),
		Number: t("selection.pdf.number", c.Number),
		Date:   fmt.Sprintf("%d年%d月%d日", at.Year(), at.Month(), at.Day()),
		Sections: []pdfdoc.Section{
			{Paragraphs: []string{t("selection.pdf.body", c.Name, c.Round.PeriodLabel, c.Kind.Name)}},
			{Heading: t("selection.pdf.sheet"), Tables: []pdfdoc.Table{sheet}},
		},
		Footer: t("selection.pdf.verify", verifyURL),
	}
	if code, err := qr.Encode(verifyURL, qr.M); err == nil {
		n.Image, n.ImageMM = code.PNG(), 28
	}
	return pdfdoc.Render(w, n)
}

// Honour is one line of an honour roll.
type Honour struct {
	Nomination
	KindName    string
	RoundTitle  string
	PeriodLabel string
}

// HonourRoll lists the titles awarded (and not revoked) to candidates of
// an area, newest first: the public 光荣榜.
func (s *Store) HonourRoll(ctx context.Context, regionCode string) ([]Honour, error) {
	if regionCode == "" {
		return nil, apperr.NotFound("selection.round_not_found")
	}
	cond, args := region.SubtreeSQL("n.region_code", regionCode)
	rows, err := s.DB.Query(ctx, `SELECT `+nomSelect+`, k.name, r.title, r.period_label
		FROM selection_nomination n JOIN selection_round r ON r.id = n.round_id JOIN selection_kind k ON k.id = r.kind_id
		WHERE n.state = ? AND `+cond+` ORDER BY n.awarded_at DESC, k.id, n.score DESC, n.id LIMIT 1000`, append([]any{NomAwarded}, args...)...)
	return db.Collect(rows, err, func(rs *sql.Rows) (Honour, error) {
		var h Honour
		var awarded, revoked, created int64
		n := &h.Nomination
		err := rs.Scan(&n.ID, &n.RoundID, &n.CandidateType, &n.RefID, &n.Name, &n.CreditCode, &n.RegionCode, &n.Address, &n.ContactMasked,
			&n.Deeds, &n.Source, &n.NominatedBy, &n.State, &n.Passed, &n.Score, &n.Number, &awarded, &revoked, &n.RevokeReason, &created, &h.KindName, &h.RoundTitle, &h.PeriodLabel)
		n.AwardedAt, n.CreatedAt = db.FromMillis(awarded), db.FromMillis(created)
		return h, err
	})
}

// Title is an awarded, not revoked title of a candidate.
type Title struct {
	Kind        string
	PeriodLabel string
	Number      string
	AwardedAt   time.Time
}

// TitlesOf lists the awarded, not revoked titles of a candidate known by
// reference (a merchant's id), newest first: the merchant lookup shows
// its 诚信 title.
func (s *Store) TitlesOf(ctx context.Context, candidateType string, refID int64) ([]Title, error) {
	if refID <= 0 {
		return nil, nil
	}
	rows, err := s.DB.Query(ctx, `SELECT k.name, r.period_label, n.number, n.awarded_at FROM selection_nomination n
		JOIN selection_round r ON r.id = n.round_id JOIN selection_kind k ON k.id = r.kind_id
		WHERE n.candidate_type = ? AND n.ref_id = ? AND n.state = ? ORDER BY n.awarded_at DESC, n.id DESC`, candidateType, refID, NomAwarded)
	return db.Collect(rows, err, func(rs *sql.Rows) (Title, error) {
		var t Title
		var at int64
		err := rs.Scan(&t.Kind, &t.PeriodLabel, &t.Number, &at)
		t.AwardedAt = db.FromMillis(at)
		return t, err
	})
}

// InAreas lists the nominations of candidates in the regions (subtrees),
// newest first, for a responsibility holder's page. It checks no actor:
// the caller has decided the regions are the actor's to see.
func (s *Store) InAreas(ctx context.Context, regions []string, limit int) ([]Nomination, error) {
	if len(regions) == 0 {
		return nil, nil
	}
	var conds []string
	var args []any
	for _, code := range regions {
		c, a := region.SubtreeSQL("n.region_code", code)
		conds = append(conds, c)
		args = append(args, a...)
	}
	return s.nominations(ctx, s.DB, "("+strings.Join(conds, " OR ")+") ORDER BY n.created_at DESC, n.id DESC LIMIT ?", append(args, limit)...)
}

// AwardedRegions lists the regions of the titles awarded in [from, to)
// (and not revoked), one entry a title, for the holders' report cards to
// count by holding in one read.
func (s *Store) AwardedRegions(ctx context.Context, from, to time.Time) ([]string, error) {
	out, err := db.Strings(ctx, s.DB, "SELECT region_code FROM selection_nomination WHERE state = ? AND awarded_at >= ? AND awarded_at < ?",
		NomAwarded, db.Millis(from), db.Millis(to))
	if err != nil {
		return nil, fmt.Errorf("awarded regions: %w", err)
	}
	return out, nil
}
