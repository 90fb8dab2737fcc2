package inspect_test

// Benchmarks of an inspection round at district scale (see BENCHMARKS.md
// beside this file for the figures): the demo district 湛河区 with 1,000
// sites spread over its 104 communities and the site types that have
// on-the-spot criteria in the sample framework, 50 inspectors with an API
// token each, and a plan holding every site and every inspector. Nothing is
// cached between runs; WENMING_TEST_POSTGRES selects PostgreSQL.
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/inspect/

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/server"
	"github.com/wenming-civic/wenming/internal/site"
)

const (
	benchSites      = 1000
	benchInspectors = 50
	// benchClients is how many inspectors' phones submit at once.
	benchClients = 8
	// The outcome mix of a checklist: the rest of the criteria fail.
	benchPass = 0.90
	benchNA   = 0.07
)

// The box the sites are placed in (WGS-84).
const (
	boxMinLng, boxMaxLng = 113.28, 113.38
	boxMinLat, boxMaxLat = 33.66, 33.74
)

type benchInspector struct {
	id    int64
	token string
}

type benchSite struct {
	id       int64
	typeCode string
	lng, lat float64
}

// benchDistrict is the application on a fresh database with the demo
// district, the sites, the inspectors and the first plan, served on
// loopback.
type benchDistrict struct {
	app         *server.App
	url         string
	client      *http.Client
	office      access.Actor
	officeToken string
	inspectors  []benchInspector
	sites       []benchSite
	plan        int64
	// criteria are the checklist's criterion ids by site type, as the
	// API's checklist lists them.
	criteria map[string][]int64
	photo    string // hash of the one uploaded photo every failure shows
}

func newBenchDistrict(b *testing.B) *benchDistrict {
	b.Helper()
	ctx := context.Background()
	began := time.Now()
	d := dbtest.Open(b)
	cfg := config.Defaults()
	cfg.DataDir = b.TempDir() // photos
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	app, err := server.New(ctx, cfg, d, log)
	if err != nil {
		b.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	b.Cleanup(srv.Close)
	w := &benchDistrict{app: app, url: srv.URL, criteria: map[string][]int64{},
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * benchClients}}}
	b.Cleanup(w.client.CloseIdleConnections)
	loaded := time.Now()

	var officeID, unitID int64
	if err := d.QueryRow(ctx, "SELECT id FROM app_user WHERE username = 'office'").Scan(&officeID); err != nil {
		b.Fatal(err)
	}
	if w.office, _, err = app.Org.Actor(ctx, officeID); err != nil {
		b.Fatal(err)
	}
	if w.officeToken, _, err = app.Auth.CreateToken(ctx, access.System(), officeID, "基准测试"); err != nil {
		b.Fatal(err)
	}
	if err := d.QueryRow(ctx, "SELECT id FROM unit WHERE code = ?", demo.District+"-office").Scan(&unitID); err != nil {
		b.Fatal(err)
	}
	for i := range benchInspectors {
		u, _, err := app.Org.CreateUser(ctx, access.System(), org.UserInput{Username: fmt.Sprintf("bench.insp%02d", i+1),
			DisplayName: fmt.Sprintf("督导员%02d", i+1), UnitID: unitID, Roles: []access.Role{access.RoleInspector},
			Password: "bench-inspector-2026"})
		if err != nil {
			b.Fatal(err)
		}
		tok, _, err := app.Auth.CreateToken(ctx, access.System(), u.ID, "督导 App")
		if err != nil {
			b.Fatal(err)
		}
		w.inspectors = append(w.inspectors, benchInspector{id: u.ID, token: tok})
	}
	users := time.Now()

	types := w.checkedTypes(b)
	w.createSites(b, types)
	sites := time.Now()

	w.plan = w.newPlan(b, "基准测评第1轮")
	for _, typ := range types {
		i := slices.IndexFunc(w.sites, func(s benchSite) bool { return s.typeCode == typ })
		w.criteria[typ] = w.checklist(b, w.plan, w.sites[i].id)
	}
	w.photo = w.uploadPhoto(b)
	fmt.Fprintf(os.Stderr, "%s setup %.1fs: server and demo district %.1fs, %d inspectors with tokens %.1fs, %d sites %.1fs, plan, checklists and photo %.1fs\n",
		d.Dialect(), time.Since(began).Seconds(), loaded.Sub(began).Seconds(), benchInspectors, users.Sub(loaded).Seconds(),
		len(w.sites), sites.Sub(users).Seconds(), time.Since(sites).Seconds())
	return w
}

// checkedTypes lists the built-in site types that have at least one
// on-the-spot criterion in the active framework: a site of any other type
// has an empty checklist.
func (w *benchDistrict) checkedTypes(b *testing.B) []string {
	ctx := context.Background()
	v, err := w.app.Framework.ActiveVersion(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var out []string
	for _, t := range framework.DefaultSiteTypes() {
		crit, err := w.app.Framework.Criteria(ctx, v.ID, t.Code)
		if err != nil {
			b.Fatal(err)
		}
		if slices.ContainsFunc(crit, func(c framework.Criterion) bool { return c.HasMethod(framework.MethodField) }) {
			out = append(out, t.Code)
		}
	}
	if len(out) == 0 {
		b.Fatal("no site type has on-the-spot criteria")
	}
	return out
}

// createSites makes benchSites sites with site.Store.Create, each a point
// inside one of the communities (in turn) and the box, of the types in
// turn.
func (w *benchDistrict) createSites(b *testing.B, types []string) {
	ctx := context.Background()
	ix, err := geo.LoadIndex(ctx, w.app.DB)
	if err != nil {
		b.Fatal(err)
	}
	type community struct {
		code string
		box  geo.BBox
	}
	rows, err := w.app.DB.Query(ctx, `SELECT code, min_lng, min_lat, max_lng, max_lat FROM region
		WHERE boundary IS NOT NULL AND substr(code, 1, 6) = ? ORDER BY code`, demo.District)
	if err != nil {
		b.Fatal(err)
	}
	var comms []community
	for rows.Next() {
		var c community
		if err := rows.Scan(&c.code, &c.box.MinLng, &c.box.MinLat, &c.box.MaxLng, &c.box.MaxLat); err != nil {
			b.Fatal(err)
		}
		c.box.MinLng, c.box.MaxLng = max(c.box.MinLng, boxMinLng), min(c.box.MaxLng, boxMaxLng)
		c.box.MinLat, c.box.MaxLat = max(c.box.MinLat, boxMinLat), min(c.box.MaxLat, boxMaxLat)
		if !c.box.IsEmpty() {
			comms = append(comms, c)
		}
	}
	rows.Close()
	if len(comms) == 0 {
		b.Fatal("no community boundary inside the box")
	}
	rng := rand.New(rand.NewPCG(410411, benchSites))
	in := func(bx geo.BBox) geo.Point {
		return geo.Point{Lng: bx.MinLng + rng.Float64()*(bx.MaxLng-bx.MinLng), Lat: bx.MinLat + rng.Float64()*(bx.MaxLat-bx.MinLat)}
	}
	box := geo.BBox{MinLng: boxMinLng, MinLat: boxMinLat, MaxLng: boxMaxLng, MaxLat: boxMaxLat}
	seen := map[string]bool{}
	for i := range benchSites {
		c := comms[i%len(comms)]
		p := in(c.box)
		for try := 0; ; try++ {
			if code, ok := ix.Locate(p); ok && code == c.code {
				break
			}
			if try == 500 { // the community barely reaches into the box
				p = in(box)
				break
			}
			p = in(c.box)
		}
		typ := types[i%len(types)]
		s, err := w.app.Sites.Create(ctx, access.System(), site.Input{Name: fmt.Sprintf("基准点位%04d", i+1), TypeCode: typ,
			Geometry: site.PointGeoJSON(p.Lng, p.Lat), RegionCode: demo.District, Address: fmt.Sprintf("湛河区测评路%d号", i+1)})
		if err != nil {
			b.Fatalf("site %d: %v", i+1, err)
		}
		seen[s.RegionCode] = true
		w.sites = append(w.sites, benchSite{id: s.ID, typeCode: typ, lng: s.Lng, lat: s.Lat})
	}
	if len(seen) < len(comms)*9/10 {
		b.Fatalf("sites landed in %d regions of %d communities", len(seen), len(comms))
	}
}

// newPlan has the office plan an open inspection of all the sites by all
// the inspectors.
func (w *benchDistrict) newPlan(b *testing.B, name string) int64 {
	b.Helper()
	ids := make([]int64, len(w.sites))
	for i, s := range w.sites {
		ids[i] = s.id
	}
	var insp []int64
	for _, u := range w.inspectors {
		insp = append(insp, u.id)
	}
	p, err := w.app.Inspect.CreatePlan(context.Background(), w.office, inspect.PlanInput{Name: name, RegionCode: demo.District,
		StartsOn: "2026-11-20", EndsOn: "2026-11-30", SiteIDs: ids, Inspectors: insp})
	if err != nil {
		b.Fatal(err)
	}
	if p.Sites != len(w.sites) {
		b.Fatalf("plan holds %d sites", p.Sites)
	}
	return p.ID
}

// call sends one API request with a bearer token and returns the status
// and the body.
func (w *benchDistrict) call(method, path, token, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, w.url+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := w.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	reply, err := io.ReadAll(res.Body)
	return res.StatusCode, reply, err
}

// checklist fetches a site's checklist through the API, as the phone does.
func (w *benchDistrict) checklist(b *testing.B, plan, siteID int64) []int64 {
	b.Helper()
	status, body, err := w.call(http.MethodGet, fmt.Sprintf("/api/v1/inspection-plans/%d/sites/%d/checklist", plan, siteID),
		w.inspectors[0].token, "", nil)
	if err != nil || status != http.StatusOK {
		b.Fatalf("checklist: %d %v %s", status, err, body)
	}
	var out struct {
		Criteria []struct {
			ID int64 `json:"id"`
		} `json:"criteria"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Criteria) == 0 {
		b.Fatalf("checklist %s: %v", body, err)
	}
	ids := make([]int64, len(out.Criteria))
	for i, c := range out.Criteria {
		ids[i] = c.ID
	}
	return ids
}

// uploadPhoto uploads one phone-sized JPEG (1600×1200) and returns its
// hash, which every failure of the benchmark then cites.
func (w *benchDistrict) uploadPhoto(b *testing.B) string {
	b.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	img := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	for y := range 1200 {
		for x := range 1600 {
			n := uint8(rng.IntN(40))
			img.SetRGBA(x, y, color.RGBA{uint8(x/7) + n, uint8(y/5) + n, uint8((x+y)/12) + n, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	status, body, err := w.call(http.MethodPost, "/api/v1/photos?name=IMG_0001.jpg", w.inspectors[0].token, "image/jpeg", buf.Bytes())
	var out struct {
		Hash string `json:"hash"`
	}
	if err != nil || status != http.StatusCreated || json.Unmarshal(body, &out) != nil || out.Hash == "" {
		b.Fatalf("photo upload: %d %v %s", status, err, body)
	}
	return out.Hash
}

type benchResult struct {
	CriterionID int64  `json:"criterion_id"`
	Outcome     string `json:"outcome"`
	Note        string `json:"note,omitempty"`
	Photo       string `json:"photo,omitempty"`
}

type benchInspection struct {
	PlanID   int64         `json:"plan_id"`
	SiteID   int64         `json:"site_id"`
	ClientID string        `json:"client_id"`
	Lng      float64       `json:"lng"`
	Lat      float64       `json:"lat"`
	Results  []benchResult `json:"results"`
}

// round is one plan's checklists, ready to send: the bodies of each
// inspector's share (site k goes to inspector k mod 50), in order.
type round struct {
	plan     int64
	bodies   [][][]byte
	fails    int
	criteria int
}

// prepare fills in every site's checklist of a plan: about 90 % pass, 7 %
// not applicable, 3 % fail with a note and the uploaded photo; the
// inspector stands within some 30 m of the site.
func (w *benchDistrict) prepare(b *testing.B, plan int64, seed uint64) round {
	b.Helper()
	rng := rand.New(rand.NewPCG(seed, uint64(plan)))
	r := round{plan: plan, bodies: make([][][]byte, len(w.inspectors))}
	for k, s := range w.sites {
		in := benchInspection{PlanID: plan, SiteID: s.id, ClientID: fmt.Sprintf("bench-%d-%d-%08x", plan, s.id, rng.Uint32()),
			Lng: s.lng + (rng.Float64()-0.5)*0.0006, Lat: s.lat + (rng.Float64()-0.5)*0.0005}
		for _, id := range w.criteria[s.typeCode] {
			res := benchResult{CriterionID: id, Outcome: "pass"}
			switch x := rng.Float64(); {
			case x >= benchPass+benchNA:
				res.Outcome, res.Note, res.Photo = "fail", "现场不达标（基准测试）", w.photo
				r.fails++
			case x >= benchPass:
				res.Outcome = "na"
			}
			in.Results = append(in.Results, res)
		}
		r.criteria += len(in.Results)
		raw, err := json.Marshal(in)
		if err != nil {
			b.Fatal(err)
		}
		u := k % len(w.inspectors)
		r.bodies[u] = append(r.bodies[u], raw)
	}
	return r
}

// submit sends a round's checklists by POST /api/v1/inspections: benchClients
// inspectors at a time, each sending its share one after the other. It
// returns each request's latency.
func (w *benchDistrict) submit(r round) ([]time.Duration, error) {
	next := make(chan int, len(w.inspectors))
	for u := range w.inspectors {
		next <- u
	}
	close(next)
	var (
		mu      sync.Mutex
		took    = make([]time.Duration, 0, len(w.sites))
		failed  atomic.Bool
		firstMu sync.Mutex
		first   error
		wg      sync.WaitGroup
	)
	fail := func(err error) {
		firstMu.Lock()
		if first == nil {
			first = err
		}
		firstMu.Unlock()
		failed.Store(true)
	}
	for range benchClients {
		wg.Go(func() {
			var mine []time.Duration
			defer func() {
				mu.Lock()
				took = append(took, mine...)
				mu.Unlock()
			}()
			for u := range next {
				for _, body := range r.bodies[u] {
					if failed.Load() {
						return
					}
					t := time.Now()
					status, reply, err := w.call(http.MethodPost, "/api/v1/inspections", w.inspectors[u].token, "application/json", body)
					mine = append(mine, time.Since(t))
					if err != nil || status != http.StatusCreated {
						fail(fmt.Errorf("submit: %d %v %s", status, err, reply))
						return
					}
				}
			}
		})
	}
	wg.Wait()
	return took, first
}

// check verifies a submitted round: every site inspected once, every
// failure a case dispatched by the routing rules.
func (w *benchDistrict) check(b *testing.B, r round) {
	b.Helper()
	ctx := context.Background()
	var inspections, dispatched int
	if err := w.app.DB.QueryRow(ctx, "SELECT COUNT(*) FROM inspection WHERE plan_id = ?", r.plan).Scan(&inspections); err != nil {
		b.Fatal(err)
	}
	if err := w.app.DB.QueryRow(ctx, `SELECT COUNT(*) FROM inspection_result x JOIN inspection i ON i.id = x.inspection_id
		JOIN problem p ON p.id = x.problem_id WHERE i.plan_id = ? AND p.state = 'dispatched' AND p.unit_id IS NOT NULL`, r.plan).
		Scan(&dispatched); err != nil {
		b.Fatal(err)
	}
	if inspections != len(w.sites) || dispatched != r.fails {
		b.Fatalf("plan %d: %d inspections of %d sites, %d of %d failures dispatched", r.plan, inspections, len(w.sites), dispatched, r.fails)
	}
}

// BenchmarkSubmitAPI submits a whole round — one checklist per site of the
// 1,000-site plan — through POST /api/v1/inspections, eight inspectors'
// phones at a time. Each failure files a case with the photo and has it
// filed and dispatched by the routing rules within the request. One
// operation is one round; every round after the first is a new plan over
// the same sites (made with the timer stopped), so later rounds also have
// earlier inspections in the tables.
func BenchmarkSubmitAPI(b *testing.B) {
	w := newBenchDistrict(b)
	var (
		took           []time.Duration
		wall           time.Duration
		fails, rounds  int
		criteria, sent int
	)
	plan := w.plan
	for b.Loop() {
		b.StopTimer()
		if rounds > 0 {
			plan = w.newPlan(b, fmt.Sprintf("基准测评第%d轮", rounds+1))
		}
		r := w.prepare(b, plan, uint64(rounds+1))
		b.StartTimer()
		start := time.Now()
		lat, err := w.submit(r)
		took1 := time.Since(start)
		wall += took1
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		w.check(b, r)
		b.StartTimer()
		took = append(took, lat...)
		fmt.Fprintf(os.Stderr, "round %d: %.0f inspections/s, %d failures filed and dispatched\n", rounds+1,
			float64(len(lat))/took1.Seconds(), r.fails)
		fails += r.fails
		criteria += r.criteria
		sent += len(lat)
		rounds++
	}
	b.ReportMetric(float64(sent)/wall.Seconds(), "inspections/s")
	reportPercentiles(b, took)
	b.ReportMetric(float64(fails)/float64(rounds), "fails/round")
	b.ReportMetric(float64(criteria)/float64(sent), "criteria/inspection")
}

// BenchmarkPlanScores times inspect.Store.Results over the 1,000-site plan
// once every site is inspected: the first round, and a second round whose
// scores also look up each site's previous one. "api" is the second round's
// GET /api/v1/inspection-plans/{plan}/results as the office.
func BenchmarkPlanScores(b *testing.B) {
	w := newBenchDistrict(b)
	ctx := context.Background()
	began := time.Now()
	first := w.prepare(b, w.plan, 1)
	if _, err := w.submit(first); err != nil {
		b.Fatal(err)
	}
	second := w.prepare(b, w.newPlan(b, "基准测评第2轮"), 2)
	if _, err := w.submit(second); err != nil {
		b.Fatal(err)
	}
	w.check(b, first)
	w.check(b, second)
	fmt.Fprintf(os.Stderr, "two rounds submitted in %.1fs (%d and %d failures)\n", time.Since(began).Seconds(), first.fails, second.fails)

	for _, tc := range []struct {
		name     string
		plan     int64
		previous bool
	}{{"first_round", first.plan, false}, {"second_round", second.plan, true}} {
		b.Run(tc.name, func(b *testing.B) {
			var res inspect.Results
			var err error
			for b.Loop() {
				if res, err = w.app.Inspect.Results(ctx, w.office, tc.plan); err != nil {
					b.Fatal(err)
				}
			}
			withPrev := 0
			for _, s := range res.Sites {
				if s.HasPrevious {
					withPrev++
				}
			}
			if len(res.Sites) != len(w.sites) || res.Overall.Rated == 0 || len(res.Worst) == 0 || len(res.ByStreet) == 0 ||
				(withPrev > 0) != tc.previous {
				b.Fatalf("results: %d sites, %+v, %d worst, %d streets, %d with previous", len(res.Sites), res.Overall,
					len(res.Worst), len(res.ByStreet), withPrev)
			}
		})
	}
	b.Run("api", func(b *testing.B) {
		path := "/api/v1/inspection-plans/" + strconv.FormatInt(second.plan, 10) + "/results"
		for b.Loop() {
			status, body, err := w.call(http.MethodGet, path, w.officeToken, "", nil)
			if err != nil || status != http.StatusOK || !bytes.Contains(body, []byte(`"done":1000`)) {
				b.Fatalf("results: %d %v %.300s", status, err, body)
			}
		}
	})
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
