package volunteer

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
	"github.com/wenming-civic/wenming/internal/pii"
)

// Certificate states (民发〔2015〕149号: apply → accept → issue; the issued
// certificate is public at its verification URL).
const (
	CertApplied  = "applied"
	CertAccepted = "accepted"
	CertIssued   = "issued"
	CertRejected = "rejected"
)

// Certificate is a service certificate (志愿服务证明).
type Certificate struct {
	ID          int64
	Number      string
	VerifyCode  string
	VolunteerID int64
	Name        string
	IDMasked    string
	PeriodFrom  string
	PeriodTo    string
	Minutes     int64
	Activities  int
	Issuer      string
	RegionCode  string
	State       string
	AppliedAt   time.Time
	IssuedAt    time.Time
}

// HoursText is the certified hours.
func (c Certificate) HoursText() string { return Hours(c.Minutes) }

// MaskedName is the name as the public verification shows it.
func (c Certificate) MaskedName() string { return pii.MaskName(c.Name) }

const certCols = `c.id, c.number, c.verify_code, c.volunteer_id, v.name, v.id_masked, c.period_from, c.period_to, c.minutes, c.activities,
	c.issuer, c.region_code, c.state, c.applied_at, COALESCE(c.issued_at, 0)
	FROM volunteer_certificate c JOIN volunteer v ON v.id = c.volunteer_id`

func scanCert(r interface{ Scan(...any) error }) (Certificate, error) {
	var c Certificate
	var applied, issued int64
	err := r.Scan(&c.ID, &c.Number, &c.VerifyCode, &c.VolunteerID, &c.Name, &c.IDMasked, &c.PeriodFrom, &c.PeriodTo, &c.Minutes,
		&c.Activities, &c.Issuer, &c.RegionCode, &c.State, &applied, &issued)
	c.AppliedAt = db.FromMillis(applied)
	if issued > 0 {
		c.IssuedAt = db.FromMillis(issued)
	}
	return c, err
}

func randomCode() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic("volunteer: no randomness: " + err.Error())
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Apply asks for a certificate of the hours in a period: a volunteer for
// themselves (volunteerID 0), or an organiser or the office for one of
// theirs.
func (s *Store) Apply(ctx context.Context, a access.Actor, volunteerID int64, from, to string) (int64, error) {
	f, err1 := time.Parse("2006-01-02", from)
	t, err2 := time.Parse("2006-01-02", to)
	if err1 != nil || err2 != nil || t.Before(f) {
		return 0, apperr.Invalid("volunteer.period_invalid")
	}
	var v Volunteer
	var err error
	if volunteerID == 0 {
		v, err = s.Mine(ctx, a)
	} else {
		v, err = s.Get(ctx, a, volunteerID)
	}
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.DB.ExecReturning(ctx, `INSERT INTO volunteer_certificate (number, verify_code, volunteer_id, period_from, period_to, issuer, region_code,
		state, applied_by, applied_at) VALUES (?, ?, ?, ?, ?, '', ?, 'applied', ?, ?) RETURNING id`,
		"pending-"+randomCode(), randomCode(), v.ID, from, to, v.RegionCode, creator(a), db.Millis(s.now())).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("apply for certificate: %w", err)
	}
	return id, nil
}

// Certificates lists the certificates of the actor's area (the office), or
// of one volunteer the actor may see.
func (s *Store) Certificates(ctx context.Context, a access.Actor, volunteerID int64) ([]Certificate, error) {
	where, args := "", []any{}
	switch {
	case volunteerID != 0:
		if _, err := s.Get(ctx, a, volunteerID); err != nil {
			return nil, err
		}
		where, args = "c.volunteer_id = ?", []any{volunteerID}
	case a.Oversees(a.Region):
		where, args = inArea("c.region_code", a.Region)
	default:
		return nil, apperr.Forbidden("volunteer.forbidden")
	}
	rows, err := s.DB.Query(ctx, "SELECT "+certCols+" WHERE "+where+
		" ORDER BY CASE c.state WHEN 'applied' THEN 0 WHEN 'accepted' THEN 1 ELSE 2 END, c.applied_at DESC, c.id DESC LIMIT 500", args...)
	return db.Collect(rows, err, func(r *sql.Rows) (Certificate, error) { return scanCert(r) })
}

// Certificate returns one certificate for the office of its area or its
// volunteer.
func (s *Store) Certificate(ctx context.Context, a access.Actor, id int64) (Certificate, error) {
	c, err := scanCert(s.DB.QueryRow(ctx, "SELECT "+certCols+" WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("volunteer.certificate_not_found")
	}
	if err != nil {
		return c, fmt.Errorf("certificate: %w", err)
	}
	if _, err := s.Get(ctx, a, c.VolunteerID); err != nil {
		return Certificate{}, apperr.NotFound("volunteer.certificate_not_found")
	}
	return c, nil
}

// Decide moves a certificate on: accept (受理) an application, issue (出具)
// an accepted one — its hours and activities frozen from the ledger, its
// number given, the recording organisation named — or reject it. Only the
// office of the volunteer's area, which records the hours, does.
func (s *Store) DecideCertificate(ctx context.Context, a access.Actor, id int64, action string) error {
	c, err := s.Certificate(ctx, a, id)
	if err != nil {
		return err
	}
	if !a.Manages(c.RegionCode) {
		return apperr.Forbidden("volunteer.forbidden")
	}
	now := db.Millis(s.now())
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var res sql.Result
		var err error
		switch action {
		case "accept":
			res, err = tx.Exec(ctx, "UPDATE volunteer_certificate SET state = 'accepted', accepted_by = ?, accepted_at = ? WHERE id = ? AND state = 'applied'",
				creator(a), now, id)
		case "reject":
			res, err = tx.Exec(ctx, "UPDATE volunteer_certificate SET state = 'rejected', accepted_by = ?, accepted_at = ? WHERE id = ? AND state IN ('applied', 'accepted')",
				creator(a), now, id)
		case "issue":
			var minutes int64
			var acts int
			if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(minutes), 0), COUNT(DISTINCT activity_id) FROM volunteer_hours
				WHERE volunteer_id = ? AND served_on >= ? AND served_on <= ?`, c.VolunteerID, c.PeriodFrom, c.PeriodTo).Scan(&minutes, &acts); err != nil {
				return fmt.Errorf("issue: %w", err)
			}
			if minutes <= 0 {
				return apperr.Conflict("volunteer.certificate_no_hours")
			}
			names, err := org.UnitNames(ctx, tx, []int64{a.UnitID})
			if err != nil {
				return err
			}
			issuer := names[a.UnitID]
			if issuer == "" {
				issuer = "志愿服务组织"
			}
			number := fmt.Sprintf("志证〔%d〕%06d", s.now().In(Loc()).Year(), id)
			res, err = tx.Exec(ctx, `UPDATE volunteer_certificate SET state = 'issued', number = ?, minutes = ?, activities = ?, issuer = ?,
				issued_by = ?, issued_at = ? WHERE id = ? AND state = 'accepted'`, number, minutes, acts, issuer, creator(a), now, id)
		default:
			return apperr.Invalid("volunteer.action_invalid")
		}
		if err != nil {
			return fmt.Errorf("certificate %s: %w", action, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("volunteer.certificate_wrong_state")
		}
		return nil
	})
}

// Verify is the public check of a certificate by its code: the masked
// name, the hours, the number and the issuer of an issued certificate;
// anything else is "not found".
func (s *Store) Verify(ctx context.Context, code string) (Certificate, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if len(code) != 16 {
		return Certificate{}, apperr.NotFound("volunteer.certificate_not_found")
	}
	c, err := scanCert(s.DB.QueryRow(ctx, "SELECT "+certCols+" WHERE c.verify_code = ? AND c.state = 'issued'", code))
	if errors.Is(err, sql.ErrNoRows) {
		return Certificate{}, apperr.NotFound("volunteer.certificate_not_found")
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("verify certificate: %w", err)
	}
	return Certificate{Number: c.Number, Name: c.Name, Minutes: c.Minutes, Activities: c.Activities, PeriodFrom: c.PeriodFrom,
		PeriodTo: c.PeriodTo, Issuer: c.Issuer, IssuedAt: c.IssuedAt, State: c.State}, nil
}

// ServedActivity is one activity in a certificate.
type ServedActivity struct {
	Day     string
	Title   string
	Kind    string
	Minutes int64
}

// ServedIn lists the activities with credited hours in a period.
func (s *Store) ServedIn(ctx context.Context, volunteerID int64, from, to string) ([]ServedActivity, error) {
	rows, err := s.DB.Query(ctx, `SELECT MIN(h.served_on), COALESCE(x.title, ''), COALESCE(k.name, ''), SUM(h.minutes)
		FROM volunteer_hours h LEFT JOIN volunteer_activity x ON x.id = h.activity_id LEFT JOIN volunteer_activity_type k ON k.code = x.kind
		WHERE h.volunteer_id = ? AND h.served_on >= ? AND h.served_on <= ?
		GROUP BY h.activity_id, x.title, k.name HAVING SUM(h.minutes) <> 0 ORDER BY MIN(h.served_on), h.activity_id`, volunteerID, from, to)
	return db.Collect(rows, err, func(r *sql.Rows) (ServedActivity, error) {
		var x ServedActivity
		return x, r.Scan(&x.Day, &x.Title, &x.Kind, &x.Minutes)
	})
}

// CertificateText is what the PDF says, from the catalogue.
type CertificateText func(key string, args ...any) string

// WritePDF renders an issued certificate as a PDF: the volunteer, the
// hours in the period, the activities, the issuer, the number and the URL
// where anyone can check it.
func (s *Store) WritePDF(ctx context.Context, w io.Writer, c Certificate, verifyURL string, t CertificateText) error {
	if c.State != CertIssued {
		return apperr.Conflict("volunteer.certificate_not_issued")
	}
	acts, err := s.ServedIn(ctx, c.VolunteerID, c.PeriodFrom, c.PeriodTo)
	if err != nil {
		return err
	}
	tab := pdfdoc.Table{Header: []string{t("volunteer.pdf.col_day"), t("volunteer.pdf.col_activity"), t("volunteer.pdf.col_kind"),
		t("volunteer.pdf.col_hours")}, Widths: []float64{30, 80, 26, 22}}
	for _, x := range acts {
		title := x.Title
		if title == "" {
			title = t("volunteer.pdf.imported")
		}
		tab.Rows = append(tab.Rows, []string{x.Day, title, x.Kind, Hours(x.Minutes)})
	}
	issued := c.IssuedAt.In(Loc())
	n := pdfdoc.Notice{
		Issuer: c.Issuer,
		Title:  t("volunteer.pdf.title"),
		Number: c.Number,
		Date:   fmt.Sprintf("%d年%d月%d日", issued.Year(), issued.Month(), issued.Day()),
		Sections: []pdfdoc.Section{
			{Paragraphs: []string{t("volunteer.pdf.body", c.Name, c.IDMasked, c.PeriodFrom, c.PeriodTo, c.Activities, c.HoursText())}},
			{Heading: t("volunteer.pdf.activities"), Tables: []pdfdoc.Table{tab}},
			{Paragraphs: []string{t("volunteer.pdf.truthful")}},
		},
		Footer: t("volunteer.pdf.verify", verifyURL, c.VerifyCode),
	}
	if code, err := qr.Encode(verifyURL, qr.M); err == nil {
		n.Image, n.ImageMM = code.PNG(), 28
	}
	return pdfdoc.Render(w, n)
}
