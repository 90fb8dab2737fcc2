package servertest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/server"
)

// Another starts a second server on a's database, as a second instance
// behind a load balancer would run: its own caches, the same data (the
// demo district is not loaded again). edit, when set, changes its
// configuration. It stops when t ends.
func (a *App) Another(t testing.TB, edit func(*config.Config)) *App {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	if edit != nil {
		edit(&cfg)
	}
	log := slog.New(slog.NewTextHandler(logWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	app, err := server.New(context.Background(), cfg, a.DB, log)
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	other := &App{App: app, Demo: a.Demo, keys: a.keys}
	start := time.Now()
	other.now.Store(&start)
	app.Auth.Now = other.Now
	app.Org.Now = other.Now
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(srv.Close)
	other.URL = srv.URL
	return other
}
