package dossier_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// flatStore is a media.Store of plain files without the fsync of
// DiskStore, so that writing a benchmark's 2 GB of blobs takes seconds;
// the export reads it through the same interface.
type flatStore struct{ dir string }

func (s flatStore) path(key string) (string, error) {
	if err := media.CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.dir, filepath.FromSlash(key)), nil
}

func (s flatStore) Put(_ context.Context, key string, r io.Reader) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (s flatStore) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

func (s flatStore) Exists(_ context.Context, key string) (bool, error) {
	p, err := s.path(key)
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkExportZIP exports a dossier of many files into a file on disk
// and, in the same run, copies the same blobs into one file as the raw
// baseline (what the disk can do); it reports both throughputs, their
// ratio, and the process's peak RSS and heap during the export. The full
// size is 20,000 files of 100 KB (2 GB):
//
//	WENMING_BENCH_DOSSIER_FILES=20000 go test -run '^$' -bench ExportZIP -benchtime 1x ./internal/dossier/
//
// By default it is 200 files (20 MB), so that go test -bench is quick.
func BenchmarkExportZIP(b *testing.B) {
	ctx := context.Background()
	n := envInt("WENMING_BENCH_DOSSIER_FILES", 200)
	size := envInt("WENMING_BENCH_DOSSIER_FILE_KB", 100) << 10
	app := servertest.New(b)
	blobDir := b.TempDir()
	app.Files.Blobs = flatStore{blobDir}
	round := servertest.DossierRound(b, app, "压测档案", "2027-03-15", false, servertest.DossierReq{Input: dossier.RequirementInput{
		CriterionCode: "1.2.1.3", Title: "实践站活动台账", Types: []dossier.MaterialType{dossier.TypeAccount}, Frequency: dossier.Monthly},
		Lead: "410411001001"})
	items, err := db.Int64s(ctx, app.DB, "SELECT id FROM dossier_item WHERE round_id = ? ORDER BY id", round)
	if err != nil {
		b.Fatal(err)
	}
	// n distinct files of size bytes, rows written in batches.
	rng := rand.New(rand.NewPCG(7, 11))
	body := make([]byte, size)
	var keys []string
	mf := db.NewBatch("media_file", "", "hash", "kind", "mime", "bytes", "created_at")
	df := db.NewBatch("dossier_file", "", "item_id", "hash", "name", "title", "concerns_on", "uploaded_at")
	var mrows, drows []any
	now := db.Millis(time.Now())
	flush := func() {
		if len(mrows) == 0 {
			return
		}
		if err := mf.Insert(ctx, app.DB, mrows); err != nil {
			b.Fatal(err)
		}
		if err := df.Insert(ctx, app.DB, drows); err != nil {
			b.Fatal(err)
		}
		mrows, drows = mrows[:0], drows[:0]
	}
	for i := range n {
		for j := 0; j+8 <= len(body); j += 8 {
			v := rng.Uint64()
			for k := range 8 {
				body[j+k] = byte(v >> (8 * k))
			}
		}
		copy(body, "%PDF-1.4\n")
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		key := "file/" + hash
		if err := app.Files.Blobs.Put(ctx, key, strings.NewReader(string(body))); err != nil {
			b.Fatal(err)
		}
		keys = append(keys, key)
		mrows = append(mrows, hash, "pdf", "application/pdf", size, now)
		drows = append(drows, items[i%len(items)], hash, "m.pdf", fmt.Sprintf("材料%05d", i), "2026-10-15", now)
		if len(mrows) >= 500*5 {
			flush()
		}
	}
	flush()
	office := servertest.Actor(b, app, "office")
	out := filepath.Join(b.TempDir(), "out")
	total := int64(n) * int64(size)

	// Read every blob once first, so that the raw copy and the export find
	// the same (warm) page cache.
	for _, k := range keys {
		rc, err := app.Files.Blobs.Open(ctx, k)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, rc)
		rc.Close()
	}
	var rawSecs, zipSecs, filesSecs float64
	var peakRSS, peakHeap, baseRSS, filesRSS uint64
	b.ResetTimer()
	for range b.N {
		// The raw baseline: the same blobs copied one after another into one file.
		start := time.Now()
		f, err := os.Create(out)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 64<<10)
		for _, k := range keys {
			rc, err := app.Files.Blobs.Open(ctx, k)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(w, rc); err != nil {
				b.Fatal(err)
			}
			rc.Close()
		}
		w.Flush()
		f.Sync()
		f.Close()
		rawSecs += time.Since(start).Seconds()
		os.Remove(out)

		runtime.GC()
		resetPeakRSS()
		baseRSS = max(baseRSS, readPeakRSS())
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		heapBefore := m.HeapInuse
		start = time.Now()
		f, err = os.Create(out)
		if err != nil {
			b.Fatal(err)
		}
		w = bufio.NewWriterSize(f, 64<<10)
		err = app.Dossiers.ExportZIP(ctx, office, round, w, func(done, total int, _ int64) {
			if done == total {
				filesRSS = max(filesRSS, readPeakRSS())
				filesSecs += time.Since(start).Seconds()
			}
			if done%200 == 0 || done == total {
				runtime.ReadMemStats(&m)
				peakHeap = max(peakHeap, m.HeapInuse-min(m.HeapInuse, heapBefore))
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		w.Flush()
		f.Sync()
		f.Close()
		zipSecs += time.Since(start).Seconds()
		peakRSS = max(peakRSS, readPeakRSS())
		os.Remove(out)
	}
	b.StopTimer()
	// The export alone in a fresh process (SQLite: the child opens the same
	// file): the peak RSS a server's export needs beside its own runtime.
	if app.DB.Dialect() == db.SQLite {
		var file string
		var seq int
		var name string
		if err := app.DB.QueryRow(ctx, "PRAGMA database_list").Scan(&seq, &name, &file); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestExportChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "WENMING_DOSSIER_CHILD_DB="+file, "WENMING_DOSSIER_CHILD_BLOBS="+blobDir,
			"WENMING_DOSSIER_CHILD_ROUND="+strconv.FormatInt(round, 10), "WENMING_DOSSIER_CHILD_OUT="+out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("child export: %v\n%s", err, msg)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			b.ReportMetric(float64(ru.Maxrss)/1024, "child-peak-RSS-MB")
		}
		os.Remove(out)
	}
	mb := float64(total) / (1 << 20) * float64(b.N)
	b.ReportMetric(float64(n), "files")
	b.ReportMetric(float64(total)/(1<<20), "MB")
	b.ReportMetric(mb/zipSecs, "zip-MB/s")
	b.ReportMetric(mb/rawSecs, "raw-MB/s")
	b.ReportMetric(zipSecs/rawSecs, "x-raw")
	// The files alone, before the index is written: what the disk allows.
	b.ReportMetric(mb/filesSecs, "files-MB/s")
	b.ReportMetric(float64(peakRSS)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(peakHeap)/(1<<20), "heap-growth-MB")
	b.ReportMetric(float64(baseRSS)/(1<<20), "before-RSS-MB")
	b.ReportMetric(float64(filesRSS)/(1<<20), "files-peak-RSS-MB")
}

// resetPeakRSS resets the process's peak resident size (VmHWM) to its
// current size on Linux (clear_refs 5); elsewhere the peak covers the
// whole run. The process holds the test's application beside the export:
// before-RSS-MB is that, read just after the reset.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) } //nolint:errcheck // Linux only

// readPeakRSS reads VmHWM from /proc/self/status, in bytes (0 elsewhere).
func readPeakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkCompletenessPage opens a round's completeness page for a round
// of 500 units: 20 monthly requirements, each with 100 of the units (lead
// and cooperating), 24,000 items in mixed states. It reports the page's
// p50 and p99 through the router, the store's Completeness alone, and the
// one grouped count it rests on (raw), with the page's ratio to raw.
// WENMING_TEST_POSTGRES selects PostgreSQL:
//
//	go test -run '^$' -bench CompletenessPage -benchtime 100x ./internal/dossier/
func BenchmarkCompletenessPage(b *testing.B) {
	ctx := context.Background()
	app := servertest.New(b)
	fixed := time.Date(2026, 12, 20, 2, 0, 0, 0, time.UTC)
	app.Dossiers.Now = func() time.Time { return fixed }
	const units, reqs, perReq = 500, 20, 100
	var seed []org.SeedUnit
	for i := range units {
		seed = append(seed, org.SeedUnit{UnitInput: org.UnitInput{Code: fmt.Sprintf("bench-%03d", i), Name: fmt.Sprintf("压测单位%03d", i),
			Kind: org.KindDepartment, RegionCode: demo.District}})
	}
	ids, _, err := org.SeedUnits(ctx, app.DB, seed, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	office := servertest.Actor(b, app, "office")
	r, err := app.Dossiers.CreateRound(ctx, office, dossier.RoundInput{Name: "压测轮次", EvaluationOn: "2027-03-15", RegionCode: demo.District})
	if err != nil {
		b.Fatal(err)
	}
	for q := range reqs {
		in := dossier.RequirementInput{CriterionCode: []string{"1.2.1.3", "1.2.2.2"}[q%2], Title: fmt.Sprintf("材料要求%02d", q+1),
			Types: []dossier.MaterialType{dossier.TypeAccount}, Frequency: dossier.Monthly}
		for k := range perReq {
			id := ids[fmt.Sprintf("bench-%03d", (q*perReq/4+k)%units)]
			if k == 0 {
				in.LeadUnitID = id
			} else {
				in.CoopUnitIDs = append(in.CoopUnitIDs, id)
			}
		}
		if _, err := app.Dossiers.AddRequirement(ctx, office, r.ID, in); err != nil {
			b.Fatal(err)
		}
	}
	n, err := app.Dossiers.OpenRound(ctx, office, r.ID)
	if err != nil {
		b.Fatal(err)
	}
	// Mixed states: a third approved, a sixth submitted, some returned.
	for _, st := range []struct {
		state string
		mod   int
	}{{"approved", 3}, {"submitted", 6}, {"returned", 17}} {
		if _, err := app.DB.Exec(ctx, "UPDATE dossier_item SET state = ? WHERE round_id = ? AND state = 'pending' AND id % ? = 0",
			st.state, r.ID, st.mod); err != nil {
			b.Fatal(err)
		}
	}
	if err := app.DB.Analyze(ctx, []string{"dossier_item", "dossier_requirement", "dossier_requirement_unit"}, nil); err != nil {
		b.Fatal(err)
	}
	browser := app.SignedIn(b, "office")
	path := "/dossiers/rounds/" + servertest.Itoa(r.ID)
	if res := browser.Get(path); res.Status != http.StatusOK || !strings.Contains(res.Body, "压测单位") {
		b.Fatalf("page: %d", res.Status)
	}
	raw := func() {
		rows, err := app.DB.Query(ctx, `SELECT requirement_id, unit_id, state, late, COUNT(*) FROM (
			SELECT requirement_id, unit_id, state, CASE WHEN due_on < ? THEN 1 ELSE 0 END AS late FROM dossier_item WHERE round_id = ?) x
			GROUP BY requirement_id, unit_id, state, late`, "2026-12-20", r.ID)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	}
	store := func() {
		if _, err := app.Dossiers.Completeness(ctx, office, r.ID); err != nil {
			b.Fatal(err)
		}
	}
	page := func() {
		if res := browser.Get(path); res.Status != http.StatusOK {
			b.Fatal(res.Status)
		}
	}
	b.ResetTimer()
	var tp, ts, tr []time.Duration
	for range b.N {
		for _, x := range []struct {
			fn   func()
			into *[]time.Duration
		}{{page, &tp}, {store, &ts}, {raw, &tr}} {
			start := time.Now()
			x.fn()
			*x.into = append(*x.into, time.Since(start))
		}
	}
	b.StopTimer()
	pct := func(d []time.Duration, p float64) float64 {
		slices.Sort(d)
		return float64(d[min(len(d)-1, int(float64(len(d))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(n), "items")
	b.ReportMetric(pct(tp, 0.5), "page-p50-ms")
	b.ReportMetric(pct(tp, 0.99), "page-p99-ms")
	b.ReportMetric(pct(ts, 0.5), "store-p50-ms")
	b.ReportMetric(pct(ts, 0.99), "store-p99-ms")
	b.ReportMetric(pct(tr, 0.5), "raw-p50-ms")
	b.ReportMetric(pct(tp, 0.5)/pct(tr, 0.5), "x-raw")
}

// TestExportChild is the child process of BenchmarkExportZIP: it exports
// a round of the benchmark's database into a file and exits. It does
// nothing unless the benchmark set its environment.
func TestExportChild(t *testing.T) {
	path := os.Getenv("WENMING_DOSSIER_CHILD_DB")
	if path == "" {
		t.Skip("run by BenchmarkExportZIP")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{SQLitePath: path, Readers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	round, _ := strconv.ParseInt(os.Getenv("WENMING_DOSSIER_CHILD_ROUND"), 10, 64)
	s := &dossier.Store{DB: d, Framework: &framework.Store{DB: d}, Files: &media.Files{Blobs: flatStore{os.Getenv("WENMING_DOSSIER_CHILD_BLOBS")}, DB: d}}
	f, err := os.Create(os.Getenv("WENMING_DOSSIER_CHILD_OUT"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	var progress dossier.Progress
	if prof := os.Getenv("WENMING_DOSSIER_CHILD_PROF"); prof != "" {
		progress = func(done, total int, _ int64) {
			if done == total {
				pf, _ := os.Create(prof)
				pprof.WriteHeapProfile(pf)
				pf.Close()
			}
		}
	}
	if err := s.ExportZIP(ctx, access.System(), round, w, progress); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
