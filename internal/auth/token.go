package auth

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
	"github.com/wenming-civic/wenming/internal/org"
)

// tokenPrefix marks wenming API tokens, so that secret scanners find them.
const tokenPrefix = "wmt_"

// Token is an API bearer token as listed to administrators; the secret
// itself is shown once, at creation.
type Token struct {
	ID         int64
	Name       string
	UserID     int64
	Username   string
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// Revoked reports whether the token no longer works.
func (t Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// CreateToken issues a token that acts as the user userID. Only
// administrators may; the plain token is returned once.
func (s *Service) CreateToken(ctx context.Context, a access.Actor, userID int64, name string) (string, Token, error) {
	if !a.IsAdmin() {
		return "", Token{}, apperr.Forbidden("error.forbidden")
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 60 {
		return "", Token{}, apperr.Invalid("auth.token_name_invalid")
	}
	if _, _, err := s.Org.Actor(ctx, userID); err != nil {
		return "", Token{}, apperr.Invalid("auth.token_user_invalid")
	}
	plain, err := randomToken(tokenPrefix)
	if err != nil {
		return "", Token{}, err
	}
	var id int64
	var createdBy any
	if a.UserID > 0 {
		createdBy = a.UserID
	}
	err = s.DB.ExecReturning(ctx, `INSERT INTO api_token (name, user_id, token_hash, token_prefix, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, name, userID, HashToken(plain), plain[:len(tokenPrefix)+6], createdBy,
		db.Millis(s.Now())).Scan(&id)
	if err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	s.Log.Info("api token created", "token_id", id, "user_id", userID, "by", a.UserID)
	toks, err := s.listTokens(ctx, "t.id = ?", id)
	if err != nil || len(toks) != 1 {
		return "", Token{}, fmt.Errorf("read new token: %w", err)
	}
	return plain, toks[0], nil
}

// ListTokens lists every token for administrators.
func (s *Service) ListTokens(ctx context.Context, a access.Actor) ([]Token, error) {
	if !a.IsAdmin() {
		return nil, apperr.Forbidden("error.forbidden")
	}
	return s.listTokens(ctx, "1 = 1")
}

func (s *Service) listTokens(ctx context.Context, where string, args ...any) ([]Token, error) {
	rows, err := s.DB.Query(ctx, `SELECT t.id, t.name, t.user_id, t.token_prefix, t.created_at, t.last_used_at, t.revoked_at
		FROM api_token t WHERE `+where+` ORDER BY t.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var created int64
		var used, revoked sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &t.UserID, &t.Prefix, &created, &used, &revoked); err != nil {
			return nil, fmt.Errorf("scan token: %w", err)
		}
		t.CreatedAt, t.LastUsedAt, t.RevokedAt = db.FromMillis(created), db.FromNullMillis(used), db.FromNullMillis(revoked)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	ids := make([]int64, 0, len(out))
	for _, t := range out {
		ids = append(ids, t.UserID)
	}
	names, err := org.Usernames(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, t := range out {
		if name, ok := names[t.UserID]; ok { // as the former inner join
			t.Username = name
			kept = append(kept, t)
		}
	}
	return kept, nil
}

// RevokeToken stops a token from working; revoking twice is harmless.
func (s *Service) RevokeToken(ctx context.Context, a access.Actor, id int64) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("error.forbidden")
	}
	// The generation counts up with the revocation: every server's token
	// cache drops the token before its next request.
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE api_token SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", db.Millis(s.Now()), id)
		if err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("auth.token_not_found")
		}
		return org.Changed(ctx, tx)
	})
	if err != nil {
		return err
	}
	s.Log.Info("api token revoked", "token_id", id, "by", a.UserID)
	return nil
}

// ErrBadToken is the refusal of a missing, unknown or revoked token.
var ErrBadToken = apperr.New(apperr.KindUnauthorized, "auth.token_invalid")

// AuthenticateToken resolves a bearer token to the actor it acts as. A
// token seen in the organisation's current generation is not read again
// (see tokencache.go): the request reads the generation and nothing else.
func (s *Service) AuthenticateToken(ctx context.Context, plain string) (access.Actor, error) {
	if !strings.HasPrefix(plain, tokenPrefix) {
		return access.Actor{}, ErrBadToken
	}
	gen, err := s.Org.Generation(ctx)
	if err != nil {
		return access.Actor{}, err
	}
	hash := HashToken(plain)
	tok, ok := s.tokens.Get(gen, hash)
	if !ok {
		if tok, err = s.readToken(ctx, hash); err != nil {
			return access.Actor{}, err
		}
	}
	actor, _, err := s.Org.ActorAt(ctx, gen, tok.userID)
	if errors.Is(err, apperr.ErrNotFound) {
		return access.Actor{}, ErrBadToken
	}
	if err != nil {
		return access.Actor{}, err
	}
	now := s.Now()
	if now.Sub(tok.lastUsed) > time.Minute {
		if _, err := s.DB.Exec(ctx, "UPDATE api_token SET last_used_at = ? WHERE id = ?", db.Millis(now), tok.id); err != nil {
			return access.Actor{}, fmt.Errorf("touch token: %w", err)
		}
		tok.lastUsed = now
	}
	s.tokens.Put(gen, hash, tok)
	return actor, nil
}

// readToken reads a live token's row by its hash.
func (s *Service) readToken(ctx context.Context, hash string) (cachedToken, error) {
	var tok cachedToken
	var used, revoked sql.NullInt64
	err := s.DB.QueryRow(ctx, "SELECT id, user_id, last_used_at, revoked_at FROM api_token WHERE token_hash = ?", hash).
		Scan(&tok.id, &tok.userID, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return cachedToken{}, ErrBadToken
	}
	if err != nil {
		return cachedToken{}, fmt.Errorf("read token: %w", err)
	}
	if revoked.Valid {
		s.Log.Warn("revoked api token used", "token_id", tok.id)
		return cachedToken{}, ErrBadToken
	}
	tok.lastUsed = db.FromNullMillis(used)
	return tok, nil
}

// AuthenticateBearer is AuthenticateToken behind the per-address lockout:
// guessing tokens counts as failed sign-ins of the caller's address, and a
// locked address is refused. A valid token does not read the throttle
// table: a token of 256 random bits is not guessed, and integrations send
// one with every request.
func (s *Service) AuthenticateBearer(ctx context.Context, plain, clientAddr string) (access.Actor, error) {
	a, err := s.AuthenticateToken(ctx, plain)
	if !errors.Is(err, ErrBadToken) {
		return a, err
	}
	key := "addr:" + clientAddr
	locked, lerr := s.locked(ctx, key)
	if lerr != nil {
		return access.Actor{}, lerr
	}
	if locked {
		return access.Actor{}, errLocked
	}
	if rerr := s.recordFailure(ctx, key, s.AddrMaxFailures); rerr != nil {
		return access.Actor{}, rerr
	}
	return a, err
}
