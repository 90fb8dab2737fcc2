package robot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/outbox"
)

// Sender sends the outbox's robot and webhook deliveries. Every server
// runs it; a robot or webhook is leased by one server at a time (so the
// rate limit is counted in one place) and each delivery is claimed before
// it is sent (so it goes out once).
type Sender struct {
	Store *Store
	// Client posts the requests (nil: Guard.Client(Timeout)).
	Client *http.Client
	// Timeout bounds one request (0: 10s); a receiver that hangs costs
	// one attempt, retried later, and holds up nothing else.
	Timeout time.Duration
	// Parallel is how many robots and webhooks are sent to at once (0: 8).
	Parallel int
	// Log receives failures (nil: not logged); never a URL or a secret.
	Log interface {
		Warn(msg string, args ...any)
	}

	once   sync.Once
	client *http.Client
}

// Report counts what one Send did.
type Report struct {
	Sent     int // requests that succeeded
	Folded   int // deliveries sent inside a folded digest
	Retrying int
	GivenUp  int
	Waiting  int // deliveries put back until a rate limit allows
}

func (r *Report) add(o Report) {
	r.Sent += o.Sent
	r.Folded += o.Folded
	r.Retrying += o.Retrying
	r.GivenUp += o.GivenUp
	r.Waiting += o.Waiting
}

// claimFor is how long a server holds a robot's or webhook's lease and
// its claimed deliveries.
const claimFor = 2 * time.Minute

// robotBatch bounds the deliveries one pass takes for a robot (the rest
// wait for the next pass, folded if need be).
const robotBatch = 500

func (x *Sender) httpClient() *http.Client {
	x.once.Do(func() {
		x.client = x.Client
		if x.client == nil {
			t := x.Timeout
			if t == 0 {
				t = 10 * time.Second
			}
			x.client = x.Store.Guard.Client(t)
		}
	})
	return x.client
}

// Send sends what is due to every robot and webhook, several at once.
func (x *Sender) Send(ctx context.Context) (Report, error) {
	var total Report
	s := x.Store
	if s.Key == nil {
		return total, nil // nothing can be opened, so nothing was saved either: deliveries wait
	}
	now := s.now()
	robots, err := outbox.DueTargets(ctx, s.DB, outbox.ChannelRobot, now)
	if err != nil {
		return total, err
	}
	hooks, err := outbox.DueTargets(ctx, s.DB, outbox.ChannelWebhook, now)
	if err != nil {
		return total, err
	}
	par := x.Parallel
	if par <= 0 {
		par = 8
	}
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	run := func(f func(context.Context, int64) (Report, error), id int64) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			rep, err := f(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			total.add(rep)
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	for _, id := range robots {
		run(x.sendRobot, id)
	}
	for _, id := range hooks {
		run(x.sendWebhook, id)
	}
	wg.Wait()
	return total, errors.Join(errs...)
}

// lease takes a robot's or webhook's lease for this server; false: another
// server holds it.
func (x *Sender) lease(ctx context.Context, table string, id int64) (bool, error) {
	now := x.Store.now()
	res, err := x.Store.DB.Exec(ctx, "UPDATE "+table+" SET lease_until = ? WHERE id = ? AND lease_until < ?",
		db.Millis(now.Add(claimFor)), id, db.Millis(now))
	if err != nil {
		return false, fmt.Errorf("lease %s %d: %w", table, id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// giveUpAll gives up what waits for a robot or webhook that was deleted or
// turned off.
func (x *Sender) giveUpAll(ctx context.Context, channel string, id int64, why string) (Report, error) {
	var rep Report
	s := x.Store
	cs, err := outbox.ClaimFor(ctx, s.DB, channel, id, s.now(), claimFor, robotBatch)
	if err != nil || len(cs) == 0 {
		return rep, err
	}
	for i := range cs {
		cs[i].Attempts = outbox.MaxAttempts
	}
	n, err := outbox.MarkFailed(ctx, s.DB, cs, errors.New(why), s.now())
	rep.GivenUp = n
	return rep, err
}

type robotRow struct {
	platform, endpoint, secret, sentLog string
	blocked                             int64
	enabled                             bool
}

// sendRobot sends one robot's due deliveries within its platform's rate
// limit: as many as the limit leaves one by one, and when more are
// waiting than that, the rest folded into one digest message, so nothing
// is dropped and the platform never blocks the robot.
func (x *Sender) sendRobot(ctx context.Context, id int64) (rep Report, err error) {
	s := x.Store
	var r robotRow
	err = s.DB.QueryRow(ctx, "SELECT platform, endpoint, secret, sent_log, blocked_until, enabled FROM robot WHERE id = ?", id).
		Scan(&r.platform, &r.endpoint, &r.secret, &r.sentLog, &r.blocked, &r.enabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !r.enabled) {
		return x.giveUpAll(ctx, outbox.ChannelRobot, id, "robot deleted or turned off")
	}
	if err != nil {
		return rep, fmt.Errorf("read robot %d: %w", id, err)
	}
	if s.Key == nil {
		return rep, fmt.Errorf("robot %d: no data key to open its endpoint", id)
	}
	endpoint, err := s.Key.Open(sealEndpoint, r.endpoint)
	if err != nil {
		return rep, fmt.Errorf("robot %d endpoint: %w", id, err)
	}
	secret := ""
	if r.secret != "" {
		if secret, err = s.Key.Open(sealSecret, r.secret); err != nil {
			return rep, fmt.Errorf("robot %d secret: %w", id, err)
		}
	}
	if ok, err := x.lease(ctx, "robot", id); err != nil || !ok {
		return rep, err
	}
	lim := limitsOf(r.platform)
	stamps := parseStamps(r.sentLog)
	blocked := r.blocked
	defer func() {
		_, err := s.DB.Exec(context.WithoutCancel(ctx), "UPDATE robot SET lease_until = 0, sent_log = ?, blocked_until = ? WHERE id = ?",
			formatStamps(stamps, s.now()), blocked, id)
		if err != nil && x.Log != nil {
			x.Log.Warn("robot: release lease", "robot", id, "err", err)
		}
	}()
	now := s.now()
	if blocked > db.Millis(now) {
		return rep, nil
	}
	budget := lim.budget(stamps, now)
	if budget <= 0 {
		return rep, nil
	}
	cs, err := outbox.ClaimFor(ctx, s.DB, outbox.ChannelRobot, id, now, claimFor, robotBatch)
	if err != nil || len(cs) == 0 {
		return rep, err
	}
	done := &sentBatch{d: s.DB, now: s.now}
	defer done.flushInto(ctx, &err)
	single, folded := cs, []outbox.Claimed(nil)
	if len(cs) > budget {
		single, folded = cs[:budget-1], cs[budget-1:]
	}
	// postponeRest puts back what this pass does not get to.
	postponeRest := func(from int, until time.Time) error {
		var ids []int64
		for _, c := range single[from:] {
			ids = append(ids, c.ID)
		}
		for _, c := range folded {
			ids = append(ids, c.ID)
		}
		rep.Waiting += len(ids)
		return outbox.Postpone(ctx, s.DB, ids, until)
	}
	send := func(m message) error {
		req, err := request(ctx, r.platform, endpoint, secret, m, s.T("robot.more"), s.now())
		if err != nil {
			return err
		}
		res, err := x.httpClient().Do(req)
		if err != nil {
			return fmt.Errorf("robot post: %w", scrub(err))
		}
		defer res.Body.Close()
		stamps = append(stamps, db.Millis(s.now()))
		return answer(r.platform, res)
	}
	for i, c := range single {
		var m message
		if err := json.Unmarshal([]byte(c.Body), &m); err != nil {
			m = message{Title: c.Kind}
		}
		err := send(m)
		switch {
		case err == nil:
			rep.Sent++
			if err := done.add(ctx, c.ID); err != nil {
				return rep, err
			}
			continue
		case errors.Is(err, errRateLimited):
			// The platform counts differently from us: wait its block
			// time; what waits is folded then.
			until := s.now().Add(lim.blockFor)
			blocked = db.Millis(until)
			return rep, postponeRest(i, until)
		}
		n, merr := outbox.MarkFailed(ctx, s.DB, []outbox.Claimed{c}, err, s.now())
		rep.GivenUp += n
		rep.Retrying += 1 - n
		if merr != nil {
			return rep, merr
		}
		// The platform is down or hangs: the rest wait a minute rather
		// than each timing out in turn.
		return rep, postponeRest(i+1, s.now().Add(time.Minute))
	}
	if len(folded) == 0 {
		return rep, nil
	}
	err = send(s.fold(folded, lim.maxBytes))
	var ids []int64
	for _, c := range folded {
		ids = append(ids, c.ID)
	}
	switch {
	case err == nil:
		rep.Sent++
		rep.Folded += len(folded)
		return rep, outbox.MarkSent(ctx, s.DB, ids, s.now())
	case errors.Is(err, errRateLimited):
		until := s.now().Add(lim.blockFor)
		blocked = db.Millis(until)
		rep.Waiting += len(ids)
		return rep, outbox.Postpone(ctx, s.DB, ids, until)
	}
	n, merr := outbox.MarkFailed(ctx, s.DB, folded, err, s.now())
	rep.GivenUp += n
	rep.Retrying += len(folded) - n
	return rep, merr
}

// fold writes one digest message of many deliveries: each one's title as
// a link, as many as fit the platform's limit, then how many more.
func (s *Store) fold(cs []outbox.Claimed, maxBytes int) message {
	var b strings.Builder
	room := maxBytes - 400
	for i, c := range cs {
		var m message
		if err := json.Unmarshal([]byte(c.Body), &m); err != nil {
			m = message{Title: c.Kind}
		}
		line := "- " + m.Title
		if m.URL != "" {
			line = "- [" + m.Title + "](" + m.URL + ")"
		}
		if b.Len()+len(line)+1 > room {
			b.WriteString(s.T("robot.fold_more", len(cs)-i))
			break
		}
		b.WriteString(line + "\n")
	}
	return message{Title: s.T("robot.fold_title", len(cs)), Markdown: b.String(), URL: s.absolute("/")}
}

// budget is how many messages the robot may send now: what the minute's
// (and, on Feishu, the second's) limit leaves after the sends in stamps.
func (l limits) budget(stamps []int64, now time.Time) int {
	ms := db.Millis(now)
	inMinute, inSecond := 0, 0
	for _, t := range stamps {
		if t > ms-60_000 {
			inMinute++
		}
		if t > ms-1_000 {
			inSecond++
		}
	}
	b := l.perMinute - inMinute
	if l.perSecond > 0 {
		b = min(b, l.perSecond-inSecond)
	}
	return b
}

func parseStamps(s string) []int64 {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		if v, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// formatStamps keeps the sends of the last minute.
func formatStamps(stamps []int64, now time.Time) string {
	cut := db.Millis(now) - 60_000
	var parts []string
	for _, t := range stamps {
		if t > cut {
			parts = append(parts, strconv.FormatInt(t, 10))
		}
	}
	if len(parts) > 200 {
		parts = parts[len(parts)-200:]
	}
	return strings.Join(parts, ",")
}

// scrub keeps a URL (which holds a robot's key or token) out of an error
// that is stored and shown.
func scrub(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			if t, ok := err.(interface{ Timeout() bool }); ok && t.Timeout() {
				return fmt.Errorf("timeout: %w", inner)
			}
			return inner
		}
	}
	return errors.New("request failed")
}

// Sign is the signature header value of a webhook body: "sha256=" and the
// hex HMAC-SHA256 of the body under the webhook's secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// The headers of a webhook delivery.
const (
	HeaderSignature = "X-Wenming-Signature"
	HeaderEventID   = "X-Wenming-Event-Id"
	HeaderEventType = "X-Wenming-Event-Type"
)

// sendWebhook posts one webhook's due deliveries, each signed.
func (x *Sender) sendWebhook(ctx context.Context, id int64) (rep Report, err error) {
	s := x.Store
	var sealedURL, sealedSecret string
	var enabled bool
	err = s.DB.QueryRow(ctx, "SELECT url, secret, enabled FROM webhook WHERE id = ?", id).Scan(&sealedURL, &sealedSecret, &enabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !enabled) {
		return x.giveUpAll(ctx, outbox.ChannelWebhook, id, "webhook deleted or turned off")
	}
	if err != nil {
		return rep, fmt.Errorf("read webhook %d: %w", id, err)
	}
	if s.Key == nil {
		return rep, fmt.Errorf("webhook %d: no data key to open its URL", id)
	}
	target, err := s.Key.Open(sealWebhookURL, sealedURL)
	if err != nil {
		return rep, fmt.Errorf("webhook %d url: %w", id, err)
	}
	secret, err := s.Key.Open(sealWebhookSecret, sealedSecret)
	if err != nil {
		return rep, fmt.Errorf("webhook %d secret: %w", id, err)
	}
	if ok, err := x.lease(ctx, "webhook", id); err != nil || !ok {
		return rep, err
	}
	defer func() {
		s.DB.Exec(context.WithoutCancel(ctx), "UPDATE webhook SET lease_until = 0 WHERE id = ?", id) //nolint:errcheck // the lease expires anyway
	}()
	cs, err := outbox.ClaimFor(ctx, s.DB, outbox.ChannelWebhook, id, s.now(), claimFor, 50)
	if err != nil {
		return rep, err
	}
	done := &sentBatch{d: s.DB, now: s.now}
	defer done.flushInto(ctx, &err)
	for i, c := range cs {
		err := x.post(ctx, target, secret, c)
		if err == nil {
			rep.Sent++
			if err := done.add(ctx, c.ID); err != nil {
				return rep, err
			}
			continue
		}
		n, merr := outbox.MarkFailed(ctx, s.DB, []outbox.Claimed{c}, err, s.now())
		rep.GivenUp += n
		rep.Retrying += 1 - n
		if merr != nil {
			return rep, merr
		}
		// A receiver that fails or hangs once is not tried again for
		// the rest of this pass: they wait a minute, in order.
		var ids []int64
		for _, r := range cs[i+1:] {
			ids = append(ids, r.ID)
		}
		rep.Waiting += len(ids)
		return rep, outbox.Postpone(ctx, s.DB, ids, s.now().Add(time.Minute))
	}
	return rep, nil
}

func (x *Sender) post(ctx context.Context, target, secret string, c outbox.Claimed) error {
	body := []byte(c.Body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "wenming-webhook/1")
	req.Header.Set(HeaderSignature, Sign(secret, body))
	req.Header.Set(HeaderEventID, c.EventID)
	req.Header.Set(HeaderEventType, c.Kind)
	res, err := x.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("webhook post: %w", scrub(err))
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("webhook receiver answered HTTP %d: %s", res.StatusCode, strings.TrimSpace(cutUTF8(string(answer), 200)))
	}
	return nil
}

// markEvery is how many deliveries are recorded as sent in one write. A
// server that stops between a post and its record sends those again once
// their claim runs out: at most this many, which a webhook receiver drops
// by the event id.
const markEvery = 10

// sentBatch records delivered ids markEvery at a time.
type sentBatch struct {
	d   *db.DB
	now func() time.Time
	ids []int64
}

func (b *sentBatch) add(ctx context.Context, id int64) error {
	b.ids = append(b.ids, id)
	if len(b.ids) < markEvery {
		return nil
	}
	return b.flush(ctx)
}

func (b *sentBatch) flush(ctx context.Context) error {
	err := outbox.MarkSent(ctx, b.d, b.ids, b.now())
	b.ids = b.ids[:0]
	return err
}

// flushInto records what is left when a pass ends, keeping the pass's
// own error if it had one.
func (b *sentBatch) flushInto(ctx context.Context, err *error) {
	if ferr := b.flush(context.WithoutCancel(ctx)); ferr != nil && *err == nil {
		*err = ferr
	}
}
