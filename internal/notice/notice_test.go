package notice_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

func TestNotificationsOncePerKeyAndRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := demo.Load(ctx, &region.Store{DB: d}, org.New(d)); err != nil {
		t.Fatal(err)
	}
	rows, err := d.Query(ctx, "SELECT id FROM app_user ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var users []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		users = append(users, id)
	}
	rows.Close()
	if len(users) < 3 {
		t.Fatalf("demo has %d users", len(users))
	}
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	m := notice.Message{Users: users, Kind: "escalated_red", Args: []string{"20261203-00001", "2026-12-02 17:30"}, Dedupe: "esc:1:2:20261203", At: at}
	// The same escalation run twice (two servers): one notification each.
	for range 2 {
		if err := notice.Add(ctx, d, m); err != nil {
			t.Fatal(err)
		}
	}
	// Without a key every message counts.
	if err := notice.Add(ctx, d, notice.Message{Users: users[:1], BulletinID: 0, Kind: "dispatched", Args: []string{"x"}, At: at.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	s := &notice.Store{DB: d, Now: func() time.Time { return at.Add(time.Hour) }}
	first := access.Actor{UserID: users[0]}
	list, err := s.List(ctx, first, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Kind != "dispatched" || list[1].Kind != "escalated_red" || len(list[1].Args) != 2 ||
		list[1].Key() != "problem.notice.escalated_red" || !list[1].CreatedAt.Equal(at) {
		t.Fatalf("first user's bell: %+v", list)
	}
	if n, err := s.Unread(ctx, access.Actor{UserID: users[1]}); err != nil || n != 1 {
		t.Fatalf("second user's unread: %d %v", n, err)
	}
	if err := s.MarkRead(ctx, first, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Unread(ctx, first); n != 1 {
		t.Fatalf("after reading one: %d unread", n)
	}
	if err := s.MarkRead(ctx, first, 0); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Unread(ctx, first); n != 0 {
		t.Fatalf("after reading all: %d unread", n)
	}
	if _, err := s.List(ctx, access.Actor{}, 10); err == nil {
		t.Fatal("an anonymous actor listed notifications")
	}
}

// TestPagesAndKinds: a user's notifications come a page at a time, of one
// kind or all, are counted by kind, and one kind can be marked read
// without touching the others or another user's.
func TestPagesAndKinds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := demo.Load(ctx, &region.Store{DB: d}, org.New(d)); err != nil {
		t.Fatal(err)
	}
	var me, other int64
	if err := d.QueryRow(ctx, "SELECT MIN(id), MAX(id) FROM app_user").Scan(&me, &other); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	kinds := map[string]int{"dispatched": 25, "verify": 3}
	i := 0
	for kind, n := range kinds {
		for range n {
			i++
			if err := notice.Add(ctx, d, notice.Message{Users: []int64{me, other}, Kind: kind, Args: []string{"x"}, At: at.Add(time.Duration(i) * time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := &notice.Store{DB: d, Now: func() time.Time { return at.Add(time.Hour) }}
	a := access.Actor{UserID: me}
	tests := []struct {
		f           notice.Filter
		rows, total int
	}{
		{notice.Filter{Limit: 20}, 20, 28},
		{notice.Filter{Offset: 20, Limit: 20}, 8, 28},
		{notice.Filter{Kind: "verify", Limit: 20}, 3, 3},
		{notice.Filter{Kind: "dispatched", Offset: 20, Limit: 20}, 5, 25},
		{notice.Filter{Kind: "none", Limit: 20}, 0, 0},
	}
	for _, tc := range tests {
		list, total, err := s.Page(ctx, a, tc.f)
		if err != nil || len(list) != tc.rows || total != tc.total {
			t.Errorf("%+v: %d rows of %d (%v), want %d of %d", tc.f, len(list), total, err, tc.rows, tc.total)
		}
		for j, n := range list {
			if tc.f.Kind != "" && n.Kind != tc.f.Kind || j > 0 && n.ID > list[j-1].ID {
				t.Errorf("%+v: row %d is %s #%d", tc.f, j, n.Kind, n.ID)
			}
		}
	}
	if err := s.MarkKindRead(ctx, a, "dispatched"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Kinds(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	want := []notice.KindCount{{Kind: "verify", Total: 3, Unread: 3}, {Kind: "dispatched", Total: 25, Unread: 0}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("kinds %+v, want %+v", got, want)
	}
	if n, _ := s.Unread(ctx, access.Actor{UserID: other}); n != 28 {
		t.Errorf("another user's unread: %d", n)
	}
	if err := s.MarkKindRead(ctx, access.Actor{}, "verify"); err == nil {
		t.Error("an anonymous actor marked notifications read")
	}
}
