package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var wallGroup = regexp.MustCompile(`(?s)<div class="wall-list-group" data-group="([^"]+)">.*?<div class="list-red"><h4>红榜</h4><ol>(.*?)</ol></div>\s*<div class="list-black"><h4>黑榜</h4><ol>(.*?)</ol>`)

// TestWallRedBlackLists: the wall screen shows the 红黑榜 of the latest
// bulletin, as the bulletin has them; before any bulletin it says so.
func TestWallRedBlackLists(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	office := app.SignedIn(t, "office")
	servertest.MustContain(t, office.Get("/dashboard/wall").Body, "尚未签发通报")

	bulletinCases(t, app) // 电力社区: three cases, two closed
	// A second community with one case left open: it ranks last.
	c, err := app.Problems.Report(ctx, access.System(), problem.ReportInput{Source: problem.SourceHotline,
		CategoryID: servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02")), Description: "绿地内堆放建筑垃圾", RegionCode: "410411001002"})
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []problem.Action{problem.ActFile, problem.ActDispatch} {
		if _, err := app.Problems.Move(ctx, servertest.Actor(t, app, "office"), c.ID, problem.MoveInput{Action: act}); err != nil {
			t.Fatal(err)
		}
	}
	office.Get("/bulletins/config")
	cfg := url.Values{"on_time": {"40"}, "closure": {"30"}, "rework": {"10"}, "return": {"10"}, "extension": {"10"},
		"per_failed": {"2"}, "per_falsified": {"5"}, "per_unjustified": {"1"}, "double_factor": {"2"}, "min_sample": {"1"}, "list_size": {"1"}}
	if res := office.Post("/bulletins/config", cfg); res.Status != http.StatusSeeOther {
		t.Fatalf("config: %d\n%s", res.Status, res.Body)
	}
	now := time.Now().In(calendar.Shanghai())
	office.Get("/bulletins")
	res := office.Post("/bulletins", composeForm("410411", "custom", now.AddDate(0, 0, -1).Format("2006-01-02"), now.Format("2006-01-02")))
	m := bulletinLink.FindStringSubmatch(res.Location)
	if m == nil {
		t.Fatalf("issue: %d %s", res.Status, res.Body)
	}
	b, err := app.Bulletins.Get(ctx, access.System(), servertest.MustAtoi(t, m[1]))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{}
	for _, g := range b.Groups {
		var red, black []string
		for _, u := range g.RedList() {
			red = append(red, u.Name)
		}
		for _, u := range g.BlackList() {
			black = append(black, u.Name)
		}
		if len(red)+len(black) > 0 {
			want[catalogue(t).T("bulletin.group."+g.Key)] = [2]string{strings.Join(red, ","), strings.Join(black, ",")}
		}
	}
	if len(want) == 0 {
		t.Fatal("the bulletin has no red or black list to show")
	}
	wall := office.Get("/dashboard/wall").Body
	servertest.MustContain(t, wall, "〔"+now.Format("2006")+"〕第1期")
	got := map[string][2]string{}
	names := regexp.MustCompile(`<li>([^<]+) <strong>`)
	for _, g := range wallGroup.FindAllStringSubmatch(wall, -1) {
		var red, black []string
		for _, n := range names.FindAllStringSubmatch(g[2], -1) {
			red = append(red, n[1])
		}
		for _, n := range names.FindAllStringSubmatch(g[3], -1) {
			black = append(black, n[1])
		}
		got[g[1]] = [2]string{strings.Join(red, ","), strings.Join(black, ",")}
	}
	if len(got) != len(want) {
		t.Fatalf("wall lists %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: wall shows %v, bulletin has %v", k, got[k], v)
		}
	}
}
