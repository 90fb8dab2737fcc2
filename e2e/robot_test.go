//go:build browser

package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server"
)

// TestOfficeConfiguresFeishuRobot: the office adds a 飞书 robot for its
// district through the form (the address and secret are not shown again),
// and a case dispatched in the district reaches the local Feishu server,
// signed as Feishu documents.
func TestOfficeConfiguresFeishuRobot(t *testing.T) {
	ctx := context.Background()
	const hook, secret = "2f8a0c5e-7b1d-4c3a-9e6f-1a2b3c4d5e6f", "e2eFeishuSecret01"
	var mu sync.Mutex
	var got []string
	feishu := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Timestamp, Sign string
			Card            struct {
				Elements []struct{ Content string } `json:"elements"`
			} `json:"card"`
		}
		raw, _ := io.ReadAll(r.Body)
		json.Unmarshal(raw, &m) //nolint:errcheck
		mac := hmac.New(sha256.New, []byte(m.Timestamp+"\n"+secret))
		if r.URL.Path != "/open-apis/bot/v2/hook/"+hook || m.Sign != base64.StdEncoding.EncodeToString(mac.Sum(nil)) || len(m.Card.Elements) == 0 {
			io.WriteString(w, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`)
			return
		}
		mu.Lock()
		got = append(got, m.Card.Elements[0].Content)
		mu.Unlock()
		io.WriteString(w, `{"code":0,"msg":"success"}`)
	}))
	defer feishu.Close()

	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.DataKey = pii.GenerateKey()
	cfg.AllowPrivateWebhooks = true // the local Feishu server
	app, err := server.New(ctx, cfg, dbtest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	defer srv.Close()
	base := srv.URL

	b := newBrowser(t)
	var table, endpoint string
	err = chromedp.Do(b,
		signIn(base, "office", "wenming-office-2026"),
		clickAndWait(`nav.nav a[href="/robots"]`),
		chromedp.WaitVisible(chromedp.CSS(`#robot-form`)),
		chromedp.SendKeys(chromedp.CSS(`#robot-form input[name=name]`), "区创文办飞书群"),
		chromedp.SetValue(chromedp.CSS(`#robot-form select[name=platform]`), "feishu"),
		chromedp.SendKeys(chromedp.CSS(`#robot-form input[name=endpoint]`), feishu.URL+"/open-apis/bot/v2/hook/"+hook),
		chromedp.SendKeys(chromedp.CSS(`#robot-form input[name=secret]`), secret),
		clickAndWait(`#robot-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#robots`)),
		textInto(`#robots`, &table),
		clickAndWait(`#robots a[href^="/robots/"]`),
		chromedp.WaitVisible(chromedp.CSS(`#robot-edit`)),
		valueInto(`#robot-edit input[name=endpoint]`, &endpoint),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table, "区创文办飞书群") || !strings.Contains(table, "飞书") || strings.Contains(table, hook) {
		t.Errorf("robot list:\n%s", table)
	}
	if endpoint != "" {
		t.Errorf("the saved address is shown again: %q", endpoint)
	}

	office := actorNamed(t, app, "office")
	cat, err := app.Categories.ByCode(ctx, "SR02")
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.Problems.Report(ctx, actorNamed(t, app, "inspector"), problem.ReportInput{Source: problem.SourceInspection,
		CategoryID: cat.ID, Description: "人行道破损", RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	var moved *problem.Case
	for _, a := range []problem.Action{problem.ActFile, problem.ActDispatch} {
		if moved, err = app.Problems.Move(ctx, office, c.ID, problem.MoveInput{Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := app.RobotSender.Send(ctx); err != nil {
		t.Fatal(err)
	}
	// The message names the case and the unit it went to.
	if len(got) != 1 || !strings.Contains(got[0], c.Code) || moved.UnitName == "" || !strings.Contains(got[0], moved.UnitName) {
		t.Errorf("feishu got %q, want %s and %q", got, c.Code, moved.UnitName)
	}
}
