package robot

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/outbox"
	"github.com/wenming-civic/wenming/internal/pii"
)

// Store keeps the robots and webhooks and publishes events to them.
type Store struct {
	DB *db.DB
	// Key seals endpoints and secrets; nil: robots and webhooks cannot be
	// saved (the form says the data key is needed) and nothing is sent.
	Key   *pii.Key
	Guard Guard
	// BaseURL is the public address links in messages start with.
	BaseURL string
	Now     func() time.Time
	// T writes the messages' fixed words (the digest, "查看详情").
	T func(key string, args ...any) string
	// Digest reads what a robot's daily digest lists (nil: no digests).
	Digest DigestSource
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// The seal purposes, so that a sealed value copied between columns does
// not open.
const (
	sealEndpoint      = "robot.endpoint"
	sealSecret        = "robot.secret"
	sealWebhookURL    = "webhook.url"
	sealWebhookSecret = "webhook.secret"
)

// RobotInput is a robot as the office configures it. Endpoint and Secret
// are write-only: on an update, empty ones keep the saved values.
type RobotInput struct {
	Name       string
	Platform   string
	UnitID     int64  // a unit's robot
	RegionCode string // or a region's (a street, the office's jurisdiction)
	Endpoint   string // the webhook address the platform shows, or its key / token
	Secret     string // DingTalk's and Feishu's signing secret
	Events     []string
	DigestAt   string // HH:MM; "" none
	Enabled    bool
}

var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// MayConfigure reports whether the actor may configure robots at all:
// administrators, and offices in their jurisdiction.
func MayConfigure(a access.Actor) bool {
	return a.IsAdmin() || (a.Has(access.RoleOffice) && a.Region != "")
}

// scopeOf checks the robot's place and returns the region it lies in.
func (s *Store) scopeOf(ctx context.Context, a access.Actor, in RobotInput) (string, error) {
	if !MayConfigure(a) {
		return "", apperr.Forbidden("robot.forbidden")
	}
	if in.UnitID != 0 {
		_, region, ok, err := org.UnitKindRegion(ctx, s.DB, in.UnitID)
		if err != nil {
			return "", fmt.Errorf("robot unit: %w", err)
		}
		if !ok {
			return "", apperr.Invalid("robot.unit_unknown")
		}
		if !a.Manages(region) {
			return "", apperr.Forbidden("robot.out_of_scope")
		}
		return region, nil
	}
	code := strings.TrimSpace(in.RegionCode)
	if code == "" {
		return "", apperr.Invalid("robot.scope_required")
	}
	if !a.Manages(code) {
		return "", apperr.Forbidden("robot.out_of_scope")
	}
	return code, nil
}

func checkEvents(events, allowed []string) ([]string, error) {
	var out []string
	for _, e := range events {
		if !slices.Contains(allowed, e) {
			return nil, apperr.Invalid("robot.event_unknown", e)
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, apperr.Invalid("robot.events_required")
	}
	return out, nil
}

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return "", apperr.Invalid("robot.name_required")
	}
	return name, nil
}

// joinEvents stores event types as ",a,b," so one LIKE finds a subscriber.
func joinEvents(es []string) string { return "," + strings.Join(es, ",") + "," }

func splitEvents(s string) []string {
	return slices.DeleteFunc(strings.Split(s, ","), func(x string) bool { return x == "" })
}

// sealEndpointOf checks and seals a robot's endpoint and secret.
func (s *Store) sealEndpointOf(ctx context.Context, platform, endpoint, secret string) (sealedURL, sealedSecret, hint string, err error) {
	if s.Key == nil {
		return "", "", "", apperr.Invalid("robot.no_data_key")
	}
	secret = strings.TrimSpace(secret)
	url, hint, official, err := endpointOf(platform, endpoint, secret)
	if err != nil {
		return "", "", "", err
	}
	if _, err := s.Guard.CheckURL(ctx, url, official); err != nil {
		return "", "", "", err
	}
	if sealedURL, err = s.Key.Seal(sealEndpoint, url); err != nil {
		return "", "", "", fmt.Errorf("seal robot endpoint: %w", err)
	}
	if secret != "" && platform != WeCom {
		if sealedSecret, err = s.Key.Seal(sealSecret, secret); err != nil {
			return "", "", "", fmt.Errorf("seal robot secret: %w", err)
		}
	}
	return sealedURL, sealedSecret, hint, nil
}

// CreateRobot saves a new robot.
func (s *Store) CreateRobot(ctx context.Context, a access.Actor, in RobotInput) (int64, error) {
	region, err := s.scopeOf(ctx, a, in)
	if err != nil {
		return 0, err
	}
	name, err := checkName(in.Name)
	if err != nil {
		return 0, err
	}
	events, err := checkEvents(in.Events, EventTypes())
	if err != nil {
		return 0, err
	}
	if in.DigestAt != "" && !hhmm.MatchString(in.DigestAt) {
		return 0, apperr.Invalid("robot.digest_at_invalid")
	}
	if slices.Contains(events, DailyDigest) && in.DigestAt == "" {
		in.DigestAt = "08:30"
	}
	endpoint, secret, hint, err := s.sealEndpointOf(ctx, in.Platform, in.Endpoint, in.Secret)
	if err != nil {
		return 0, err
	}
	now := db.Millis(s.now())
	var id int64
	err = s.DB.ExecReturning(ctx, `INSERT INTO robot (name, platform, unit_id, region_code, endpoint, secret, hint, events, digest_at,
		enabled, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?) RETURNING id`,
		name, in.Platform, db.NullID(in.UnitID), region, endpoint, secret, hint, joinEvents(events), in.DigestAt,
		db.NullID(a.UserID), now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("save robot: %w", err)
	}
	return id, nil
}

// UpdateRobot changes a robot's name, events, digest time and whether it
// is on; a new endpoint or secret replaces the saved one only when given.
func (s *Store) UpdateRobot(ctx context.Context, a access.Actor, id int64, in RobotInput) error {
	r, err := s.Robot(ctx, a, id)
	if err != nil {
		return err
	}
	name, err := checkName(in.Name)
	if err != nil {
		return err
	}
	events, err := checkEvents(in.Events, EventTypes())
	if err != nil {
		return err
	}
	if in.DigestAt != "" && !hhmm.MatchString(in.DigestAt) {
		return apperr.Invalid("robot.digest_at_invalid")
	}
	sets := []string{"name = ?", "events = ?", "digest_at = ?", "enabled = ?", "updated_at = ?"}
	args := []any{name, joinEvents(events), in.DigestAt, in.Enabled, db.Millis(s.now())}
	if strings.TrimSpace(in.Endpoint) != "" {
		endpoint, secret, hint, err := s.sealEndpointOf(ctx, r.Platform, in.Endpoint, in.Secret)
		if err != nil {
			return err
		}
		sets = append(sets, "endpoint = ?", "secret = ?", "hint = ?")
		args = append(args, endpoint, secret, hint)
	} else if strings.TrimSpace(in.Secret) != "" {
		return apperr.Invalid("robot.secret_needs_endpoint")
	}
	args = append(args, id)
	if _, err := s.DB.Exec(ctx, "UPDATE robot SET "+strings.Join(sets, ", ")+" WHERE id = ?", args...); err != nil {
		return fmt.Errorf("update robot: %w", err)
	}
	return nil
}

// DeleteRobot removes a robot; what was waiting for it is given up.
func (s *Store) DeleteRobot(ctx context.Context, a access.Actor, id int64) error {
	if _, err := s.Robot(ctx, a, id); err != nil {
		return err
	}
	if _, err := s.DB.Exec(ctx, "DELETE FROM robot WHERE id = ?", id); err != nil {
		return fmt.Errorf("delete robot: %w", err)
	}
	return nil
}

const robotColumns = `id, name, platform, COALESCE(unit_id, 0), region_code, hint, secret <> '', events, digest_at, enabled, created_at`

func scanRobot(rows interface{ Scan(...any) error }) (Robot, error) {
	var r Robot
	var events string
	var created int64
	err := rows.Scan(&r.ID, &r.Name, &r.Platform, &r.UnitID, &r.RegionCode, &r.Hint, &r.HasSecret, &events, &r.DigestAt, &r.Enabled, &created)
	r.Events, r.CreatedAt = splitEvents(events), db.FromMillis(created)
	return r, err
}

// mayManageRobot reports whether the actor may see and change r.
func mayManageRobot(a access.Actor, r Robot) bool {
	return MayConfigure(a) && a.Manages(r.RegionCode)
}

// Robot returns one robot the actor may manage.
func (s *Store) Robot(ctx context.Context, a access.Actor, id int64) (Robot, error) {
	r, err := scanRobot(s.DB.QueryRow(ctx, "SELECT "+robotColumns+" FROM robot WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !mayManageRobot(a, r)) {
		return Robot{}, apperr.NotFound("robot.not_found")
	}
	if err != nil {
		return Robot{}, fmt.Errorf("read robot: %w", err)
	}
	if err := s.unitNames(ctx, []*Robot{&r}); err != nil {
		return Robot{}, err
	}
	return r, nil
}

// Robots lists the robots the actor may manage: an office's in its
// jurisdiction, an administrator's all.
func (s *Store) Robots(ctx context.Context, a access.Actor) ([]Robot, error) {
	if !MayConfigure(a) {
		return nil, apperr.Forbidden("robot.forbidden")
	}
	q, args := "SELECT "+robotColumns+" FROM robot", []any{}
	if !a.IsAdmin() {
		q, args = q+" WHERE region_code LIKE ?", append(args, a.Region+"%")
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY region_code, id", args...)
	list, err := db.Collect(rows, err, func(rows *sql.Rows) (Robot, error) { return scanRobot(rows) })
	if err != nil {
		return nil, fmt.Errorf("list robots: %w", err)
	}
	ptrs := make([]*Robot, len(list))
	for i := range list {
		ptrs[i] = &list[i]
	}
	return list, s.unitNames(ctx, ptrs)
}

func (s *Store) unitNames(ctx context.Context, rs []*Robot) error {
	var ids []int64
	for _, r := range rs {
		if r.UnitID != 0 {
			ids = append(ids, r.UnitID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	names, err := org.UnitNames(ctx, s.DB, ids)
	if err != nil {
		return fmt.Errorf("robot units: %w", err)
	}
	for _, r := range rs {
		r.UnitName = names[r.UnitID]
	}
	return nil
}

// RobotLog returns a robot's latest deliveries.
func (s *Store) RobotLog(ctx context.Context, a access.Actor, id int64, limit int) ([]outbox.Logged, error) {
	if _, err := s.Robot(ctx, a, id); err != nil {
		return nil, err
	}
	return outbox.DeliveryLog(ctx, s.DB, outbox.ChannelRobot, []int64{id}, limit)
}

// WebhookInput is a webhook as the administrator registers it. An empty
// secret is generated, and CreateWebhook returns it to be shown once.
type WebhookInput struct {
	Name   string
	URL    string
	Secret string
	Events []string
}

// CreateWebhook registers a webhook (administrators only) and returns its
// id and its secret, which is shown this once.
func (s *Store) CreateWebhook(ctx context.Context, a access.Actor, in WebhookInput) (int64, string, error) {
	if !a.IsAdmin() {
		return 0, "", apperr.Forbidden("robot.webhook_forbidden")
	}
	name, err := checkName(in.Name)
	if err != nil {
		return 0, "", err
	}
	events, err := checkEvents(in.Events, WebhookEventTypes())
	if err != nil {
		return 0, "", err
	}
	if s.Key == nil {
		return 0, "", apperr.Invalid("robot.no_data_key")
	}
	u, err := s.Guard.CheckURL(ctx, strings.TrimSpace(in.URL), false)
	if err != nil {
		return 0, "", err
	}
	secret := strings.TrimSpace(in.Secret)
	if secret == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return 0, "", fmt.Errorf("webhook secret: %w", err)
		}
		secret = hex.EncodeToString(b)
	} else if len(secret) < 16 || len(secret) > 256 || strings.ContainsAny(secret, " \t\r\n") {
		return 0, "", apperr.Invalid("robot.webhook_secret_invalid")
	}
	sealedURL, err := s.Key.Seal(sealWebhookURL, u.String())
	if err != nil {
		return 0, "", fmt.Errorf("seal webhook url: %w", err)
	}
	sealedSecret, err := s.Key.Seal(sealWebhookSecret, secret)
	if err != nil {
		return 0, "", fmt.Errorf("seal webhook secret: %w", err)
	}
	var id int64
	err = s.DB.ExecReturning(ctx, `INSERT INTO webhook (name, url, secret, hint, events, enabled, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, TRUE, ?, ?) RETURNING id`, name, sealedURL, sealedSecret, u.Scheme+"://"+u.Host,
		joinEvents(events), db.NullID(a.UserID), db.Millis(s.now())).Scan(&id)
	if err != nil {
		return 0, "", fmt.Errorf("save webhook: %w", err)
	}
	return id, secret, nil
}

// SetWebhookEnabled turns a webhook on or off.
func (s *Store) SetWebhookEnabled(ctx context.Context, a access.Actor, id int64, on bool) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("robot.webhook_forbidden")
	}
	res, err := s.DB.Exec(ctx, "UPDATE webhook SET enabled = ? WHERE id = ?", on, id)
	if err != nil {
		return fmt.Errorf("update webhook: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound("robot.webhook_not_found")
	}
	return nil
}

// DeleteWebhook removes a webhook; what was waiting for it is given up.
func (s *Store) DeleteWebhook(ctx context.Context, a access.Actor, id int64) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("robot.webhook_forbidden")
	}
	res, err := s.DB.Exec(ctx, "DELETE FROM webhook WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound("robot.webhook_not_found")
	}
	return nil
}

// Webhooks lists the webhooks (administrators only).
func (s *Store) Webhooks(ctx context.Context, a access.Actor) ([]Webhook, error) {
	if !a.IsAdmin() {
		return nil, apperr.Forbidden("robot.webhook_forbidden")
	}
	rows, err := s.DB.Query(ctx, "SELECT id, name, hint, events, enabled, created_at FROM webhook ORDER BY id")
	list, err := db.Collect(rows, err, func(rows *sql.Rows) (Webhook, error) {
		var w Webhook
		var events string
		var created int64
		err := rows.Scan(&w.ID, &w.Name, &w.Hint, &events, &w.Enabled, &created)
		w.Events, w.CreatedAt = splitEvents(events), db.FromMillis(created)
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return list, nil
}

// WebhookLog returns the latest deliveries of the webhooks (one when id
// is set), for the administrator's delivery log.
func (s *Store) WebhookLog(ctx context.Context, a access.Actor, id int64, limit int) ([]outbox.Logged, error) {
	if !a.IsAdmin() {
		return nil, apperr.Forbidden("robot.webhook_forbidden")
	}
	var targets []int64
	if id != 0 {
		targets = []int64{id}
	}
	return outbox.DeliveryLog(ctx, s.DB, outbox.ChannelWebhook, targets, limit)
}
