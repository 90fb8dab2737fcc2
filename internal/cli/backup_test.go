package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server"
)

// TestBackupDuringWritesRestoresEveryAcknowledgedCase takes a backup with
// `wenming backup` while cases with photos are being reported, restores it
// with `wenming restore` into an empty data directory, and finds every case
// and photo acknowledged before the backup began; then damaged and
// mismatched archives, and a target that is not empty, are refused in
// Chinese with nothing restored.
func TestBackupDuringWritesRestoresEveryAcknowledgedCase(t *testing.T) {
	ctx := context.Background()
	env := dataEnv(t)
	app := openSQLiteApp(t, env["WENMING_DATA_DIR"])
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	inspector := actorNamed(t, app, "inspector")
	sub, err := app.Categories.ByCode(ctx, "SR02")
	if err != nil {
		t.Fatal(err)
	}

	type ack struct {
		id          int64
		code, photo string
		at          time.Time
	}
	var (
		mu    sync.Mutex
		acked []ack
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	report := func(worker, n int) {
		p, err := app.Media.Ingest(ctx, bytes.NewReader(jpegOf(worker*1000+n)), "现场.jpg")
		if err != nil {
			t.Error(err)
			return
		}
		c, err := app.Problems.Report(ctx, inspector, problem.ReportInput{Source: problem.SourceInspection, CategoryID: sub.ID,
			Description: "备份期间上报：楼道堆放杂物", RegionCode: "410411001001", Photos: []string{p.Hash}})
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		acked = append(acked, ack{c.ID, c.Code, p.Hash, time.Now()})
		mu.Unlock()
	}
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				report(w+1, n)
			}
		}()
	}
	// Let some cases land, then back up while the writers go on.
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 20 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	archive := filepath.Join(t.TempDir(), "wenming.tar.gz")
	began := time.Now()
	r := run(t, env, "", "backup", archive)
	close(stop)
	wg.Wait()
	if r.code != 0 || !strings.Contains(r.stdout, "备份完成") {
		t.Fatalf("backup: %d %s %s", r.code, r.stdout, r.stderr)
	}
	var before []ack
	for _, a := range acked {
		if a.at.Before(began) {
			before = append(before, a)
		}
	}
	if len(before) < 20 {
		t.Fatalf("only %d cases acknowledged before the backup began", len(before))
	}
	t.Logf("%d of %d cases acknowledged before the backup began; %s", len(before), len(acked), strings.TrimSpace(r.stdout))

	// Restore into an empty data directory and look for every case.
	target := dataEnv(t)
	r = run(t, target, "", "restore", archive)
	if r.code != 0 || !strings.Contains(r.stdout, "恢复完成") {
		t.Fatalf("restore: %d %s %s", r.code, r.stdout, r.stderr)
	}
	restored := openSQLiteApp(t, target["WENMING_DATA_DIR"])
	office := actorNamed(t, restored, "office")
	for _, a := range before {
		c, err := restored.Problems.Get(ctx, office, a.id)
		if err != nil || c.Code != a.code {
			t.Fatalf("case %s acknowledged before the backup is missing: %v", a.code, err)
		}
		events, err := restored.Problems.Timeline(ctx, office, a.id)
		if err != nil || len(events) == 0 || len(events[0].Photos) != 1 || events[0].Photos[0].Hash != a.photo {
			t.Fatalf("case %s: timeline %+v, %v; want its photo %s", a.code, events, err, a.photo)
		}
		for _, open := range []func() (io.ReadCloser, error){
			func() (io.ReadCloser, error) { return restored.Media.OpenOriginal(ctx, a.photo) },
			func() (io.ReadCloser, error) { return restored.Media.OpenDerived(ctx, a.photo, "thumb") },
		} {
			rc, err := open()
			if err != nil {
				t.Fatalf("photo %s of case %s not restored: %v", a.photo, a.code, err)
			}
			rc.Close()
		}
	}

	// A target that already holds a database is refused.
	r = run(t, target, "", "restore", archive)
	if r.code == 0 || !strings.Contains(r.stderr, "恢复的目标不是空的") {
		t.Fatalf("restore over an installation: %d %s", r.code, r.stderr)
	}

	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name, want string
		body       []byte
	}{
		{"truncated", "备份文件已损坏", data[:len(data)/2]},
		{"not gzip", "备份文件已损坏", []byte("这不是备份文件")},
		{"flipped byte", "备份文件已损坏", flip(data, len(data)/3)},
		{"newer schema", "比本程序支持的版本", rewriteManifest(t, data, func(m map[string]any) { m["schema_version"] = 99999 })},
		{"other format", "格式", rewriteManifest(t, data, func(m map[string]any) { m["format"] = "other/9" })},
		{"checksum", "校验和与清单不符", rewriteManifest(t, data, func(m map[string]any) {
			files := m["files"].([]any)
			files[0].(map[string]any)["sha256"] = strings.Repeat("0", 64)
		})},
	} {
		t.Run(bad.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "bad.tar.gz")
			if err := os.WriteFile(f, bad.body, 0o600); err != nil {
				t.Fatal(err)
			}
			dst := dataEnv(t)
			r := run(t, dst, "", "restore", f)
			if r.code == 0 || !strings.Contains(r.stderr, bad.want) || !strings.Contains(r.stderr, "没有恢复任何内容") {
				t.Fatalf("restore of a %s archive: %d %q", bad.name, r.code, r.stderr)
			}
			left, _ := os.ReadDir(dst["WENMING_DATA_DIR"])
			if len(left) != 0 {
				t.Fatalf("a refused restore left %v behind", left)
			}
		})
	}
}

func TestBackupRefusesPostgresAndObjectStorage(t *testing.T) {
	env := dataEnv(t)
	env["WENMING_DATABASE_URL"] = "postgres://wenming@db.internal/wenming"
	r := run(t, env, "", "backup", filepath.Join(t.TempDir(), "x.tar.gz"))
	if r.code == 0 || !strings.Contains(r.stderr, "pg_dump") {
		t.Fatalf("backup on PostgreSQL: %d %s", r.code, r.stderr)
	}
	env = dataEnv(t)
	env["WENMING_STORAGE_URL"], env["WENMING_S3_ACCESS_KEY"], env["WENMING_S3_SECRET_KEY"] = "s3://photos/wm", "k", "s"
	r = run(t, env, "", "backup", filepath.Join(t.TempDir(), "x.tar.gz"))
	if r.code == 0 || !strings.Contains(r.stderr, "对象存储") || strings.Contains(r.stderr+r.stdout, "备份完成") {
		t.Fatalf("backup with object storage: %d %s", r.code, r.stderr)
	}
}

// openSQLiteApp builds the application on the SQLite file of dir (always
// SQLite: backup is for the embedded database).
func openSQLiteApp(t *testing.T, dir string) *server.App {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = dir
	d, err := db.Open(ctx, db.Options{SQLitePath: cfg.SQLitePath(), Readers: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	app, err := server.New(ctx, cfg, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func actorNamed(t *testing.T, app *server.App, username string) access.Actor {
	t.Helper()
	users, _, err := app.Org.ListUsers(context.Background(), access.System(), org.UserFilter{Query: username, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == username {
			a, _, err := app.Org.Actor(context.Background(), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
	}
	t.Fatalf("no user %s", username)
	return access.Actor{}
}

func jpegOf(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x*4 + seed), uint8(y*5 + seed/256), uint8(seed * 37), 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil) //nolint:errcheck // into memory
	return buf.Bytes()
}

func flip(data []byte, at int) []byte {
	out := append([]byte(nil), data...)
	out[at] ^= 0xFF
	return out
}

// rewriteManifest returns the archive with its manifest changed by edit.
func rewriteManifest(t *testing.T, data []byte, edit func(map[string]any)) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "manifest.json" {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
			edit(m)
			if body, err = json.Marshal(m); err != nil {
				t.Fatal(err)
			}
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(body) //nolint:errcheck // into memory
	}
	tw.Close()
	zw.Close()
	return out.Bytes()
}
