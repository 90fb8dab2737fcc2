package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/session"
)

// User is a person who signs in.
type User struct {
	ID                 int64
	Username           string
	Phone              string
	DisplayName        string
	UnitID             int64
	UnitName           string
	UnitRegion         string
	Roles              []access.Role
	MustChangePassword bool
	Disabled           bool
	CreatedAt          time.Time
	LastLoginAt        time.Time
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{2,31}$`)

const userColumns = `a.id, a.username, COALESCE(a.phone, ''), a.display_name, a.unit_id, u.name, COALESCE(u.region_code, ''),
	a.must_change_password, a.disabled, a.created_at, a.last_login_at`

const userFrom = ` FROM app_user a JOIN unit u ON u.id = a.unit_id`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var x User
	var created int64
	var last sql.NullInt64
	err := sc.Scan(&x.ID, &x.Username, &x.Phone, &x.DisplayName, &x.UnitID, &x.UnitName, &x.UnitRegion,
		&x.MustChangePassword, &x.Disabled, &created, &last)
	x.CreatedAt, x.LastLoginAt = db.FromMillis(created), db.FromNullMillis(last)
	return x, err
}

// userScope limits users to those the actor may see: administrators all,
// office and leaders the users of units in their scope, handlers the users
// of their own unit, and everyone themselves.
func userScope(a access.Actor) (string, []any) {
	if a.IsAdmin() {
		return "1 = 1", nil
	}
	if a.HasAny(access.RoleOffice, access.RoleLeader) {
		unitWhere, args := scopeFilter(a)
		return "(a.id = ? OR " + unitWhere + ")", append([]any{a.UserID}, args...)
	}
	if a.Has(access.RoleHandler) {
		return "(a.id = ? OR a.unit_id = ?)", []any{a.UserID, a.UnitID}
	}
	return "a.id = ?", []any{a.UserID}
}

// UserFilter narrows a user listing.
type UserFilter struct {
	Query  string // user name, display name or phone contains
	UnitID int64
	Role   access.Role
	Offset int
	Limit  int
}

// ListUsers returns the users the actor may see that match f, with roles.
func (s *Store) ListUsers(ctx context.Context, a access.Actor, f UserFilter) ([]User, int, error) {
	if !a.SignedIn() {
		return nil, 0, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	where, args := userScope(a)
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		where += ` AND (LOWER(a.username) LIKE ? ESCAPE '\' OR a.display_name LIKE ? ESCAPE '\' OR a.phone LIKE ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	if f.UnitID != 0 {
		where += " AND a.unit_id = ?"
		args = append(args, f.UnitID)
	}
	if f.Role != "" {
		where += " AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = a.id AND r.role = ?)"
		args = append(args, string(f.Role))
	}
	var total int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*)"+userFrom+" WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	rows, err := s.DB.Query(ctx, "SELECT "+userColumns+userFrom+" WHERE "+where+" ORDER BY a.username LIMIT ? OFFSET ?",
		append(args, clampLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		x, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan user: %w", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	if err := s.loadRoles(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func (s *Store) loadRoles(ctx context.Context, users []User) error {
	if len(users) == 0 {
		return nil
	}
	index := make(map[int64]int, len(users))
	ids := make([]any, len(users))
	for i, x := range users {
		index[x.ID] = i
		ids[i] = x.ID
	}
	rows, err := s.DB.Query(ctx, "SELECT user_id, role FROM user_role WHERE user_id IN ("+db.Placeholders(len(ids))+")", ids...)
	if err != nil {
		return fmt.Errorf("load roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r access.Role
		if err := rows.Scan(&id, &r); err != nil {
			return fmt.Errorf("load roles: %w", err)
		}
		users[index[id]].Roles = append(users[index[id]].Roles, r)
	}
	for i := range users {
		sortRoles(users[i].Roles)
	}
	return rows.Err()
}

func sortRoles(rs []access.Role) {
	order := access.AllRoles()
	slices.SortFunc(rs, func(a, b access.Role) int { return slices.Index(order, a) - slices.Index(order, b) })
}

// GetUser returns one user the actor may see.
func (s *Store) GetUser(ctx context.Context, a access.Actor, id int64) (User, error) {
	if !a.SignedIn() {
		return User{}, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	where, args := userScope(a)
	x, err := scanUser(s.DB.QueryRow(ctx, "SELECT "+userColumns+userFrom+" WHERE a.id = ? AND "+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.NotFound("org.user_not_found")
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	users := []User{x}
	if err := s.loadRoles(ctx, users); err != nil {
		return User{}, err
	}
	return users[0], nil
}

// UserInput is what a person enters for a user.
type UserInput struct {
	Username    string
	Phone       string
	DisplayName string
	UnitID      int64
	Roles       []access.Role
	Disabled    bool
	// Password is optional on create: empty means generate one that must be
	// changed at first sign-in.
	Password string
}

func (in *UserInput) normalize() {
	in.Username = strings.TrimSpace(in.Username)
	in.Phone = strings.TrimSpace(in.Phone)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	slices.Sort(in.Roles)
	in.Roles = slices.Compact(in.Roles)
}

// checkUserWrite decides whether the actor may give a user this unit and
// these roles, and whether it may touch the user as they are now.
func (s *Store) checkUserWrite(ctx context.Context, c db.Conn, a access.Actor, in UserInput, current *User) error {
	switch {
	case !usernamePattern.MatchString(in.Username):
		return apperr.Invalid("org.username_invalid")
	case in.Phone != "" && !phonePattern.MatchString(in.Phone):
		return apperr.Invalid("org.phone_invalid")
	case in.DisplayName == "" || len([]rune(in.DisplayName)) > 50:
		return apperr.Invalid("org.display_name_invalid")
	case len(in.Roles) == 0:
		return apperr.Invalid("org.roles_required")
	}
	for _, r := range in.Roles {
		if !r.Valid() {
			return apperr.Invalid("org.role_invalid", string(r))
		}
		if r == access.RoleAdmin && !a.IsAdmin() {
			return apperr.Forbidden("org.grant_admin_forbidden")
		}
	}
	unit, err := s.unitByID(ctx, c, in.UnitID)
	if err != nil {
		return apperr.Invalid("org.unit_required")
	}
	if !canManageUnit(a, unit.RegionCode) {
		return apperr.Forbidden("org.user_outside_scope")
	}
	if current != nil {
		if slices.Contains(current.Roles, access.RoleAdmin) && !a.IsAdmin() {
			return apperr.Forbidden("org.user_outside_scope")
		}
		if !canManageUnit(a, current.UnitRegion) {
			return apperr.Forbidden("org.user_outside_scope")
		}
		if current.ID == a.UserID && a.IsAdmin() && (!slices.Contains(in.Roles, access.RoleAdmin) || in.Disabled) {
			// An administrator cannot lock themselves out by mistake.
			return apperr.Invalid("org.cannot_demote_self")
		}
	}
	return nil
}

// CanEditUser reports whether the actor may change user u (never itself:
// its own account is changed on the password page), for pages that offer
// the form only to those who may use it.
func CanEditUser(a access.Actor, u User) bool { return a.Manages(u.UnitRegion) && u.ID != a.UserID }

// EditUser returns a user to edit (id 0: none, for a new one) to someone
// who may change it.
func (s *Store) EditUser(ctx context.Context, a access.Actor, id int64) (User, error) {
	if id == 0 {
		if !CanCreate(a) {
			return User{}, apperr.Forbidden("error.forbidden")
		}
		return User{}, nil
	}
	u, err := s.GetUser(ctx, a, id)
	if err != nil {
		return User{}, err
	}
	if !a.Manages(u.UnitRegion) {
		return User{}, apperr.Forbidden("org.user_outside_scope")
	}
	return u, nil
}

// CreateUser adds a user. When in.Password is empty a password is
// generated, returned once, and must be changed at first sign-in.
func (s *Store) CreateUser(ctx context.Context, a access.Actor, in UserInput) (User, string, error) {
	in.normalize()
	generated := ""
	if in.Password == "" {
		pw, err := password.Generate()
		if err != nil {
			return User{}, "", err
		}
		in.Password, generated = pw, pw
	} else if key := password.CheckPolicy(in.Password); key != "" {
		return User{}, "", apperr.Invalid(key)
	}
	hash, err := password.Hash(in.Password, s.Hasher)
	if err != nil {
		return User{}, "", err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := s.checkUserWrite(ctx, tx, a, in, nil); err != nil {
			return err
		}
		now := db.Millis(s.Now())
		err := tx.QueryRow(ctx, `INSERT INTO app_user (username, phone, display_name, unit_id, password_hash,
			must_change_password, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Username, nullString(in.Phone), in.DisplayName, in.UnitID, hash, generated != "", in.Disabled, now, now).Scan(&id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("org.user_taken")
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		return writeRoles(ctx, tx, id, in.Roles)
	})
	if err != nil {
		return User{}, "", err
	}
	u, err := s.GetUser(ctx, a, id)
	return u, generated, err
}

func writeRoles(ctx context.Context, tx *db.Tx, userID int64, roles []access.Role) error {
	if _, err := tx.Exec(ctx, "DELETE FROM user_role WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("clear roles: %w", err)
	}
	for _, r := range roles {
		if _, err := tx.Exec(ctx, "INSERT INTO user_role (user_id, role) VALUES (?, ?)", userID, string(r)); err != nil {
			return fmt.Errorf("add role: %w", err)
		}
	}
	return changed(ctx, tx) // every user write ends here
}

// UpdateUser changes a user's details, unit, roles and disabled flag. A
// disabled user's sessions end.
func (s *Store) UpdateUser(ctx context.Context, a access.Actor, id int64, in UserInput) (User, error) {
	in.normalize()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := s.userForWrite(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.checkUserWrite(ctx, tx, a, in, &cur); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE app_user SET username = ?, phone = ?, display_name = ?, unit_id = ?, disabled = ?,
			updated_at = ? WHERE id = ?`, in.Username, nullString(in.Phone), in.DisplayName, in.UnitID, in.Disabled,
			db.Millis(s.Now()), id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("org.user_taken")
		}
		if err != nil {
			return fmt.Errorf("update user %d: %w", id, err)
		}
		if in.Disabled {
			if err := session.EndAllOf(ctx, tx, id, ""); err != nil {
				return err
			}
		}
		return writeRoles(ctx, tx, id, in.Roles)
	})
	if err != nil {
		return User{}, err
	}
	return s.GetUser(ctx, a, id)
}

// userForWrite reads a user with roles without a scope check.
func (s *Store) userForWrite(ctx context.Context, c db.Conn, id int64) (User, error) {
	x, err := scanUser(c.QueryRow(ctx, "SELECT "+userColumns+userFrom+" WHERE a.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.NotFound("org.user_not_found")
	}
	if err != nil {
		return User{}, fmt.Errorf("read user %d: %w", id, err)
	}
	rows, err := c.Query(ctx, "SELECT role FROM user_role WHERE user_id = ?", id)
	if err != nil {
		return User{}, fmt.Errorf("read roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r access.Role
		if err := rows.Scan(&r); err != nil {
			return User{}, fmt.Errorf("read roles: %w", err)
		}
		x.Roles = append(x.Roles, r)
	}
	return x, rows.Err()
}

// ResetPassword gives a user a new generated password that must be changed
// at the next sign-in, ends the user's sessions and returns the password.
func (s *Store) ResetPassword(ctx context.Context, a access.Actor, id int64) (string, error) {
	pw, err := password.Generate()
	if err != nil {
		return "", err
	}
	hash, err := password.Hash(pw, s.Hasher)
	if err != nil {
		return "", err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := s.userForWrite(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canManageUnit(a, cur.UnitRegion) || (slices.Contains(cur.Roles, access.RoleAdmin) && !a.IsAdmin()) {
			return apperr.Forbidden("org.user_outside_scope")
		}
		return setPassword(ctx, tx, id, hash, true, s.Now())
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}

func setPassword(ctx context.Context, tx *db.Tx, id int64, hash string, mustChange bool, now time.Time) error {
	if _, err := tx.Exec(ctx, "UPDATE app_user SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?",
		hash, mustChange, db.Millis(now), id); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := session.EndAllOf(ctx, tx, id, ""); err != nil {
		return err
	}
	return changed(ctx, tx) // whether the password must be changed is part of the actor
}

// ChangeOwnPassword lets a signed-in user replace their password after
// proving the current one. Other sessions of the user end; keepSession, the
// hash of the session making the change, stays.
func (s *Store) ChangeOwnPassword(ctx context.Context, a access.Actor, current, next, keepSession string) error {
	if !a.SignedIn() {
		return apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	if key := password.CheckPolicy(next); key != "" {
		return apperr.Invalid(key)
	}
	if current == next {
		return apperr.Invalid("password.same_as_old")
	}
	var stored string
	if err := s.DB.QueryRow(ctx, "SELECT password_hash FROM app_user WHERE id = ?", a.UserID).Scan(&stored); err != nil {
		return fmt.Errorf("read password: %w", err)
	}
	if ok, err := password.Verify(current, stored); err != nil || !ok {
		return apperr.Invalid("password.current_wrong")
	}
	hash, err := password.Hash(next, s.Hasher)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE app_user SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?",
			hash, false, db.Millis(s.Now()), a.UserID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if err := session.EndAllOf(ctx, tx, a.UserID, keepSession); err != nil {
			return err
		}
		return changed(ctx, tx)
	})
}

// SetPasswordByName sets a user's password from the command line (no actor:
// whoever runs the binary owns the database).
func (s *Store) SetPasswordByName(ctx context.Context, username, pw string, mustChange bool) error {
	if key := password.CheckPolicy(pw); key != "" {
		return apperr.Invalid(key)
	}
	hash, err := password.Hash(pw, s.Hasher)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, "SELECT id FROM app_user WHERE username = ?", username).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("org.user_not_found")
		}
		if err != nil {
			return fmt.Errorf("find user: %w", err)
		}
		return setPassword(ctx, tx, id, hash, mustChange, s.Now())
	})
}

// Credentials is what sign-in needs to know about an account.
type Credentials struct {
	UserID             int64
	PasswordHash       string
	Disabled           bool
	MustChangePassword bool
}

// FindCredentials looks an account up by user name or phone number.
func (s *Store) FindCredentials(ctx context.Context, login string) (Credentials, error) {
	var c Credentials
	err := s.DB.QueryRow(ctx, `SELECT id, password_hash, disabled, must_change_password FROM app_user
		WHERE username = ? OR phone = ? ORDER BY id LIMIT 1`, login, login).
		Scan(&c.UserID, &c.PasswordHash, &c.Disabled, &c.MustChangePassword)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("find credentials: %w", err)
	}
	return c, nil
}

// RecordLogin notes a successful sign-in.
func (s *Store) RecordLogin(ctx context.Context, userID int64) error {
	_, err := s.DB.Exec(ctx, "UPDATE app_user SET last_login_at = ? WHERE id = ?", db.Millis(s.Now()), userID)
	if err != nil {
		return fmt.Errorf("record login: %w", err)
	}
	return nil
}

// Actor builds the acting identity of a user: roles, unit path, the units
// below its unit and jurisdiction. A disabled user has no actor.
func (s *Store) Actor(ctx context.Context, userID int64) (access.Actor, bool, error) {
	if s.actors == nil {
		return s.loadActor(ctx, userID)
	}
	gen, err := generation(ctx, s.DB)
	if err != nil {
		return access.Actor{}, false, err
	}
	return s.ActorAt(ctx, gen, userID)
}

// ActorAt is Actor for the generation the request has read already
// (Generation), so that a request that also checks its token reads it once.
func (s *Store) ActorAt(ctx context.Context, gen string, userID int64) (access.Actor, bool, error) {
	if s.actors == nil {
		return s.loadActor(ctx, userID)
	}
	if x, ok := s.actors.Get(gen, userID); ok {
		return x.actor, x.mustChange, nil
	}
	a, mustChange, err := s.loadActor(ctx, userID)
	if err != nil {
		return a, mustChange, err
	}
	s.actors.Put(gen, userID, cachedActor{actor: a, mustChange: mustChange})
	return a, mustChange, nil
}

// loadActor reads what Actor returns from the tables.
func (s *Store) loadActor(ctx context.Context, userID int64) (access.Actor, bool, error) {
	var a access.Actor
	var disabled, mustChange bool
	err := s.DB.QueryRow(ctx, `SELECT a.id, a.username, a.unit_id, COALESCE(u.region_code, ''), a.disabled, a.must_change_password
		FROM app_user a JOIN unit u ON u.id = a.unit_id WHERE a.id = ?`, userID).
		Scan(&a.UserID, &a.Username, &a.UnitID, &a.Region, &disabled, &mustChange)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Actor{}, false, apperr.ErrNotFound
	}
	if err != nil {
		return access.Actor{}, false, fmt.Errorf("load actor %d: %w", userID, err)
	}
	if disabled {
		return access.Actor{}, false, apperr.ErrNotFound
	}
	rows, err := s.DB.Query(ctx, "SELECT role FROM user_role WHERE user_id = ?", userID)
	if err != nil {
		return access.Actor{}, false, fmt.Errorf("load roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r access.Role
		if err := rows.Scan(&r); err != nil {
			return access.Actor{}, false, fmt.Errorf("load roles: %w", err)
		}
		a.Roles = append(a.Roles, r)
	}
	if err := rows.Err(); err != nil {
		return access.Actor{}, false, fmt.Errorf("load roles: %w", err)
	}
	sortRoles(a.Roles)
	if a.UnitPath, err = s.UnitPath(ctx, a.UnitID); err != nil {
		return access.Actor{}, false, err
	}
	// Loaded once per request with the actor, so scope checks of a page
	// ask the database nothing more.
	if a.SubUnits, err = s.SubUnits(ctx, a.UnitID); err != nil {
		return access.Actor{}, false, err
	}
	return a, mustChange, nil
}
