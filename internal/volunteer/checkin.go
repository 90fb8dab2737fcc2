package volunteer

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
)

// Check-in modes.
const (
	ModeIn  = "in"
	ModeOut = "out"
)

// Code is what the organiser's phone shows: a token for the current
// period, signed with the activity's own key.
type Code struct {
	Token     string
	Mode      string
	ExpiresAt time.Time     // when the next code replaces it (it is still taken one period more)
	ExpiresIn time.Duration // ExpiresAt from now, on the store's clock
}

// tokenMAC signs activity, period and mode under the activity's key.
func tokenMAC(key []byte, activity, period int64, mode string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "wenming checkin v1|%d|%d|%s", activity, period, mode)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

func (s *Store) period(t time.Time) int64 { return t.UnixMilli() / s.codeEvery().Milliseconds() }

// CurrentCode is the activity's check-in (or check-out) code now, for its
// organiser's phone.
func (s *Store) CurrentCode(ctx context.Context, a access.Actor, activityID int64, mode string) (Code, error) {
	x, err := s.Activity(ctx, a, activityID)
	if err != nil {
		return Code{}, err
	}
	if !x.CanOrganise(a) {
		return Code{}, apperr.Forbidden("volunteer.not_organiser")
	}
	if mode != ModeOut {
		mode = ModeIn
	}
	now := s.now()
	p := s.period(now)
	tok := strconv.FormatInt(x.ID, 36) + "." + strconv.FormatInt(p, 36) + "." + mode + "." + tokenMAC(x.tokenKey, x.ID, p, mode)
	next := time.UnixMilli((p + 1) * s.codeEvery().Milliseconds())
	return Code{Token: tok, Mode: mode, ExpiresAt: next, ExpiresIn: next.Sub(now)}, nil
}

// ParsedToken is a token's parts before its signature is checked.
type ParsedToken struct {
	Activity int64
	Period   int64
	Mode     string
	MAC      string
}

// ParseToken splits a token; ok is false for anything not of its shape.
func ParseToken(tok string) (ParsedToken, bool) {
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 4 || parts[2] != ModeIn && parts[2] != ModeOut {
		return ParsedToken{}, false
	}
	id, err1 := strconv.ParseInt(parts[0], 36, 64)
	p, err2 := strconv.ParseInt(parts[1], 36, 64)
	if err1 != nil || err2 != nil || id <= 0 || p <= 0 {
		return ParsedToken{}, false
	}
	return ParsedToken{Activity: id, Period: p, Mode: parts[2], MAC: parts[3]}, true
}

// CheckIn is a scan of the organiser's code by a volunteer's own phone,
// with the phone's position.
type CheckIn struct {
	Token       string
	Lng, Lat    float64
	HasPosition bool
	Accuracy    float64 // metres, as the phone reports it (0: unknown)
}

// Checked says what a scan recorded.
type Checked struct {
	Activity Activity
	Mode     string
	At       time.Time
	Distance float64
	Minutes  int64 // after a check-out: check-in to check-out, inside the window
}

// Scan records a check-in or check-out. It is refused, with the reason,
// for a forged or expired code, outside the time window (with the
// configured margin), outside the activity's radius, for an activity the
// volunteer is not on, and twice; nothing is recorded then.
func (s *Store) Scan(ctx context.Context, a access.Actor, in CheckIn) (Checked, error) {
	tok, ok := ParseToken(in.Token)
	if !ok {
		return Checked{}, apperr.Invalid("volunteer.code_forged")
	}
	x, err := s.activity(ctx, s.DB, tok.Activity)
	if errors.Is(err, apperr.ErrNotFound) {
		return Checked{}, apperr.Invalid("volunteer.code_forged")
	}
	if err != nil {
		return Checked{}, err
	}
	if !hmac.Equal([]byte(tok.MAC), []byte(tokenMAC(x.tokenKey, x.ID, tok.Period, tok.Mode))) {
		return Checked{}, apperr.Invalid("volunteer.code_forged")
	}
	now := s.now()
	if p := s.period(now); tok.Period > p || tok.Period < p-1 {
		return Checked{}, apperr.Invalid("volunteer.code_expired", int(s.codeEvery()/time.Second))
	}
	v, err := s.Mine(ctx, a)
	if err != nil {
		return Checked{}, apperr.Forbidden("volunteer.not_registered")
	}
	if x.State != ActivityOpen {
		return Checked{}, apperr.Conflict("volunteer.already_confirmed")
	}
	loc := Loc()
	if now.Before(x.StartsAt.Add(-s.Margin)) || now.After(x.EndsAt.Add(s.Margin)) {
		return Checked{}, apperr.Invalid("volunteer.outside_window", x.StartsAt.Add(-s.Margin).In(loc).Format("01-02 15:04"),
			x.EndsAt.Add(s.Margin).In(loc).Format("01-02 15:04"))
	}
	if !in.HasPosition || math.IsNaN(in.Lng) || math.IsNaN(in.Lat) {
		return Checked{}, apperr.Invalid("volunteer.no_position")
	}
	d := Distance(in.Lng, in.Lat, x.Lng, x.Lat)
	if d > float64(x.RadiusM) {
		return Checked{}, apperr.Invalid("volunteer.too_far", int(math.Round(d)), x.RadiusM)
	}
	out := Checked{Activity: x, Mode: tok.Mode, At: now, Distance: d}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var state string
		var checkin, checkout sql.NullInt64
		err := tx.QueryRow(ctx, "SELECT state, checkin_at, checkout_at FROM volunteer_signup WHERE activity_id = ? AND volunteer_id = ?"+tx.ForUpdate(),
			x.ID, v.ID).Scan(&state, &checkin, &checkout)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && state == SignupCancelled:
			return apperr.Forbidden("volunteer.not_signed_up")
		case err != nil:
			return fmt.Errorf("check in: %w", err)
		case state == SignupWaiting:
			return apperr.Forbidden("volunteer.still_waiting")
		}
		if tok.Mode == ModeIn {
			if checkin.Valid {
				return apperr.Conflict("volunteer.checked_in_twice", db.FromMillis(checkin.Int64).In(loc).Format("15:04"))
			}
			_, err = tx.Exec(ctx, `UPDATE volunteer_signup SET checkin_at = ?, checkin_lng = ?, checkin_lat = ?, checkin_m = ?,
				attendance = CASE WHEN attendance = '' THEN 'attended' ELSE attendance END,
				source = CASE WHEN source = '' THEN 'checkin' ELSE source END
				WHERE activity_id = ? AND volunteer_id = ?`, db.Millis(now), in.Lng, in.Lat, d, x.ID, v.ID)
		} else {
			if !checkin.Valid {
				return apperr.Conflict("volunteer.checkout_first")
			}
			if checkout.Valid {
				return apperr.Conflict("volunteer.checked_out_twice", db.FromMillis(checkout.Int64).In(loc).Format("15:04"))
			}
			_, err = tx.Exec(ctx, "UPDATE volunteer_signup SET checkout_at = ?, checkout_lng = ?, checkout_lat = ? WHERE activity_id = ? AND volunteer_id = ?",
				db.Millis(now), in.Lng, in.Lat, x.ID, v.ID)
			g := Signup{Minutes: -1, CheckinAt: db.FromMillis(checkin.Int64), CheckoutAt: now}
			out.Minutes = g.Worked(x)
		}
		if err != nil {
			return fmt.Errorf("check in: %w", err)
		}
		return nil
	})
	return out, err
}

// Distance is the great-circle distance in metres between two WGS-84
// points.
func Distance(lng1, lat1, lng2, lat2 float64) float64 {
	return geo.DistanceMeters(geo.Point{Lng: lng1, Lat: lat1}, geo.Point{Lng: lng2, Lat: lat2})
}
