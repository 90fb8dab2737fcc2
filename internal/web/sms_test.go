package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestSMSLogPage: the administrator sees the outbox, with masked phones,
// the text as sent and each message's state; nobody else opens it.
func TestSMSLogPage(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
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
			row.phone, string(args), "sms-page-"+servertest.Itoa(int64(i)), db.Millis(now), row.sent, row.failed, row.attempts, row.lastErr); err != nil {
			t.Fatal(err)
		}
	}
	admin := app.Browser(t)
	admin.SignIn("admin", servertest.DemoPassword("admin"))
	res := admin.Get("/admin/sms")
	if res.Status != http.StatusOK {
		t.Fatalf("admin: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, `href="/admin/sms"`, "短信发送记录", "未配置短信网关", "139****1111", "红牌督办：问题 410411-20261120-0007",
		"待发送", "已发送", "已放弃（尝试 5 次）", "bad number")
	servertest.MustNotContain(t, res.Body, "13900001111")
	var rows []servertest.Scenario
	for _, who := range []string{"office", "leader", "handler"} {
		rows = append(rows,
			servertest.Scenario{Name: who + " opens the SMS log", As: who, URL: "/admin/sms", Status: http.StatusForbidden},
			servertest.Scenario{Name: who + "'s navigation", As: who, URL: "/", NotContains: []string{`href="/admin/sms"`}})
	}
	app.Run(t, rows)
}
