package session_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/session"
)

func TestSessionLifeCycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := demo.Load(ctx, &region.Store{DB: d}, org.New(d)); err != nil {
		t.Fatal(err)
	}
	var office, other int64
	if err := d.QueryRow(ctx, "SELECT id FROM app_user WHERE username = 'office'").Scan(&office); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(ctx, "SELECT id FROM app_user WHERE username = 'leader'").Scan(&other); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	for i, h := range []string{"h-a", "h-b", "h-c"} {
		if err := session.Open(ctx, d, h, office, now.Add(time.Duration(i)*time.Hour), now.Add(8*time.Hour), "10.0.0.1", "test"); err != nil {
			t.Fatal(err)
		}
	}
	if err := session.Open(ctx, d, "h-other", other, now, now.Add(8*time.Hour), "", ""); err != nil {
		t.Fatal(err)
	}
	r, err := session.Get(ctx, d, "h-b")
	if err != nil || r.UserID != office || !r.Created.Equal(now.Add(time.Hour)) || !r.ExpiresAt.Equal(now.Add(8*time.Hour)) {
		t.Fatalf("Get = %+v, %v", r, err)
	}
	if err := session.Touch(ctx, d, "h-b", now.Add(2*time.Hour), now.Add(10*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r, _ := session.Get(ctx, d, "h-b"); !r.LastSeen.Equal(now.Add(2*time.Hour)) || !r.ExpiresAt.Equal(now.Add(10*time.Hour)) {
		t.Fatalf("after Touch: %+v", r)
	}
	// A password change keeps the session it was made in and ends the rest
	// of that user's, nobody else's.
	if err := session.EndAllOf(ctx, d, office, "h-b"); err != nil {
		t.Fatal(err)
	}
	for h, alive := range map[string]bool{"h-a": false, "h-b": true, "h-c": false, "h-other": true} {
		_, err := session.Get(ctx, d, h)
		if got := err == nil; got != alive || (!alive && !errors.Is(err, session.ErrNotFound)) {
			t.Errorf("%s alive=%v err=%v, want alive=%v", h, got, err, alive)
		}
	}
	// Purge: idle past expiry (h-other at +9h) goes, h-b (expires +10h) stays.
	n, err := session.Purge(ctx, d, now.Add(9*time.Hour), now.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1", n, err)
	}
	if err := session.End(ctx, d, "h-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := session.Get(ctx, d, "h-b"); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("ended session still there: %v", err)
	}
}
