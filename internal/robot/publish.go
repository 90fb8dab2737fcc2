package robot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/outbox"
	"github.com/wenming-civic/wenming/internal/pii"
)

// Payload is the JSON body of a webhook delivery. ID is the event's id,
// the same in every delivery and retry of one event, so a receiver drops a
// repeat by it.
type Payload struct {
	ID     string    `json:"id"`
	Type   string    `json:"type"`
	Time   time.Time `json:"time"`
	Object any       `json:"object"`
}

// Publish tells the robots and webhooks subscribed to the event, in the
// caller's transaction c (nil: on its own), so they are told if and only
// if what happened is committed. It only writes outbox rows; the sending
// is the Sender's, so no caller waits for a platform.
func (s *Store) Publish(ctx context.Context, c db.Conn, e Event) error {
	if c == nil {
		c = s.DB
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	id := eventID(e.Key)
	robots, err := s.subscribedRobots(ctx, c, e)
	if err != nil {
		return err
	}
	if err := s.enqueueRobots(ctx, c, robots, e, id); err != nil {
		return err
	}
	if e.Type == DailyDigest {
		return nil
	}
	hooks, err := db.Int64s(ctx, c, "SELECT id FROM webhook WHERE enabled AND "+c.Dialect().Contains("events")+" ORDER BY id",
		","+e.Type+",")
	if err != nil {
		return fmt.Errorf("subscribed webhooks: %w", err)
	}
	if len(hooks) == 0 {
		return nil
	}
	body, err := json.Marshal(Payload{ID: id, Type: e.Type, Time: e.At.UTC().Truncate(time.Millisecond), Object: e.Object})
	if err != nil {
		return fmt.Errorf("webhook payload: %w", err)
	}
	for _, wid := range hooks {
		if err := outbox.Enqueue(ctx, c, outbox.Delivery{Channel: outbox.ChannelWebhook, TargetID: wid, Kind: e.Type, EventID: id,
			Body: string(body), DedupeKey: dedupe("wh", wid, e.Key), At: e.At}); err != nil {
			return err
		}
	}
	return nil
}

// Subscribed reports whether any enabled robot or webhook takes events of
// the type, so that a listener builds no message nobody is sent: most
// dispatches in a city without robots for them.
func (s *Store) Subscribed(ctx context.Context, c db.Conn, eventType string) (bool, error) {
	if c == nil {
		c = s.DB
	}
	has := c.Dialect().Contains("events")
	var any bool
	err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM robot WHERE enabled AND "+has+") OR EXISTS (SELECT 1 FROM webhook WHERE enabled AND "+
		has+")", ","+eventType+",", ","+eventType+",").Scan(&any)
	if err != nil {
		return false, fmt.Errorf("subscribed to %s: %w", eventType, err)
	}
	return any, nil
}

// enqueueRobots queues the event's message for each of the robots.
func (s *Store) enqueueRobots(ctx context.Context, c db.Conn, robots []int64, e Event, id string) error {
	if len(robots) == 0 {
		return nil
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	msg := message{Title: maskText(e.Title), Markdown: maskText(e.Markdown), URL: s.absolute(e.URL)}
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("robot message: %w", err)
	}
	for _, rid := range robots {
		if err := outbox.Enqueue(ctx, c, outbox.Delivery{Channel: outbox.ChannelRobot, TargetID: rid, Kind: e.Type, EventID: id,
			Body: string(body), DedupeKey: dedupe("rb", rid, e.Key), At: e.At}); err != nil {
			return err
		}
	}
	return nil
}

// subscribedRobots finds the enabled robots that receive the event: a
// unit's robot for its unit's events, a region's for the events inside
// the region (and, for an event concerning a whole region, inside it).
func (s *Store) subscribedRobots(ctx context.Context, c db.Conn, e Event) ([]int64, error) {
	rows, err := c.Query(ctx, "SELECT id, COALESCE(unit_id, 0), region_code FROM robot WHERE enabled AND "+
		c.Dialect().Contains("events")+" ORDER BY id", ","+e.Type+",")
	type cand struct {
		id, unit int64
		region   string
	}
	list, err := db.Collect(rows, err, func(rows *sql.Rows) (cand, error) {
		var x cand
		err := rows.Scan(&x.id, &x.unit, &x.region)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("subscribed robots: %w", err)
	}
	units := e.Units
	if e.UnitID != 0 {
		units = append([]int64{e.UnitID}, units...)
	}
	var out []int64
	for _, x := range list {
		switch {
		case x.unit != 0:
			if slices.Contains(units, x.unit) {
				out = append(out, x.id)
			}
		case e.RegionCode != "" && (access.InSubtree(e.RegionCode, x.region) || (e.Down && access.InSubtree(x.region, e.RegionCode))):
			out = append(out, x.id)
		}
	}
	return out, nil
}

// absolute makes a path a link with the public base URL.
func (s *Store) absolute(u string) string {
	if u == "" || strings.Contains(u, "://") {
		return u
	}
	base := strings.TrimRight(s.BaseURL, "/")
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	return base + "/" + strings.TrimLeft(u, "/")
}

// eventID is the event's id: derived from its once-only key (the same on
// every server), or random.
func eventID(key string) string {
	if key != "" {
		sum := sha256.Sum256([]byte(key))
		return "evt_" + hex.EncodeToString(sum[:12])
	}
	b := make([]byte, 12)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail on supported systems
	return "evt_" + hex.EncodeToString(b)
}

func dedupe(prefix string, target int64, key string) string {
	if key == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d:%s", prefix, target, key)
}

var (
	mobileNumber = regexp.MustCompile(`(?:\+?86[- ]?)?1[3-9][0-9]{9}`)
	idNumber     = regexp.MustCompile(`[1-9][0-9]{16}[0-9Xx]`)
)

// maskText masks mobile phone and ID numbers in a message: a group needs
// neither (a report's text may hold one all the same).
func maskText(s string) string {
	s = idNumber.ReplaceAllStringFunc(s, pii.MaskID)
	return mobileNumber.ReplaceAllStringFunc(s, pii.MaskPhone)
}

// Mask masks mobile phone and ID numbers in a text, as Publish does with
// every robot message: for the objects webhooks carry.
func Mask(s string) string { return maskText(s) }
