package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
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

// TestLedgerUnitPicker: the unit filter is a search box fed by
// /units/pick, not a list of every unit; without the script a typed name
// finds its unit, and a name that finds none says so and shows no case.
func TestLedgerUnitPicker(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	c := servertest.DispatchedCase(t, app)
	office := app.SignedIn(t, "office")

	res := office.Get("/units/pick?q=" + url.QueryEscape(c.UnitName[:6]))
	var picked struct {
		Units []struct {
			ID   int64
			Name string
		}
	}
	if err := json.Unmarshal([]byte(res.Body), &picked); err != nil || res.Status != http.StatusOK {
		t.Fatalf("pick: %d %s %v", res.Status, res.Body, err)
	}
	found := false
	for _, u := range picked.Units {
		found = found || u.ID == c.UnitID
	}
	if !found || len(picked.Units) > 20 {
		t.Errorf("pick %q: %+v, want unit %d among at most 20", c.UnitName[:6], picked.Units, c.UnitID)
	}
	if res := office.Get("/units/pick?q="); !strings.Contains(res.Body, `"units":[]`) {
		t.Errorf("empty query: %s", res.Body)
	}

	page := office.Get("/problems")
	if n := strings.Count(page.Body, "<option"); n > 100 {
		t.Errorf("the ledger lists %d options; the units must not be among them", n)
	}
	servertest.MustContain(t, page.Body, `data-unitpick`, `name="unit_name"`)

	byName := office.Get("/problems?unit_name=" + url.QueryEscape(c.UnitName))
	servertest.MustContain(t, byName.Body, c.Code, `value="`+servertest.Itoa(c.UnitID)+`"`)
	none := office.Get("/problems?unit_name=" + url.QueryEscape("不存在的单位"))
	servertest.MustContain(t, none.Body, "没有找到名称含“不存在的单位”的唯一单位")
	servertest.MustNotContain(t, none.Body, c.Code)
	byID := office.Get("/problems?unit=" + servertest.Itoa(c.UnitID))
	servertest.MustContain(t, byID.Body, c.Code, `value="`+c.UnitName+`"`)
}

// TestDispatchToATypedUnit: the dispatch form's picker sends a typed name
// when its script is not there; it finds the unit, or is refused in words.
func TestDispatchToATypedUnit(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	cat := servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02"))
	c, err := app.Problems.Report(ctx, servertest.Actor(t, app, "inspector"), problem.ReportInput{Source: problem.SourceInspection,
		CategoryID: cat, Description: "单元门口堆放废旧家具", RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Problems.Move(ctx, servertest.Actor(t, app, "office"), c.ID, problem.MoveInput{Action: problem.ActFile}); err != nil {
		t.Fatal(err)
	}
	office := app.SignedIn(t, "office")
	path := "/problems/" + servertest.Itoa(c.ID)
	page := office.Get(path)
	servertest.MustContain(t, page.Body, `name="unit_id_name"`, "留空则按规则自动派遣")
	res := office.PostMultipart(path+"/act", map[string]string{"action": "dispatch", "unit_id_name": "没有这个单位"}, nil)
	servertest.MustContain(t, res.Body, "没有找到名称含“没有这个单位”的唯一单位")
	const target = "湛河区城市管理局"
	if res := office.PostMultipart(path+"/act", map[string]string{"action": "dispatch", "unit_id_name": target}, nil); res.Status != http.StatusSeeOther {
		t.Fatalf("dispatch by name: %d\n%s", res.Status, res.Body)
	}
	got, err := app.Problems.Get(ctx, servertest.Actor(t, app, "office"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.UnitName != target || got.State != problem.Dispatched {
		t.Errorf("dispatched to %q (%s), want %s", got.UnitName, got.State, target)
	}
}

// TestLedgerTextCountStopsAtAThousand: a text search counts its matches
// up to 1,000 and then says "more than 1,000", where the ledger without
// text counts on to 10,000; the page of a search past the cap (walked
// newest first) shows the newest matches.
func TestLedgerTextCountStopsAtAThousand(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	cat := servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02"))
	const n = problem.TextCountCap + 5
	rows := problem.NewBulkRows(n+10, 0)
	base := app.Problems.Now().Add(-48 * time.Hour).UnixMilli()
	for i := range n + 10 {
		desc := "井盖破损"
		if i >= n {
			desc = "路灯不亮" // ten that do not match
		}
		at := base + int64(i)*60_000
		rows.AddCase(&problem.BulkCase{ID: int64(800000 + i), Code: "T-" + strconv.Itoa(i), Source: problem.SourceHotline, CategoryID: cat,
			Description: desc, RegionCode: "410411001001", State: problem.Reported, ReportedAt: at, LimitAmount: 3, LimitUnit: "day",
			Version: 1, UpdatedAt: at})
	}
	if err := app.DB.InTx(ctx, func(tx *db.Tx) error { return problem.NewBulkWriter().Write(ctx, tx, rows) }); err != nil {
		t.Fatal(err)
	}
	if err := app.Problems.RebuildSearch(ctx); err != nil {
		t.Fatal(err)
	}
	office := app.SignedIn(t, "office")
	search := office.Get("/problems?q=" + url.QueryEscape("井盖"))
	servertest.MustContain(t, search.Body, "超过 1000 条", "T-"+strconv.Itoa(n-1), "T-"+strconv.Itoa(n-20))
	servertest.MustNotContain(t, search.Body, "T-"+strconv.Itoa(n-21)+"<", "T-"+strconv.Itoa(n)+"<", "超过 10000 条")
	all := office.Get("/problems?source=hotline")
	servertest.MustNotContain(t, all.Body, "超过 1000 条")
	servertest.MustContain(t, all.Body, strconv.Itoa(n+10))
}
