package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
)

// TestSMSLogPage: the administrator sees the outbox, with masked phones,
// the text as sent and each message's state; nobody else opens it.
func TestSMSLogPage(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	now := time.Now()
	args, _ := json.Marshal([]string{"410411-20261120-0007", "2026-11-21 17:30"})
	for i, row := range []struct {
		phone    string
		sent     any
		failed   any
		attempts int
		lastErr  string
	}{
		{"13900001111", nil, nil, 0, ""},
		{"13900002222", db.Millis(now), nil, 1, ""},
		{"13900003333", nil, db.Millis(now), 5, "gateway answered 400: bad number"},
	} {
		if _, err := app.DB.Exec(ctx, `INSERT INTO outbox_message (channel, to_name, to_phone, kind, args, dedupe_key, created_at,
			sent_at, failed_at, attempts, last_error) VALUES ('sms', '王主任', ?, 'escalated_red', ?, ?, ?, ?, ?, ?, ?)`,
			row.phone, string(args), "sms-page-"+strconvI(int64(i)), db.Millis(now), row.sent, row.failed, row.attempts, row.lastErr); err != nil {
			t.Fatal(err)
		}
	}
	admin := app.browser(t)
	admin.signIn("admin", demoPassword("admin"))
	res := admin.get("/admin/sms")
	if res.Status != http.StatusOK {
		t.Fatalf("admin: %d", res.Status)
	}
	mustContain(t, res.Body, `href="/admin/sms"`, "短信发送记录", "未配置短信网关", "139****1111", "红牌督办：问题 410411-20261120-0007",
		"待发送", "已发送", "已放弃（尝试 5 次）", "bad number")
	mustNotContain(t, res.Body, "13900001111")
	for _, who := range []string{"office", "leader", "handler"} {
		b := app.browser(t)
		b.signIn(who, demoPassword(who))
		if res := b.get("/admin/sms"); res.Status != http.StatusForbidden {
			t.Errorf("%s opened the SMS log: %d", who, res.Status)
		}
		if res := b.get("/"); strings.Contains(res.Body, `href="/admin/sms"`) {
			t.Errorf("%s's navigation lists the SMS log", who)
		}
	}
}
