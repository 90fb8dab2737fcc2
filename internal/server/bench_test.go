package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/server"
	"github.com/wenming-civic/wenming/internal/synth"
)

// HTTP-level benchmarks on a synthetic city of WENMING_BENCH_PROBLEMS cases
// (default 100,000; figures in internal/synth/BENCHMARKS.md),
// cached between runs by synth.OpenCached; WENMING_TEST_POSTGRES selects
// PostgreSQL. Requests go through the whole handler stack over loopback
// HTTP, signed in as the district office (synth.UserOffice). Benchmarks
// that create cases add them to the cached city for later runs.

// benchDB is the city, opened once per test binary: opening (let alone
// generating) a million-case database per benchmark would dwarf what is
// measured.
var benchDB = sync.OnceValues(func() (*db.DB, error) {
	o, err := synth.BenchOptions(os.Getenv, 100_000)
	if err != nil {
		return nil, err
	}
	var last time.Time
	o.Progress = func(stage string, done, total int) {
		if time.Since(last) > 5*time.Second || done == total {
			fmt.Fprintf(os.Stderr, "synth: %s %d/%d\n", stage, done, total)
			last = time.Now()
		}
	}
	d, rep, err := synth.OpenCached(context.Background(), os.Getenv(dbtest.EnvPostgres), o)
	if err == nil {
		fmt.Fprintf(os.Stderr, "synth: %s city of %d cases, %d events\n", d.Dialect(), rep.Problems, rep.Events)
	}
	return d, err
})

// benchServer is the application on the city, served on loopback, with a
// bearer token and a signed-in browser session of the office.
type benchServer struct {
	app    *server.App
	url    string
	token  string
	web    *http.Client
	csrf   string
	cases  []benchCase
	client *http.Client
}

// benchCase is where and what a new case is: the category, position and
// words of an existing one. Copied words keep the cases the write
// benchmarks add (tens of thousands a day, on top of the cached city)
// from crowding the newest end of the ledger with text no search finds,
// which a text search walking newest first would step over.
type benchCase struct {
	category    int64
	lng, lat    float64
	description string
	address     string
}

func newBenchServer(b *testing.B) *benchServer {
	b.Helper()
	ctx := context.Background()
	d, err := benchDB()
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.DataDir = b.TempDir() // photos
	app, err := server.New(ctx, cfg, d, slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		b.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	srv := httptest.NewServer(app.Handler)
	b.Cleanup(srv.Close)
	// What the requests leave to the background runs beside them, as in
	// wenming serve, and is counted in the figures.
	behind, stop := context.WithCancel(ctx)
	b.Cleanup(stop)
	go app.RunWriteBehind(behind)
	s := &benchServer{app: app, url: srv.URL, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}

	var officeID int64
	if err := d.QueryRow(ctx, "SELECT id FROM app_user WHERE username = ?", synth.UserOffice).Scan(&officeID); err != nil {
		b.Fatal(err)
	}
	if s.token, _, err = app.Auth.CreateToken(ctx, access.System(), officeID, "benchmark"); err != nil {
		b.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	s.web = &http.Client{Jar: jar, Transport: s.client.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	s.get(b, "/login")
	res := s.postForm(b, "/login", url.Values{"login": {synth.UserOffice}, "password": {synth.Password}})
	if res.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %d", res.StatusCode)
	}
	s.get(b, "/report") // the session's form token

	rows, err := d.Query(ctx, "SELECT category_id, lng, lat, description, address FROM problem WHERE id % 97 = 0 LIMIT 2000")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c benchCase
		if err := rows.Scan(&c.category, &c.lng, &c.lat, &c.description, &c.address); err != nil {
			b.Fatal(err)
		}
		s.cases = append(s.cases, c)
	}
	if len(s.cases) == 0 {
		b.Fatal("no cases to copy")
	}
	// The first report loads the grid index and the calendar: not what
	// the benchmarks measure.
	if err := s.createAndDispatch(0); err != nil {
		b.Fatal(err)
	}
	return s
}

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page in the office's session and returns its body.
func (s *benchServer) get(b *testing.B, path string) []byte {
	res, err := s.web.Get(s.url + path)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d\n%.500s", path, res.StatusCode, body)
	}
	if m := csrfValue.FindSubmatch(body); m != nil {
		s.csrf = string(m[1])
	}
	return body
}

func (s *benchServer) postForm(b *testing.B, path string, form url.Values) *http.Response {
	form.Set("csrf", s.csrf)
	res, err := s.web.PostForm(s.url+path, form)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body) //nolint:errcheck // drained for keep-alive
	res.Body.Close()
	return res
}

// api calls the JSON API with the office's token and decodes the reply.
func (s *benchServer) api(path string, body any, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, _ := http.NewRequest(http.MethodPost, s.url+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	reply, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %d %s", path, res.StatusCode, reply)
	}
	if out != nil {
		return json.Unmarshal(reply, out)
	}
	return nil
}

// fileAndDispatch files a reported case and dispatches it by the routing
// rules, through the API.
func (s *benchServer) fileAndDispatch(id int64) error {
	path := "/api/v1/problems/" + strconv.FormatInt(id, 10) + "/actions"
	if err := s.api(path, map[string]any{"action": "file"}, nil); err != nil {
		return err
	}
	var out struct {
		State  string `json:"state"`
		UnitID int64  `json:"unit_id"`
	}
	if err := s.api(path, map[string]any{"action": "dispatch"}, &out); err != nil {
		return err
	}
	if out.State != "dispatched" || out.UnitID == 0 {
		return fmt.Errorf("case %d: %s, unit %d", id, out.State, out.UnitID)
	}
	return nil
}

// createAndDispatch is one case by the API: reported (hotline, with its
// position located in its grid), filed and dispatched.
func (s *benchServer) createAndDispatch(n int) error {
	c := s.cases[n%len(s.cases)]
	var created struct {
		ID int64 `json:"id"`
	}
	err := s.api("/api/v1/problems", map[string]any{"source": "hotline", "category_id": c.category,
		"description": c.description, "address": c.address,
		"lng": c.lng, "lat": c.lat}, &created)
	if err != nil {
		return err
	}
	return s.fileAndDispatch(created.ID)
}

// BenchmarkCreateDispatch: cases reported, filed and dispatched per second
// through the API (three requests a case), one client and four at once.
func BenchmarkCreateDispatch(b *testing.B) {
	for _, clients := range []int{1, 4} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			s := newBenchServer(b)
			var n atomic.Int64
			start := time.Now()
			b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			if clients == 1 {
				for b.Loop() {
					if err := s.createAndDispatch(int(n.Add(1))); err != nil {
						b.Fatal(err)
					}
				}
			} else {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := s.createAndDispatch(int(n.Add(1))); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			rate := float64(n.Load()) / time.Since(start).Seconds()
			b.StopTimer()
			raw := rawInsertRate(b, s.app.DB)
			b.ReportMetric(rate, "cases/s")
			b.ReportMetric(raw, "raw-inserts/s")
			b.ReportMetric(100*rate/raw, "%-of-raw")
		})
	}
}

// rawInsertRate is the baseline of the write path: single-row inserts per
// second into a scratch table of the same database, each its own
// transaction as a request's would be, measured in the same run.
func rawInsertRate(b *testing.B, d *db.DB) float64 {
	b.Helper()
	ctx := context.Background()
	if _, err := d.Exec(ctx, "CREATE TABLE IF NOT EXISTS bench_raw_insert (id BIGINT PRIMARY KEY, note TEXT NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	defer func() {
		if _, err := d.Exec(ctx, "DROP TABLE bench_raw_insert"); err != nil {
			b.Error(err)
		}
	}()
	const rows = 3000
	start := time.Now()
	for i := range rows {
		if _, err := d.Exec(ctx, "INSERT INTO bench_raw_insert (id, note) VALUES (?, ?)", i, "基准测试：市民来电反映"); err != nil {
			b.Fatal(err)
		}
	}
	return rows / time.Since(start).Seconds()
}

// photoJPEG returns a photo-like JPEG of about 1 MB (2048×1536, a
// gradient with noise at quality 90) and where its bytes may vary.
func photoJPEG(b *testing.B) []byte {
	b.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	img := image.NewRGBA(image.Rect(0, 0, 2048, 1536))
	for y := range 1536 {
		for x := range 2048 {
			n := uint8(rng.IntN(48))
			img.SetRGBA(x, y, color.RGBA{uint8(x/8) + n, uint8(y/6) + n, uint8((x+y)/14) + n, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// uniqueJPEG makes the n-th distinct copy of a JPEG for run: a comment
// segment after the start marker changes its hash but not its pixels.
// Photos are stored by content, and a known one is not decoded again, so
// every upload of every run must be new: the cached city keeps the photo
// rows of earlier runs.
func uniqueJPEG(base []byte, run string, n int) []byte {
	comment := []byte("benchmark " + run + " " + strconv.Itoa(n))
	out := make([]byte, 0, len(base)+len(comment)+4)
	out = append(out, base[:2]...) // SOI
	out = append(out, 0xFF, 0xFE)
	out = binary.BigEndian.AppendUint16(out, uint16(len(comment)+2))
	out = append(out, comment...)
	return append(out, base[2:]...)
}

var caseLocation = regexp.MustCompile(`^/problems/(\d+)`)

// reportWithPhoto reports a case with one photo through the web form
// (随手拍, as the office, like the browser sends it) and returns its id.
func (s *benchServer) reportWithPhoto(photo []byte, n int) (int64, error) {
	c := s.cases[n%len(s.cases)]
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range map[string]string{"csrf": s.csrf, "source": "snapshot", "category_id": strconv.FormatInt(c.category, 10),
		"description": c.description, "address": c.address, "lng": strconv.FormatFloat(c.lng, 'f', -1, 64),
		"lat": strconv.FormatFloat(c.lat, 'f', -1, 64)} {
		w.WriteField(k, v) //nolint:errcheck // in memory
	}
	f, _ := w.CreateFormFile("photos", "IMG_"+strconv.Itoa(n)+".jpg")
	f.Write(photo) //nolint:errcheck // in memory
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/report", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := s.web.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body) //nolint:errcheck // drained for keep-alive
	res.Body.Close()
	m := caseLocation.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		return 0, fmt.Errorf("report: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	return strconv.ParseInt(m[1], 10, 64)
}

// BenchmarkCreateDispatchPhoto is BenchmarkCreateDispatch with a 1 MB JPEG:
// the case is reported with its photo through the web form (the API's
// report takes no photos), which stores the original and makes the
// display copy and thumbnail, then filed and dispatched by the API.
func BenchmarkCreateDispatchPhoto(b *testing.B) {
	for _, clients := range []int{1, 4} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			s := newBenchServer(b)
			base := photoJPEG(b)
			b.ReportMetric(float64(len(base))/(1<<20), "photo-MB")
			run := strconv.FormatInt(time.Now().UnixNano(), 36)
			var n atomic.Int64
			one := func() error {
				k := int(n.Add(1))
				id, err := s.reportWithPhoto(uniqueJPEG(base, run, k), k)
				if err != nil {
					return err
				}
				return s.fileAndDispatch(id)
			}
			start := time.Now()
			b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			if clients == 1 {
				for b.Loop() {
					if err := one(); err != nil {
						b.Fatal(err)
					}
				}
			} else {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := one(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "cases/s")
		})
	}
}

// ledgerFilters are the common filters of the ledger, as query strings.
func ledgerFilters() []struct{ name, query string } {
	return []struct{ name, query string }{
		{"all", ""},
		{"in_progress", "?state=in_progress"},
		{"overdue", "?overdue=1"},
		{"street", "?region=410411001"},
		{"text", "?q=" + url.QueryEscape("井盖")},
		{"page50", "?page=50"},
	}
}

// BenchmarkLedgerPage times the ledger page (GET /problems: a page of
// cases, the capped count, the filter's choices) as the district office,
// for the common filters, and reports the median and 99th percentile of
// the b.N requests (run with -benchtime=100x or so).
func BenchmarkLedgerPage(b *testing.B) { benchPages(b, newBenchServer(b), "/problems") }

// BenchmarkLedgerKPIs times the rates the ledger page loads after its list
// (GET /problems/kpis: this month's figures for the filter's scope, with
// the mean handling time in working hours).
func BenchmarkLedgerKPIs(b *testing.B) { benchPages(b, newBenchServer(b), "/problems/kpis") }

// BenchmarkLedgerKPIsIndexed is BenchmarkLedgerKPIs with an index the
// verification count lacks (see internal/synth/BENCHMARKS.md), made for
// the run and dropped after it.
func BenchmarkLedgerKPIsIndexed(b *testing.B) {
	s := newBenchServer(b)
	ctx := context.Background()
	const name = "bench_event_action"
	if _, err := s.app.DB.Exec(ctx, "CREATE INDEX IF NOT EXISTS "+name+" ON problem_event (problem_id, action)"); err != nil {
		b.Fatal(err)
	}
	defer func() {
		if _, err := s.app.DB.Exec(ctx, "DROP INDEX IF EXISTS "+name); err != nil {
			b.Error(err)
		}
	}()
	if _, err := s.app.DB.Exec(ctx, "ANALYZE problem_event"); err != nil {
		b.Fatal(err)
	}
	benchPages(b, s, "/problems/kpis")
}

func benchPages(b *testing.B, s *benchServer, path string) {
	for _, tc := range ledgerFilters() {
		b.Run(tc.name, func(b *testing.B) {
			s.get(b, path+tc.query) // warm
			var took []time.Duration
			for b.Loop() {
				t := time.Now()
				s.get(b, path+tc.query)
				took = append(took, time.Since(t))
			}
			reportPercentiles(b, took)
		})
	}
}

// BenchmarkDashboardHTTP fetches the district office's board
// (/dashboard/data.json, what the wall screen reloads every minute) over
// 7, 30 and 90 days, with p50 and p99: between two folds of the tally,
// when the server sums its table once ("kept"), and each request after a
// fold ("fold"), which sums it again.
func BenchmarkDashboardHTTP(b *testing.B) {
	s := newBenchServer(b)
	ctx := context.Background()
	for _, afterFold := range []bool{false, true} {
		for _, days := range []int{7, 30, 90} {
			name := fmt.Sprintf("office/%dd/kept", days)
			if afterFold {
				name = fmt.Sprintf("office/%dd/fold", days)
			}
			b.Run(name, func(b *testing.B) {
				path := "/dashboard/data.json?days=" + strconv.Itoa(days)
				s.get(b, path) // warm
				var took []time.Duration
				for b.Loop() {
					if afterFold {
						// What a fold writes beside the rows it adds.
						if _, err := s.app.DB.Exec(ctx, "UPDATE problem_tally_version SET version = version + 1"); err != nil {
							b.Fatal(err)
						}
					}
					t := time.Now()
					s.get(b, path)
					took = append(took, time.Since(t))
				}
				reportPercentiles(b, took)
			})
		}
	}
}

// BenchmarkExportHTTP downloads the Excel ledger of about 100,000 cases
// (whole days from the newest back) as the office.
func BenchmarkExportHTTP(b *testing.B) {
	s := newBenchServer(b)
	ctx := context.Background()
	var total, from int64
	d := s.app.DB
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM problem").Scan(&total); err != nil {
		b.Fatal(err)
	}
	if err := d.QueryRow(ctx, "SELECT reported_at FROM problem ORDER BY reported_at DESC LIMIT 1 OFFSET ?", min(total, 100_000)-1).Scan(&from); err != nil {
		b.Fatal(err)
	}
	cst := time.FixedZone("CST", 8*3600)
	day := db.FromMillis(from).In(cst).Format("2006-01-02")
	start, _ := time.ParseInLocation("2006-01-02", day, cst)
	var rows int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM problem WHERE reported_at >= ?", db.Millis(start)).Scan(&rows); err != nil {
		b.Fatal(err)
	}
	var size int
	for b.Loop() {
		size = len(s.get(b, "/problems/export.xlsx?from="+day))
	}
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
}

// reportPercentiles adds p50 and p99 (nearest rank) in milliseconds.
func reportPercentiles(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	at := func(p float64) float64 {
		i := int(p*float64(len(took))+0.5) - 1
		return float64(took[min(max(i, 0), len(took)-1)]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// timedGets fetches path b.N times as as and returns each time taken.
func timedGets(b *testing.B, as *benchServer, path string) []time.Duration {
	var took []time.Duration
	for b.Loop() {
		t := time.Now()
		as.get(b, path)
		took = append(took, time.Since(t))
	}
	return took
}

// reportBeside reports the percentiles of took, the p50 of a baseline
// measured as many times (at least 20) right after, and their ratio.
func reportBeside(b *testing.B, took []time.Duration, baseline func(n int) float64, name string) {
	reportPercentiles(b, took)
	base := baseline(max(len(took), 20))
	slices.Sort(took)
	b.ReportMetric(base, name+"-p50-ms")
	b.ReportMetric(float64(took[len(took)/2])/float64(time.Millisecond)/base, "x-"+name)
}

// BenchmarkWorkbench fetches the home page (工作台) as the district office
// and as the handler of the street with the most cases, with p50 and p99;
// beside them, from the same database in the same run, the p50 of a plain
// indexed count (the office's 待立案 queue, SELECT COUNT(*) … WHERE state
// = 'reported') and the ratio of the page to it.
func BenchmarkWorkbench(b *testing.B) {
	s := newBenchServer(b)
	ctx := context.Background()
	var street string
	if err := s.app.DB.QueryRow(ctx, `SELECT u.code FROM unit u JOIN problem p ON p.unit_id = u.id
		WHERE u.kind = 'territorial' AND LENGTH(u.region_code) = 9 GROUP BY u.code ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&street); err != nil {
		b.Fatal(err)
	}
	handler := &benchServer{url: s.url, client: s.client}
	jar, _ := cookiejar.New(nil)
	handler.web = &http.Client{Jar: jar, Transport: s.client.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	handler.get(b, "/login")
	if res := handler.postForm(b, "/login", url.Values{"login": {"synth-h-" + street}, "password": {synth.Password}}); res.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in as the street's handler: %d", res.StatusCode)
	}
	baseline := func(n int) float64 {
		took := make([]time.Duration, 0, n)
		for range n {
			t := time.Now()
			var c int
			if err := s.app.DB.QueryRow(ctx, "SELECT COUNT(*) FROM problem WHERE state = ?", "reported").Scan(&c); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(t))
		}
		slices.Sort(took)
		return float64(took[len(took)/2]) / float64(time.Millisecond)
	}
	for _, tc := range []struct {
		name string
		as   *benchServer
	}{{"office", s}, {"street-handler", handler}} {
		b.Run(tc.name, func(b *testing.B) {
			body := tc.as.get(b, "/") // warm
			if !bytes.Contains(body, []byte(`data-kind="problem/`)) {
				b.Fatalf("no workbench items:\n%.800s", body)
			}
			reportBeside(b, timedGets(b, tc.as, "/"), baseline, "count")
		})
	}
}
