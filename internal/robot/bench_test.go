package robot_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/robot"
)

// BenchmarkDeliveries measures robot and webhook deliveries per second
// through the outbox (Publish in a transaction of its own, then a Send
// pass: claim, sign, post, record) against a local server, beside a raw
// baseline of the same requests posted directly with the same parallelism,
// and their ratio (x-raw). WENMING_TEST_POSTGRES selects PostgreSQL:
//
//	go test -run '^$' -bench Deliveries -benchtime 10x ./internal/robot/
func BenchmarkDeliveries(b *testing.B) {
	for _, servers := range []int{1, 2} {
		b.Run(fmt.Sprintf("servers=%d", servers), func(b *testing.B) { benchDeliveries(b, servers) })
	}
}

func benchDeliveries(b *testing.B, servers int) {
	const streets, perStreet = 10, 19 // under the 20-a-minute limit: no folding
	b.Run("webhook", func(b *testing.B) {
		f := newBenchFixture(b)
		secret := "bench-secret-0123456789"
		if _, _, err := f.store.CreateWebhook(context.Background(), admin, robot.WebhookInput{Name: "bench", URL: f.srv.URL + "/hook",
			Secret: secret, Events: []string{robot.CaseDispatched}}); err != nil {
			b.Fatal(err)
		}
		n := streets * perStreet
		raw := func() time.Duration {
			began := time.Now()
			for i := 0; i < n; i++ {
				body := []byte(fmt.Sprintf(`{"id":"evt_%d","type":"case.dispatched","time":"2026-12-04T08:00:00Z","object":{"code":"%d"}}`, i, i))
				req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/hook", bytes.NewReader(body))
				req.Header.Set(robot.HeaderSignature, robot.Sign(secret, body))
				f.post(b, req)
			}
			return time.Since(began)
		}
		f.measure(b, n, servers, raw, func(i int) {
			for k := 0; k < n; k++ {
				f.publishTo(b, "410411001001", fmt.Sprintf("%d-%d", i, k))
			}
		})
	})
	b.Run("robot", func(b *testing.B) {
		f := newBenchFixture(b)
		for s := 1; s <= streets; s++ {
			if _, err := f.store.CreateRobot(context.Background(), admin, robot.RobotInput{Name: "bench", Platform: robot.WeCom,
				RegionCode: fmt.Sprintf("410411%03d", s), Endpoint: f.srv.URL + "/cgi-bin/webhook/send?key=" + wecomKey,
				Events: []string{robot.CaseDispatched}}); err != nil {
				b.Fatal(err)
			}
		}
		raw := func() time.Duration {
			began := time.Now()
			var wg sync.WaitGroup
			sem := make(chan struct{}, 8)
			for s := 0; s < streets; s++ {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					for k := 0; k < perStreet; k++ {
						body := []byte(`{"msgtype":"markdown","markdown":{"content":"**【派遣】问题 410411-20261204-0001**\n> 地点：建设路"}}`)
						req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/cgi-bin/webhook/send?key="+wecomKey, bytes.NewReader(body))
						req.Header.Set("Content-Type", "application/json")
						f.post(b, req)
					}
				}()
			}
			wg.Wait()
			return time.Since(began)
		}
		f.measure(b, streets*perStreet, servers, raw, func(i int) {
			// A fresh minute for the rate limit each round.
			if _, err := f.d.Exec(context.Background(), "UPDATE robot SET sent_log = ''"); err != nil {
				b.Fatal(err)
			}
			for s := 1; s <= streets; s++ {
				for k := 0; k < perStreet; k++ {
					f.publishTo(b, fmt.Sprintf("410411%03d001", s), fmt.Sprintf("%d-%d-%d", i, s, k))
				}
			}
		})
	})
}

type benchFixture struct {
	*fixture
	client *http.Client
	got    int
	mu     sync.Mutex
}

func newBenchFixture(b *testing.B) *benchFixture {
	f := newFixture(b)
	return wrapBench(b, f)
}

func wrapBench(b *testing.B, f *fixture) *benchFixture {
	bf := &benchFixture{fixture: f, client: &http.Client{Timeout: 5 * time.Second}}
	// A receiver that accepts everything, as a platform that is up does.
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) //nolint:errcheck
		bf.mu.Lock()
		bf.got++
		bf.mu.Unlock()
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	b.Cleanup(f.srv.Close)
	return bf
}

func (f *benchFixture) post(b *testing.B, req *http.Request) {
	res, err := f.client.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	io.Copy(io.Discard, res.Body) //nolint:errcheck
	res.Body.Close()
}

func (f *benchFixture) publishTo(b *testing.B, region, key string) {
	if err := f.store.Publish(context.Background(), nil, robot.Event{Type: robot.CaseDispatched, RegionCode: region,
		Title: "【派遣】问题 410411-20261204-0001 已派遣至北渡街道", Markdown: "> 地点：建设路", URL: "/problems/1", Key: key,
		Object: map[string]any{"code": key}}); err != nil {
		b.Fatal(err)
	}
}

// measure times rounds of publish-then-send of n deliveries, interleaved
// with the raw baseline, and reports deliveries per second of both. With
// servers > 1, that many senders (as on that many servers on the one
// database) send at once, each delivery claimed by one of them.
func (f *benchFixture) measure(b *testing.B, n, servers int, raw func() time.Duration, publish func(i int)) {
	ctx := context.Background()
	senders := []*robot.Sender{f.sender}
	for len(senders) < servers {
		senders = append(senders, &robot.Sender{Store: f.store, Timeout: 2 * time.Second})
	}
	var took, base, pub []time.Duration
	i := 0
	for b.Loop() {
		base = append(base, raw())
		began := time.Now()
		publish(i)
		pub = append(pub, time.Since(began))
		sent := 0
		for sent < n {
			var wg sync.WaitGroup
			var mu sync.Mutex
			round := 0
			for _, s := range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rep, err := s.Send(ctx)
					if err != nil {
						b.Error(err)
					}
					mu.Lock()
					round += rep.Sent
					mu.Unlock()
				}()
			}
			wg.Wait()
			if round == 0 {
				b.Fatalf("stalled after %d of %d", sent, n)
			}
			sent += round
		}
		took = append(took, time.Since(began))
		i++
	}
	subject, baseline := median(took), median(base)
	perSec := func(d time.Duration) float64 { return float64(n) / d.Seconds() }
	b.Logf("%d deliveries: through the outbox %s (%.0f/s; publishing %s of it), raw posts %s (%.0f/s), ratio %.2f", n, subject, perSec(subject),
		median(pub), baseline, perSec(baseline), float64(subject)/float64(baseline))
	b.ReportMetric(perSec(subject), "deliveries/s")
	b.ReportMetric(perSec(baseline), "raw-deliveries/s")
	b.ReportMetric(float64(subject)/float64(baseline), "x-raw")
}

func median(xs []time.Duration) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
