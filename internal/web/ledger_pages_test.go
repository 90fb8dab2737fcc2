package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"testing"

	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var (
	nextLink = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	caseCode = regexp.MustCompile(`\b20\d{6}-\d{5}\b`)
)

// TestLedgerPagesByCursor follows the ledger's 下一页 links to the end:
// every case once, the page number said, and a forged cursor refused in
// words.
func TestLedgerPagesByCursor(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	cat := servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02"))
	inspector := servertest.Actor(t, app, "inspector")
	want := map[string]bool{}
	for range 45 {
		c, err := app.Problems.Report(ctx, inspector, problem.ReportInput{Source: problem.SourceInspection, CategoryID: cat,
			Description: "单元门口堆放废旧家具", RegionCode: "410411001001"})
		if err != nil {
			t.Fatal(err)
		}
		want[c.Code] = true
	}
	office := app.SignedIn(t, "office")
	seen, path := map[string]int{}, "/problems"
	for page := 1; ; page++ {
		res := office.Get(path)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, res.Status)
		}
		for code := range distinct(caseCode.FindAllString(res.Body, -1)) {
			seen[code]++
		}
		servertest.MustContain(t, res.Body, "共 45 条，第 "+servertest.Itoa(int64(page))+" / 3 页")
		m := nextLink.FindStringSubmatch(res.Body)
		if m == nil {
			if page != 3 {
				t.Fatalf("no next page after page %d", page)
			}
			servertest.MustContain(t, res.Body, `rel="prev"`, "首页")
			break
		}
		path = html.UnescapeString(m[1])
	}
	for code := range want {
		if seen[code] != 1 {
			t.Errorf("%s shown on %d pages", code, seen[code])
		}
	}

	res := office.Get("/problems?cursor=a2.n.zz.1")
	if res.Status != http.StatusBadRequest {
		t.Fatalf("forged cursor: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "翻页位置无效")

	// The API pages the same way: next_cursor until there is none.
	token := servertest.CreateToken(t, app.SignedIn(t, "admin"), servertest.UserIDByName(t, app, "office"), "分页")
	apiSeen, cursor := 0, ""
	for range 10 {
		status, body := servertest.APICall(t, app, http.MethodGet, "/api/v1/problems?limit=20&cursor="+cursor, token, "")
		if status != http.StatusOK {
			t.Fatalf("api: %d %s", status, body)
		}
		var out struct {
			Items      []struct{ Code string }
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		apiSeen += len(out.Items)
		if cursor = out.NextCursor; cursor == "" {
			break
		}
	}
	if apiSeen != 45 {
		t.Errorf("the API's cursors listed %d cases, want 45", apiSeen)
	}
	if status, body := servertest.APICall(t, app, http.MethodGet, "/api/v1/problems?cursor=bogus", token, ""); status != http.StatusBadRequest ||
		servertest.ErrorCode(t, body) != "problem.bad_cursor" {
		t.Errorf("api forged cursor: %d %s", status, body)
	}
}

func distinct(xs []string) map[string]bool {
	out := map[string]bool{}
	for _, x := range xs {
		out[x] = true
	}
	return out
}
