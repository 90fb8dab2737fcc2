package bulletin_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/bulletin"
)

// notified lists, by username, who was told of a bulletin, and fails the
// test unless every row is an unread bulletin_issued notice with the
// bulletin's number and title and no case.
func notified(t *testing.T, w *world, b *bulletin.Bulletin) []string {
	t.Helper()
	rows, err := w.app.DB.Query(context.Background(), `SELECT u.username, n.kind, n.args, n.problem_id IS NULL, n.read_at IS NULL
		FROM notification n JOIN app_user u ON u.id = n.user_id WHERE n.bulletin_id = ? ORDER BY u.username`, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	want := []string{b.NumberText(w.cat.T), b.TitleText(w.cat.T)}
	for rows.Next() {
		var name, kind, raw string
		var noCase, unread bool
		if err := rows.Scan(&name, &kind, &raw, &noCase, &unread); err != nil {
			t.Fatal(err)
		}
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			t.Fatalf("%s: args %q: %v", name, raw, err)
		}
		if kind != bulletin.NoticeIssued || !slices.Equal(args, want) || !noCase || !unread {
			t.Errorf("%s got %s %v (case-less %v, unread %v), want %s %v", name, kind, args, noCase, unread, bulletin.NoticeIssued, want)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// TestIssueNotifiesUnitsAndLeaders: issuing (by hand, again, and by the
// schedule) tells the handlers of every listed unit and the leaders over
// the scope, once each, in the bell.
func TestIssueNotifiesUnitsAndLeaders(t *testing.T) {
	w := newWorld(t)
	build(t, w)
	ctx := context.Background()
	office := w.actors["office"]

	// The district: the street (handler) and the community (shequ) are
	// listed; the leader's jurisdiction holds the district. The office,
	// the inspector and the volunteer are told nothing.
	district, err := w.bulletin.Issue(ctx, office, request("410411"))
	if err != nil {
		t.Fatal(err)
	}
	if got := notified(t, w, district); !slices.Equal(got, []string{"handler", "leader", "shequ"}) {
		t.Fatalf("district bulletin notified %v", got)
	}
	// Through the notice store, as the notifications page reads it.
	list, err := w.app.Notices.List(ctx, w.actors["shequ"], 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 || list[0].BulletinID != district.ID || list[0].ProblemID != 0 {
		t.Fatalf("the community's latest notification %+v", list[0])
	}
	args := make([]any, len(list[0].Args))
	for i, a := range list[0].Args {
		args[i] = a
	}
	if text, want := w.cat.T(list[0].Key(), args...),
		"通报下发：〔2026〕第1期《湛河区创建文明城市问题整改情况通报（2026年第47周）》已下发，请查看本单位排名和问题清单。"; text != want {
		t.Fatalf("notice text %q, want %q", text, want)
	}
	if n, err := w.app.Notices.Unread(ctx, w.actors["leader"]); err != nil || n != 1 {
		t.Fatalf("leader's bell: %d %v", n, err)
	}

	// Another street: neither the street of 410411001 nor its community
	// is listed.
	other, err := w.bulletin.Issue(ctx, office, request("410411002"))
	if err != nil {
		t.Fatal(err)
	}
	if got := notified(t, w, other); !slices.Equal(got, []string{"leader"}) {
		t.Fatalf("other street's bulletin notified %v", got)
	}

	// A group of units: the handlers of those units and the leaders of
	// the issuing office's jurisdiction; a disabled handler is skipped.
	group, err := w.bulletin.Issue(ctx, office, bulletin.Request{Units: []int64{w.unitID(t, "410411001001"), w.unitID(t, "410411-cg")},
		Period: week47, Title: "重点单位专项通报"})
	if err != nil {
		t.Fatal(err)
	}
	if got := notified(t, w, group); !slices.Equal(got, []string{"leader", "shequ"}) {
		t.Fatalf("group bulletin notified %v", got)
	}
	if _, err := w.app.DB.Exec(ctx, "UPDATE app_user SET disabled = TRUE WHERE username = 'shequ'"); err != nil {
		t.Fatal(err)
	}
	// Re-issued: told again, under the new number; not the disabled.
	again, err := w.bulletin.Reissue(ctx, office, group.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := notified(t, w, again); again.Seq != group.Seq+1 || !slices.Equal(got, []string{"leader"}) {
		t.Fatalf("re-issue %d notified %v", again.Seq, got)
	}
	if _, err := w.app.DB.Exec(ctx, "UPDATE app_user SET disabled = FALSE WHERE username = 'shequ'"); err != nil {
		t.Fatal(err)
	}

	// Someone who is both a handler of a listed unit and a leader over
	// the scope is told once.
	if _, err := w.app.DB.Exec(ctx, "INSERT INTO user_role (user_id, role) VALUES (?, ?)", w.actors["handler"].UserID,
		string(access.RoleLeader)); err != nil {
		t.Fatal(err)
	}
	street, err := w.bulletin.Issue(ctx, office, request("410411001"))
	if err != nil {
		t.Fatal(err)
	}
	if got := notified(t, w, street); !slices.Equal(got, []string{"handler", "leader", "shequ"}) {
		t.Fatalf("street bulletin notified %v", got)
	}

	// The schedule issues the past week by itself and tells them too.
	w.now = time.Date(2026, 11, 20, 15, 0, 0, 0, shanghai)
	if _, err := w.bulletin.CreateSchedule(ctx, office, bulletin.ScheduleInput{ScopeRegion: "410411", Kind: "week", Weekday: 1, Hour: 9}); err != nil {
		t.Fatal(err)
	}
	if n, err := w.bulletin.RunDue(ctx, time.Date(2026, 11, 23, 9, 1, 0, 0, shanghai)); err != nil || n != 1 {
		t.Fatalf("scheduled run issued %d: %v", n, err)
	}
	var id int64
	if err := w.app.DB.QueryRow(ctx, "SELECT id FROM bulletin WHERE schedule_id IS NOT NULL").Scan(&id); err != nil {
		t.Fatal(err)
	}
	scheduled, err := w.bulletin.Get(ctx, office, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := notified(t, w, scheduled); !slices.Equal(got, []string{"handler", "leader", "shequ"}) {
		t.Fatalf("scheduled bulletin notified %v", got)
	}
}
