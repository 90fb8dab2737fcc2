// Package auth signs people in and out: password checks with throttling and
// temporary lockout, server-side sessions stored in the database, API
// bearer tokens, and the installation secret that signs CSRF tokens.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/wenming-civic/wenming/internal/session"
	"github.com/wenming-civic/wenming/internal/setting"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
)

// Service holds the sign-in rules.
type Service struct {
	DB              *db.DB
	Org             *org.Store
	Log             *slog.Logger
	Now             func() time.Time
	SessionTTL      time.Duration // idle lifetime
	SessionMaxAge   time.Duration // absolute lifetime
	MaxFailures     int           // per account name
	AddrMaxFailures int           // per client address
	Lockout         time.Duration // lockout length, also the counting window
	// decoy is verified against when an account does not exist, so that a
	// wrong user name takes as long as a wrong password. It is hashed on
	// first use, with the parameters the store hashes with by then.
	decoy func() (string, error)
	// tokens keeps the API tokens seen in the current generation.
	tokens *org.GenCache[string, cachedToken]
}

// Options configure a Service.
type Options struct {
	SessionTTL, SessionMaxAge, Lockout time.Duration
	MaxFailures, AddrMaxFailures       int
}

// NewService returns a sign-in service.
func NewService(d *db.DB, o *org.Store, log *slog.Logger, opts Options) (*Service, error) {
	decoy := sync.OnceValues(func() (string, error) {
		return password.Hash("decoy-password-never-used-1", o.Hasher)
	})
	return &Service{
		DB: d, Org: o, Log: log, Now: time.Now,
		SessionTTL: opts.SessionTTL, SessionMaxAge: opts.SessionMaxAge,
		MaxFailures: opts.MaxFailures, AddrMaxFailures: opts.AddrMaxFailures, Lockout: opts.Lockout,
		decoy: decoy, tokens: org.NewGenCache[string, cachedToken](maxCachedTokens),
	}, nil
}

// Errors of sign-in. A wrong user and a wrong password give the same one.
var (
	errBadCredentials = apperr.New(apperr.KindUnauthorized, "auth.bad_credentials")
	errLocked         = apperr.New(apperr.KindTooMany, "auth.locked")
)

// SignInResult is a new session.
type SignInResult struct {
	Token      string // cookie value; only its hash is stored
	UserID     int64
	MustChange bool
}

// SignIn checks a user name or phone number and a password and opens a
// session. Failures are counted per account name and per client address;
// past the limits both are locked for a while, whether the account exists
// or not, so a lockout reveals nothing.
func (s *Service) SignIn(ctx context.Context, login, pw, clientAddr, userAgent string) (SignInResult, error) {
	login = strings.TrimSpace(login)
	acctKey, addrKey := "acct:"+strings.ToLower(login), "addr:"+clientAddr
	if login == "" || pw == "" {
		return SignInResult{}, errBadCredentials
	}
	for _, k := range []string{acctKey, addrKey} {
		locked, err := s.locked(ctx, k)
		if err != nil {
			return SignInResult{}, err
		}
		if locked {
			s.Log.Warn("sign-in refused: locked", "login", loggedLogin(login), "addr", clientAddr)
			return SignInResult{}, errLocked
		}
	}
	cred, err := s.Org.FindCredentials(ctx, login)
	ok := false
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		decoy, err := s.decoy()
		if err != nil {
			return SignInResult{}, err
		}
		password.Verify(pw, decoy) //nolint:errcheck // only spends the same time
	case err != nil:
		return SignInResult{}, err
	default:
		ok, err = password.Verify(pw, cred.PasswordHash)
		if err != nil {
			return SignInResult{}, fmt.Errorf("verify password of user %d: %w", cred.UserID, err)
		}
		ok = ok && !cred.Disabled
	}
	if !ok {
		if err := s.recordFailure(ctx, acctKey, s.MaxFailures); err != nil {
			return SignInResult{}, err
		}
		if err := s.recordFailure(ctx, addrKey, s.AddrMaxFailures); err != nil {
			return SignInResult{}, err
		}
		s.Log.Info("sign-in failed", "login", loggedLogin(login), "addr", clientAddr)
		return SignInResult{}, errBadCredentials
	}
	if _, err := s.DB.Exec(ctx, "DELETE FROM login_throttle WHERE throttle_key = ?", acctKey); err != nil {
		return SignInResult{}, fmt.Errorf("clear throttle: %w", err)
	}
	token, err := s.openSession(ctx, cred.UserID, clientAddr, userAgent)
	if err != nil {
		return SignInResult{}, err
	}
	if err := s.Org.RecordLogin(ctx, cred.UserID); err != nil {
		return SignInResult{}, err
	}
	s.Log.Info("signed in", "user_id", cred.UserID, "addr", clientAddr)
	return SignInResult{Token: token, UserID: cred.UserID, MustChange: cred.MustChangePassword}, nil
}

func (s *Service) locked(ctx context.Context, key string) (bool, error) {
	var until int64
	err := s.DB.QueryRow(ctx, "SELECT locked_until FROM login_throttle WHERE throttle_key = ?", key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read throttle: %w", err)
	}
	return until > db.Millis(s.Now()), nil
}

// recordFailure counts one failure for key inside the current window and
// locks the key when the count reaches limit.
func (s *Service) recordFailure(ctx context.Context, key string, limit int) error {
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var failures int
		var start int64
		err := tx.QueryRow(ctx, "SELECT failures, window_start FROM login_throttle WHERE throttle_key = ?", key).Scan(&failures, &start)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && db.FromMillis(start).Add(s.Lockout).Before(now)) {
			failures, start = 0, db.Millis(now)
		} else if err != nil {
			return fmt.Errorf("read throttle: %w", err)
		}
		failures++
		var lockedUntil int64
		if failures >= limit {
			lockedUntil = db.Millis(now.Add(s.Lockout))
			failures, start = 0, db.Millis(now)
			s.Log.Warn("sign-in locked", "key", loggedLogin(key), "until", db.FromMillis(lockedUntil))
		}
		_, err = tx.Exec(ctx, `INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
			ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
			locked_until = CASE WHEN excluded.locked_until > 0 THEN excluded.locked_until ELSE login_throttle.locked_until END`,
			key, failures, start, lockedUntil)
		if err != nil {
			return fmt.Errorf("write throttle: %w", err)
		}
		return nil
	})
}

// HashToken is the stored form of a session or API token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken(prefix string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func (s *Service) openSession(ctx context.Context, userID int64, addr, agent string) (string, error) {
	token, err := randomToken("")
	if err != nil {
		return "", err
	}
	now := s.Now()
	if len(agent) > 300 {
		agent = agent[:300]
	}
	if err := session.Open(ctx, s.DB, HashToken(token), userID, now, now.Add(s.SessionTTL), addr, agent); err != nil {
		return "", err
	}
	return token, nil
}

// Session is a signed-in request's identity.
type Session struct {
	Actor      access.Actor
	TokenHash  string
	MustChange bool
}

// ErrNoSession means the cookie names no live session.
var ErrNoSession = apperr.New(apperr.KindUnauthorized, "auth.session_expired")

// Authenticate resolves a session cookie. The idle expiry slides forward,
// written at most once a minute so reads stay reads.
func (s *Service) Authenticate(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, ErrNoSession
	}
	h := HashToken(token)
	row, err := session.Get(ctx, s.DB, h)
	if errors.Is(err, session.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	now := s.Now()
	if row.ExpiresAt.Before(now) || row.Created.Add(s.SessionMaxAge).Before(now) {
		if err := session.End(ctx, s.DB, h); err != nil {
			return Session{}, fmt.Errorf("end expired session: %w", err)
		}
		return Session{}, ErrNoSession
	}
	actor, mustChange, err := s.Org.Actor(ctx, row.UserID)
	if errors.Is(err, apperr.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	if now.Sub(row.LastSeen) > time.Minute {
		if err := session.Touch(ctx, s.DB, h, now, now.Add(s.SessionTTL)); err != nil {
			return Session{}, err
		}
	}
	return Session{Actor: actor, TokenHash: h, MustChange: mustChange}, nil
}

// SignOut ends the session of token.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if err := session.End(ctx, s.DB, HashToken(token)); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// PurgeExpired deletes sessions and throttle rows that can no longer matter.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	now := s.Now()
	n, err := session.Purge(ctx, s.DB, now, now.Add(-s.SessionMaxAge))
	if err != nil {
		return 0, err
	}
	if _, err := s.DB.Exec(ctx, "DELETE FROM login_throttle WHERE locked_until < ? AND window_start < ?",
		db.Millis(now), db.Millis(now.Add(-s.Lockout))); err != nil {
		return n, fmt.Errorf("purge throttle: %w", err)
	}
	return n, nil
}

// Secret returns the installation's signing key, creating it on first use.
// It lives in the database so that every server of one installation agrees.
func Secret(ctx context.Context, d *db.DB) ([]byte, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("generate secret: %w", err)
	}
	if _, err := setting.PutIfAbsent(ctx, d, "signing_key", hex.EncodeToString(b[:])); err != nil {
		return nil, fmt.Errorf("store secret: %w", err)
	}
	v, err := setting.Get(ctx, d, "signing_key")
	if err != nil {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("stored signing key is malformed")
	}
	return key, nil
}

// Allow counts one request for key and reports whether it is within limit
// requests per window. It shares the throttle table with sign-in, so
// several servers count together.
func (s *Service) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	now := s.Now()
	allowed := true
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var count int
		var start int64
		err := tx.QueryRow(ctx, "SELECT failures, window_start FROM login_throttle WHERE throttle_key = ?", key).Scan(&count, &start)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && db.FromMillis(start).Add(window).Before(now)) {
			count, start = 0, db.Millis(now)
		} else if err != nil {
			return fmt.Errorf("read rate limit: %w", err)
		}
		if count >= limit {
			allowed = false
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) VALUES (?, ?, ?, 0)
			ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start`,
			key, count+1, start)
		if err != nil {
			return fmt.Errorf("write rate limit: %w", err)
		}
		return nil
	})
	return allowed, err
}

// loggedLogin is a sign-in name as the log may keep it: people sign in with
// their phone number too, and a phone is personal data (PIPL), so any run
// of seven or more digits shows only its ends (138****5678).
func loggedLogin(login string) string {
	return longDigits.ReplaceAllStringFunc(login, org.MaskPhone)
}

var longDigits = regexp.MustCompile(`[0-9]{7,}`)
