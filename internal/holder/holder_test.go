package holder_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/holder"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/site"
)

func sh(y int, m time.Month, d int) int64 {
	return db.Millis(time.Date(y, m, d, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)))
}

// workedCase is one case of the worked example.
type workedCase struct {
	region    string
	lng, lat  float64
	state     problem.State
	reported  int64
	deadline  int64
	closed    int64
	rectified int64
}

func writeCases(t *testing.T, app *servertest.App, cases []workedCase) {
	t.Helper()
	ctx := context.Background()
	cat := servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02"))
	rows := problem.NewBulkRows(len(cases), 0)
	for i, c := range cases {
		rows.AddCase(&problem.BulkCase{ID: int64(900000 + i), Code: fmt.Sprintf("T-%d", i), Source: problem.SourceInspection, CategoryID: cat,
			Description: "算例", Lng: c.lng, Lat: c.lat, RegionCode: c.region, State: c.state, Deadline: c.deadline, ReportedAt: c.reported,
			FiledAt: c.reported, ClosedAt: c.closed, RectifiedAt: c.rectified, LimitAmount: 3, LimitUnit: "day", Version: 1, UpdatedAt: c.reported})
	}
	w := problem.NewBulkWriter()
	if err := app.DB.InTx(ctx, func(tx *db.Tx) error { return w.Write(ctx, tx, rows) }); err != nil {
		t.Fatal(err)
	}
	if err := problem.FinishBulk(ctx, app.DB, map[string]int{}); err != nil {
		t.Fatal(err)
	}
}

// flags are merchant flags by month.
type flags map[string][]holder.FlagRow

func (f flags) FlagsIn(_ context.Context, region, month string) ([]holder.FlagRow, error) {
	var out []holder.FlagRow
	for _, r := range f[month] {
		if strings.HasPrefix(r.RegionCode, region) {
			out = append(out, r)
		}
	}
	return out, nil
}

// The worked example (by hand): area leader A holds 电力社区
// (410411001001); street chief B holds a 1 km line along latitude 33.73
// with 30 m on each side. In November 2026:
//
//	case 0  A  reported 11-03, closed 11-05, deadline 11-06  found, closed on time
//	case 1  A  reported 11-10, closed 11-20, deadline 11-15  found, closed late
//	case 2  A  reported 11-25, in progress, deadline 11-28   found, overdue at the month's end
//	case 3  A  reported 10-20, dispatched, deadline 10-25    overdue at the month's end, not found in November
//	case 4  A  reported 11-12, rejected                      nothing
//	case 5  B  22 m from the line, another community         found (B)
//	case 6  -  35.6 m from the line's end, in its box         nothing
//
// A: found 3, closed 2, closed on time 1 (33.3%), overdue 2; flags 2 red, 1 black.
// B: found 1, overdue 0. In December (now, 12-05): A overdue 2 (cases 2 and 3).
func TestReportCardWorkedExample(t *testing.T) {
	app := servertest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	app.Holders.Now = func() time.Time { return now }
	app.Problems.Now = func() time.Time { return now }
	app.Holders.Flags = flags{"2026-11": {{RegionCode: "410411001001", Flag: "red"}, {RegionCode: "410411001001", Flag: "red"},
		{RegionCode: "410411001001", Flag: "black"}, {RegionCode: "410411001002", Flag: "red"}}}
	writeCases(t, app, []workedCase{
		{region: "410411001001", lng: 113.2, lat: 33.7, state: problem.Closed, reported: sh(2026, 11, 3), deadline: sh(2026, 11, 6), closed: sh(2026, 11, 5), rectified: sh(2026, 11, 4)},
		{region: "410411001001", lng: 113.2, lat: 33.7, state: problem.Closed, reported: sh(2026, 11, 10), deadline: sh(2026, 11, 15), closed: sh(2026, 11, 20), rectified: sh(2026, 11, 19)},
		{region: "410411001001", lng: 113.2, lat: 33.7, state: problem.InProgress, reported: sh(2026, 11, 25), deadline: sh(2026, 11, 28)},
		{region: "410411001001", lng: 113.2, lat: 33.7, state: problem.Dispatched, reported: sh(2026, 10, 20), deadline: sh(2026, 10, 25)},
		{region: "410411001001", lng: 113.2, lat: 33.7, state: problem.Rejected, reported: sh(2026, 11, 12)},
		{region: "410411001002", lng: 113.305, lat: 33.7302, state: problem.Dispatched, reported: sh(2026, 11, 5), deadline: sh(2026, 12, 30)},
		{region: "410411002001", lng: 113.3103, lat: 33.7302, state: problem.Dispatched, reported: sh(2026, 11, 6), deadline: sh(2026, 12, 30)},
	})
	office, leader, insp := servertest.Actor(t, app, "office"), servertest.Actor(t, app, "leader"), servertest.Actor(t, app, "inspector")
	a, err := app.Holders.Create(ctx, office, holder.Input{UserID: leader.UserID, Kind: holder.AreaLeader, Title: "电力社区联点领导",
		TermFrom: "2026-01-01", TermTo: "2026-12-31", Regions: []string{"410411001001"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.Holders.Create(ctx, office, holder.Input{UserID: insp.UserID, Kind: holder.StreetChief, Title: "示范路街长",
		TermFrom: "2026-01-01", TermTo: "2026-12-31", Lines: []holder.LineInput{{Name: "示范路", GeoJSON: `{"type":"LineString","coordinates":[[113.300,33.730],[113.310,33.730]]}`}}})
	if err != nil {
		t.Fatal(err)
	}
	cards, err := app.Holders.Cards(ctx, office, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]holder.Card{}
	for _, c := range cards {
		byID[c.Holder.ID] = c
	}
	ca, cb := byID[a], byID[b]
	if ca.Found != 3 || ca.Closed != 2 || ca.ClosedOnTime != 1 || ca.Overdue != 2 || ca.OnTimeText() != "33.3%" || ca.Red != 2 || ca.Black != 1 {
		t.Errorf("A's November card %+v", ca)
	}
	if cb.Found != 1 || cb.Closed != 0 || cb.Overdue != 0 {
		t.Errorf("B's November card %+v", cb)
	}
	dec, err := app.Holders.Card(ctx, leader, a, "2026-12")
	if err != nil || dec.Found != 0 || dec.Overdue != 2 {
		t.Errorf("A's December card %+v %v", dec, err)
	}

	// Scope: the holder reads their own; another holder finds nothing.
	if _, err := app.Holders.Get(ctx, insp, a); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("B reads A: %v", err)
	}
	cases, err := app.Holders.Cases(ctx, insp, b, holder.CaseFilter{})
	if err != nil || len(cases) != 1 || cases[0].Code != "T-5" {
		t.Errorf("B's cases %v %v", cases, err)
	}
	if out, _ := app.Holders.Cases(ctx, leader, a, holder.CaseFilter{Region: "410411002001"}); len(out) != 0 {
		t.Errorf("A asking outside the holding got %d cases", len(out))
	}
	// Out of term: nothing.
	app.Holders.Now = func() time.Time { return now.AddDate(1, 0, 0) }
	if _, err := app.Holders.Get(ctx, leader, a); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("A after the term: %v", err)
	}
}

func TestCreateRefusals(t *testing.T) {
	app := servertest.New(t)
	ctx := context.Background()
	office, leader := servertest.Actor(t, app, "office"), servertest.Actor(t, app, "leader")
	base := holder.Input{UserID: leader.UserID, Kind: holder.AreaLeader, Title: "联点", TermFrom: "2026-01-01", TermTo: "2026-12-31", Regions: []string{"410411001"}}
	for _, tc := range []struct {
		name string
		edit func(*holder.Input)
		a    access.Actor
		code string
	}{
		{"not the office", func(*holder.Input) {}, leader, "holder.forbidden"},
		{"term backwards", func(in *holder.Input) { in.TermTo = "2025-01-01" }, office, "holder.term_invalid"},
		{"nothing held", func(in *holder.Input) { in.Regions = nil }, office, "holder.nothing_held"},
		{"unknown region", func(in *holder.Input) { in.Regions = []string{"410411999"} }, office, "holder.region_unknown"},
		{"river without a line", func(in *holder.Input) { in.Kind = holder.RiverChief }, office, "holder.river_needs_line"},
		{"street chief of a region", func(in *holder.Input) { in.Kind = holder.StreetChief }, office, "holder.street_needs_road"},
		{"bad line", func(in *holder.Input) {
			in.Regions, in.Kind, in.Lines = nil, holder.RiverChief, []holder.LineInput{{GeoJSON: `[[0,0],[1,1]]`}}
		}, office, "holder.line_invalid"},
	} {
		in := base
		tc.edit(&in)
		_, err := app.Holders.Create(ctx, tc.a, in)
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
}

func TestHoldersToldOfRedCasesAndLowScores(t *testing.T) {
	app := servertest.New(t)
	ctx := context.Background()
	office, leader := servertest.Actor(t, app, "office"), servertest.Actor(t, app, "leader")
	today := time.Now().Format("2006-01-02")
	if _, err := app.Holders.Create(ctx, office, holder.Input{UserID: leader.UserID, Kind: holder.AreaLeader, Title: "电力社区联点领导",
		TermFrom: today, TermTo: "2099-12-31", Regions: []string{"410411001001"}}); err != nil {
		t.Fatal(err)
	}
	c := servertest.DispatchedCase(t, app)
	app.Problems.Now = func() time.Time { return time.Now().AddDate(0, 2, 0) }
	if rep, err := app.Problems.Escalate(ctx); err != nil || rep.Red != 1 {
		t.Fatalf("escalate: %+v %v", rep, err)
	}
	count := func(q string, args ...any) int {
		n, err := db.Count(ctx, app.DB, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("SELECT COUNT(*) FROM notification WHERE user_id = ? AND kind = 'holder_red' AND problem_id = ?", leader.UserID, c.ID); n != 1 {
		t.Errorf("red notices to the holder: %d", n)
	}
	if n := count("SELECT COUNT(*) FROM outbox_message WHERE to_phone = '13900000002' AND kind = 'holder_red'"); n != 1 {
		t.Errorf("red messages to the holder: %d", n)
	}
	if _, err := app.Problems.Escalate(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT COUNT(*) FROM outbox_message WHERE kind = 'holder_red'"); n != 1 {
		t.Errorf("red messages after a second run: %d", n)
	}
	for i, rate := range []float64{0.95, 0.6} {
		if err := app.Holders.SiteScored(ctx, inspect.ScoredSite{InspectionID: int64(i + 1), SiteID: 1, SiteName: "电力社区广场", RegionCode: "410411001001", Rate: rate}); err != nil {
			t.Fatal(err)
		}
	}
	if n := count("SELECT COUNT(*) FROM notification WHERE user_id = ? AND kind = 'holder_low_score'", leader.UserID); n != 1 {
		t.Errorf("low-score notices: %d", n)
	}
	if err := app.Holders.SiteScored(ctx, inspect.ScoredSite{InspectionID: 9, SiteID: 2, RegionCode: "410411002001", Rate: 0.1}); err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT COUNT(*) FROM notification WHERE kind = 'holder_low_score'"); n != 1 {
		t.Errorf("low-score notices outside the holding: %d", n)
	}
}

func TestStreetChiefOfARoadSite(t *testing.T) {
	app := servertest.New(t)
	ctx := context.Background()
	office, leader := servertest.Actor(t, app, "office"), servertest.Actor(t, app, "leader")
	road, err := app.Sites.Create(ctx, office, site.Input{Name: "建设路（湛河区段）", TypeCode: "main_road", RegionCode: "410411001001",
		Geometry: `{"type":"LineString","coordinates":[[113.30,33.73],[113.31,33.73]]}`})
	if err != nil {
		t.Fatal(err)
	}
	square, err := app.Sites.Create(ctx, office, site.Input{Name: "人民广场", TypeCode: "square", RegionCode: "410411001001",
		Geometry: `{"type":"Point","coordinates":[113.305,33.735]}`})
	if err != nil {
		t.Fatal(err)
	}
	in := holder.Input{UserID: leader.UserID, Kind: holder.StreetChief, Title: "建设路街长", TermFrom: "2020-01-01", TermTo: "2099-12-31",
		Sites: []int64{square.ID}}
	_, err = app.Holders.Create(ctx, office, in)
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != "holder.site_not_road" {
		t.Fatalf("a square for a street chief: %v", err)
	}
	in.Sites = []int64{road.ID}
	id, err := app.Holders.Create(ctx, office, in)
	if err != nil {
		t.Fatal(err)
	}
	cat := servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02"))
	insp := servertest.Actor(t, app, "inspector")
	for _, siteID := range []int64{road.ID, square.ID} {
		if _, err := app.Problems.Report(ctx, insp, problem.ReportInput{Source: problem.SourceInspection, CategoryID: cat, Description: "路面垃圾",
			RegionCode: "410411001001", SiteID: siteID}); err != nil {
			t.Fatal(err)
		}
	}
	card, err := app.Holders.Card(ctx, leader, id, app.Holders.ThisMonth())
	if err != nil || card.Found != 1 {
		t.Fatalf("the road's card %+v %v", card, err)
	}
	if err := app.Holders.SiteScored(ctx, inspect.ScoredSite{InspectionID: 1, SiteID: road.ID, SiteName: road.Name, RegionCode: "410411001001", Rate: 0.5}); err != nil {
		t.Fatal(err)
	}
	n, err := db.Count(ctx, app.DB, "SELECT COUNT(*) FROM notification WHERE user_id = ? AND kind = 'holder_low_score'", leader.UserID)
	if err != nil || n != 1 {
		t.Errorf("low-score notices for the road: %d %v", n, err)
	}
}
