package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/outbox"
)

// gateway is an HTTP endpoint that records what it receives and answers
// with the status fail says.
type gateway struct {
	mu       sync.Mutex
	got      []outbox.Message
	byID     map[string]int
	auth     []string
	failWith int // 0: 200
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m outbox.Message
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.auth = append(g.auth, r.Header.Get("Authorization"))
	if g.failWith != 0 {
		http.Error(w, "quota exceeded", g.failWith)
		return
	}
	g.got = append(g.got, m)
	g.byID[m.ID]++
	w.WriteHeader(http.StatusOK)
}

type fixture struct {
	n   int // messages queued so far
	d   *db.DB
	gw  *gateway
	now time.Time
	s   *outbox.Sender
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{d: dbtest.Open(t), gw: &gateway{byID: map[string]int{}}, now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer(f.gw)
	t.Cleanup(srv.Close)
	f.s = f.sender(srv.URL)
	return f
}

func (f *fixture) sender(url string) *outbox.Sender {
	return &outbox.Sender{DB: f.d, URL: url, Token: "sms-secret-token", Client: &http.Client{Timeout: 5 * time.Second},
		Now: func() time.Time { return f.now }, T: i18n.MustLoad("zh-CN").T}
}

// queue writes n messages as the escalation job does.
func (f *fixture) queue(t *testing.T, n int) {
	t.Helper()
	for k := 0; k < n; k++ {
		i := f.n
		f.n++
		args, _ := json.Marshal([]string{fmt.Sprintf("410411-20261120-%04d", i+1), "2026-11-21 17:30"})
		if _, err := f.d.Exec(context.Background(), `INSERT INTO outbox_message (channel, to_name, to_phone, kind, args, dedupe_key, created_at)
			VALUES ('sms', ?, ?, 'escalated_yellow', ?, ?, ?)`, "王主任", fmt.Sprintf("1390000%04d", i), string(args),
			fmt.Sprintf("esc:%d:1:20261123:c0", i+1), db.Millis(f.now)); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) column(t *testing.T, q string) []string {
	t.Helper()
	rows, err := f.d.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestSendDeliversOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.queue(t, 2)
	rep, err := f.s.Send(ctx)
	if err != nil || rep != (outbox.Report{Sent: 2}) {
		t.Fatalf("send: %+v %v", rep, err)
	}
	if len(f.gw.got) != 2 || f.gw.auth[0] != "Bearer sms-secret-token" {
		t.Fatalf("gateway got %+v with %v", f.gw.got, f.gw.auth)
	}
	m := f.gw.got[0]
	want := "【文明城市创建】王主任：黄牌督办：问题 410411-20261120-0001 已超过整改时限（2026-11-21 17:30），请立即整改。"
	if m.ID != "esc:1:1:20261123:c0" || m.Phone != "13900000000" || m.Text != want {
		t.Errorf("message %+v\nwant text %s", m, want)
	}
	if sent := f.column(t, "SELECT id FROM outbox_message WHERE sent_at IS NOT NULL"); len(sent) != 2 {
		t.Errorf("%d marked sent", len(sent))
	}
	// Nothing is sent twice.
	if rep, err := f.s.Send(ctx); err != nil || rep != (outbox.Report{}) || len(f.gw.got) != 2 {
		t.Errorf("second send: %+v %v, gateway has %d", rep, err, len(f.gw.got))
	}
}

func TestSendRetriesAndGivesUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.queue(t, 1)
	f.gw.failWith = http.StatusServiceUnavailable
	rep, err := f.s.Send(ctx)
	if err != nil || rep != (outbox.Report{Retrying: 1}) {
		t.Fatalf("failed send: %+v %v", rep, err)
	}
	if e := f.column(t, "SELECT last_error FROM outbox_message"); !strings.Contains(e[0], "503") || strings.Contains(e[0], "sms-secret-token") {
		t.Errorf("last error %q", e)
	}
	// Not due again at once; due after the first delay.
	if rep, _ := f.s.Send(ctx); rep != (outbox.Report{}) {
		t.Errorf("retried at once: %+v", rep)
	}
	f.now = f.now.Add(time.Minute)
	f.gw.failWith = 0
	if rep, err := f.s.Send(ctx); err != nil || rep != (outbox.Report{Sent: 1}) {
		t.Fatalf("retry: %+v %v", rep, err)
	}

	// A gateway that keeps refusing: given up after MaxAttempts.
	f.queue(t, 1)
	f.gw.failWith = http.StatusBadRequest
	var total outbox.Report
	for i := 0; i < outbox.MaxAttempts+2; i++ {
		rep, err := f.s.Send(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total.Retrying += rep.Retrying
		total.GivenUp += rep.GivenUp
		f.now = f.now.Add(7 * time.Hour)
	}
	if total.Retrying != outbox.MaxAttempts-1 || total.GivenUp != 1 {
		t.Errorf("attempts: %+v", total)
	}
	if failed := f.column(t, "SELECT attempts FROM outbox_message WHERE failed_at IS NOT NULL"); len(failed) != 1 || failed[0] != fmt.Sprint(outbox.MaxAttempts) {
		t.Errorf("given up: %v", failed)
	}
}

// TestTwoSendersSendEachMessageOnce runs two servers' senders at once.
func TestTwoSendersSendEachMessageOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.queue(t, 120)
	other := f.sender(f.s.URL)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for _, s := range []*outbox.Sender{f.s, other, f.s, other} {
		wg.Add(1)
		go func(s *outbox.Sender) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				if _, err := s.Send(ctx); err != nil {
					errs <- err
				}
			}
		}(s)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(f.gw.byID) != 120 {
		t.Errorf("%d distinct messages delivered, want 120", len(f.gw.byID))
	}
	for id, n := range f.gw.byID {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
}
