package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var noticeItem = regexp.MustCompile(`<li class="(unread)?">`)

// TestNotificationPagesAndKinds: the bell's list comes 20 at a time, can
// show one kind, and one kind can be marked read, leaving the others.
func TestNotificationPagesAndKinds(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	me := servertest.MustAtoi(t, servertest.UserIDByName(t, app, "shequ"))
	at := app.Problems.Now().Add(-time.Hour)
	seed := map[string]int{"dispatched": 23, "rework": 4}
	i := 0
	for kind, n := range seed {
		for range n {
			i++
			if err := notice.Add(ctx, app.DB, notice.Message{Users: []int64{me}, Kind: kind, Args: []string{"2026120" + strconv.Itoa(i%10) + "-0000" + strconv.Itoa(i%10)},
				At: at.Add(time.Duration(i) * time.Second)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	b := app.Browser(t)
	b.SignIn("shequ", "wenming-shequ-2026")
	tests := []struct {
		query      string
		items      int
		want       []string
		unreadRows int
	}{
		{"", 20, []string{"新派遣 <span class=\"count\">23</span>", "返工 <span class=\"count\">4</span>", "共 27 条", `rel="next"`}, 20},
		{"?page=2", 7, []string{`rel="prev"`}, 7},
		{"?kind=rework", 4, []string{`aria-current="page">返工`, "将「返工」全部标为已读"}, 4},
		{"?kind=dispatched&page=2", 3, []string{`rel="prev"`}, 3},
		{"?kind=nonsense", 20, nil, 20}, // an unknown kind shows all
	}
	for _, tc := range tests {
		res := b.Get("/notifications" + tc.query)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d", tc.query, res.Status)
		}
		items := noticeItem.FindAllStringSubmatch(res.Body, -1)
		unread := 0
		for _, m := range items {
			if m[1] != "" {
				unread++
			}
		}
		if len(items) != tc.items || unread != tc.unreadRows {
			t.Errorf("%s: %d items (%d unread), want %d (%d)", tc.query, len(items), unread, tc.items, tc.unreadRows)
		}
		servertest.MustContain(t, res.Body, tc.want...)
	}
	// Mark the rework notices read: they are, the dispatches are not.
	b.Get("/notifications?kind=rework")
	res := b.Post("/notifications/read", url.Values{"kind": {"rework"}})
	if res.Status != http.StatusSeeOther || res.Location != "/notifications?kind=rework" {
		t.Fatalf("mark kind read: %d %s", res.Status, res.Location)
	}
	page := b.Get(res.Location)
	servertest.MustContain(t, page.Body, "「返工」通知已全部标为已读。")
	servertest.MustNotContain(t, page.Body, "将「返工」全部标为已读", `<li class="unread">`)
	if n, err := app.Notices.Unread(ctx, servertest.Actor(t, app, "shequ")); err != nil || n != seed["dispatched"] {
		t.Errorf("unread after marking rework: %d %v", n, err)
	}
}
