package web_test

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/merchant"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/selection"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// mcInside is a point inside a region's drawn boundary, moved east by
// metres (staying inside for the few tens of metres the tests use).
func mcInside(t *testing.T, app *servertest.App, code string) geo.Point {
	t.Helper()
	bs, err := region.Boundaries(context.Background(), app.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Code == code {
			mp, err := geo.ParseGeoJSON([]byte(b.GeoJSON))
			if err != nil {
				t.Fatal(err)
			}
			p, ok := geo.InteriorPoint(mp)
			if !ok {
				t.Fatalf("no inside point of %s", code)
			}
			return p
		}
	}
	t.Fatalf("no boundary of %s", code)
	return geo.Point{}
}

func mcEast(p geo.Point, m float64) geo.Point {
	return geo.Point{Lng: p.Lng + m/(111195*math.Cos(p.Lat*math.Pi/180)), Lat: p.Lat}
}

// mcCredit is a valid unified social credit code ending in n.
func mcCredit(n int) string {
	first := "91410411MA" + strconv.Itoa(1000000+n)
	c, _ := pii.CreditCheckChar(first)
	return first + string(c)
}

func mcSheet(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	head := []any{"商户名称", "统一社会信用代码", "经营类别", "地址", "经度", "纬度", "经营者", "联系电话", "责任区类型", "责任区范围（米）", "责任内容", "责任书签订日期"}
	if err := f.SetSheetRow("Sheet1", "A1", &head); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mcCount(t *testing.T, app *servertest.App) int {
	t.Helper()
	n, err := db.Count(context.Background(), app.DB, "SELECT COUNT(*) FROM merchant")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var mcLink = regexp.MustCompile(`href="/merchants/(\d+)">([^<]+)</a>`)

func mcIDs(body string) map[string]string {
	out := map[string]string{}
	for _, m := range mcLink.FindAllStringSubmatch(body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// mcCase reports a case at p as the office (12345 hotline, a complaint)
// and files it.
func mcCase(t *testing.T, app *servertest.App, p geo.Point, cat string, src problem.Source) *problem.Case {
	t.Helper()
	ctx := context.Background()
	office := servertest.Actor(t, app, "office")
	c, err := app.Problems.Report(ctx, office, problem.ReportInput{Source: src, CategoryID: servertest.MustAtoi(t, servertest.CategoryID(t, app, cat)),
		Description: "门前占道经营", Lng: p.Lng, Lat: p.Lat, HasPlace: true, ReporterName: "市民", ReporterPhone: "13900001111"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = app.Problems.Move(ctx, office, c.ID, problem.MoveInput{Action: problem.ActFile}); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMerchantImportLinkFlagsLookup(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	office := app.SignedIn(t, "office")
	mz := mcInside(t, app, "410411001001") // 马庄街道电力社区
	nh := mcInside(t, app, "410411002001") // 南环路街道建兴社区
	ll := func(p geo.Point) (float64, float64) { return p.Lng, p.Lat }
	row := func(name, credit string, p geo.Point, duties string) []any {
		lng, lat := ll(p)
		return []any{name, credit, "零售", "建设路", lng, lat, "张三丰", "13800000001", "半径", 10, duties, ""}
	}

	// Bad rows: nothing is imported, every fault named by row and column.
	wrong := mcCredit(1)
	wrong = wrong[:17] + map[bool]string{true: "1", false: "0"}[wrong[17] == '0']
	bad := mcSheet(t, [][]any{
		row("好商户", mcCredit(9), mz, "卫生、秩序"),
		row("校验码错", wrong, mz, ""),
		row("责任错", "", mz, "卫生、唱歌"),
		{"境外", "", "零售", "", 0, 0, "", "", "", "", "", ""},
		row("重复码", mcCredit(9), mz, ""),
	})
	office.Get("/merchants")
	res := office.Upload("/merchants/import", "m.xlsx", nil, bad)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("bad sheet: %d %s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "第 3 行「统一社会信用代码」", "校验码不对", "第 4 行「责任内容」", "唱歌", "第 5 行「经度」",
		"第 6 行「统一社会信用代码」", "与第 2 行的信用代码重复")
	if n := mcCount(t, app); n != 0 {
		t.Fatalf("%d merchants kept from a refused sheet", n)
	}

	// Four merchants 30 m apart on a street of 马庄, one in 南环路.
	good := mcSheet(t, [][]any{
		row("甲记便利店", mcCredit(1), mz, "卫生、秩序、绿化"),
		row("乙家面馆", mcCredit(2), mcEast(mz, 30), ""),
		row("丙氏水果摊", "", mcEast(mz, 60), ""),
		row("丁丁五金", mcCredit(4), mcEast(mz, 90), ""),
		row("戊记早餐", mcCredit(5), nh, ""),
	})
	res = office.Upload("/merchants/import", "m.xlsx", nil, good)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("good sheet: %d %s", res.Status, res.Body)
	}
	list := office.Get("/merchants")
	ids := mcIDs(list.Body)
	jia, yi, bing, ding, wu := ids["甲记便利店"], ids["乙家面馆"], ids["丙氏水果摊"], ids["丁丁五金"], ids["戊记早餐"]
	if jia == "" || yi == "" || bing == "" || ding == "" || wu == "" {
		t.Fatalf("merchant links: %v", ids)
	}
	servertest.MustContain(t, office.Get("/merchants/"+jia).Body, "13800000001", "张三丰", "商户位置半径 10 米", "马庄街道")
	// The export is the import's layout: its rows import again (refused
	// here only because the credit codes are taken).
	ex := office.Get("/merchants/export.xlsx")
	xf, err := excelize.OpenReader(bytes.NewReader([]byte(ex.Body)))
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	xrows, _ := xf.GetRows(xf.GetSheetName(0))
	xf.Close()
	if len(xrows) != 6 || xrows[0][0] != "商户名称" || xrows[0][1] != "统一社会信用代码" {
		t.Fatalf("export rows %d: %v", len(xrows), xrows)
	}
	office.Get("/merchants")
	res = office.Upload("/merchants/import", "again.xlsx", nil, []byte(ex.Body))
	servertest.MustContain(t, res.Body, "已登记过")
	servertest.MustContain(t, res.Body, "有 4 行有误") // the stall has no code: only the four codes clash

	// Cases: two hotline complaints at 丙 (占道经营), one inspection at 丁
	// (门前三包不落实), one street light at 丙 (not a 门前三包 category).
	c1 := mcCase(t, app, mcEast(mz, 60), "JM01", problem.SourceHotline)
	mcCase(t, app, mcEast(mz, 62), "JM01", problem.SourceHotline)
	mcCase(t, app, mcEast(mz, 91), "SR06", problem.SourceInspection)
	lamp := mcCase(t, app, mcEast(mz, 60), "SS02", problem.SourceInspection)
	rep, err := app.Merchants.LinkNew(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Linked != 3 {
		t.Errorf("linked %d, want 3 (%+v)", rep.Linked, rep)
	}
	// Running again links nothing twice.
	if rep, _ := app.Merchants.LinkNew(ctx); rep.Linked != 0 {
		t.Errorf("second run linked %d", rep.Linked)
	}
	page := office.Get("/merchants/" + bing)
	servertest.MustContain(t, page.Body, c1.Code, `id="merchant-months"`)
	servertest.MustNotContain(t, page.Body, lamp.Code)
	// A case filed after the watermark links on the next run.
	late := mcCase(t, app, mcEast(mz, 89), "SR01", problem.SourceInspection)
	if rep, err := app.Merchants.LinkNew(ctx); err != nil || rep.Linked != 1 {
		t.Errorf("next run: %+v %v", rep, err)
	}
	servertest.MustContain(t, office.Get("/merchants/"+ding).Body, late.Code)
	// The office adds 路灯不亮 to the 门前三包 categories and links again:
	// the street light case joins 丙 (and only that one: 乙 is 30 m away).
	cfgPage := office.Get("/merchants/config")
	servertest.MustContain(t, cfgPage.Body, `value="JM01" checked`, `value="SS02">`)
	form := url.Values{"red_per_group": {"1"}, "black_per_group": {"1"}, "red_min": {"90"}, "black_below": {"70"}}
	for _, c := range append(merchant.DefaultConfig().Categories, "SS02") {
		form.Add("categories", c)
	}
	if res := office.Post("/merchants/config", form); res.Status != http.StatusSeeOther {
		t.Fatalf("config: %d %s", res.Status, res.Body)
	}
	if res := office.Post("/merchants/config/backfill", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("backfill: %d", res.Status)
	}
	servertest.MustContain(t, office.Get("/merchants/"+bing).Body, lamp.Code)
	// Back to the defaults for the figures below (the link stays: a
	// category taken off counts no more only for cases linked after).
	form.Del("categories")
	for _, c := range merchant.DefaultConfig().Categories {
		form.Add("categories", c)
	}
	office.Get("/merchants/config")
	if res := office.Post("/merchants/config", form); res.Status != http.StatusSeeOther {
		t.Fatalf("config: %d", res.Status)
	}
	if res := handler0(t, app).Post("/merchants/config", form); res.Status != http.StatusForbidden {
		t.Errorf("handler sets the categories: %d", res.Status)
	}

	// Scope: the 马庄 street's handler reads 马庄's merchants, masked
	// contacts included for its own area, and nothing of 南环路.
	handler := app.SignedIn(t, "handler")
	if res := handler.Get("/merchants/" + wu); res.Status != http.StatusNotFound {
		t.Errorf("handler opens another street's merchant: %d", res.Status)
	}
	servertest.MustNotContain(t, handler.Get("/merchants").Body, "戊记早餐")
	leader := app.SignedIn(t, "leader")
	lp := leader.Get("/merchants/" + jia)
	servertest.MustContain(t, lp.Body, "138****0001", "张*丰")
	servertest.MustNotContain(t, lp.Body, "13800000001")

	// The month's proposal for 马庄: 丙 (two complaints and the street
	// light) scores 100 − 3·5 − 2·15 = 55, black; 丁 (two cases) 90; 甲 and
	// 乙 100, red to the smaller id, 甲.
	month := merchant.Month(app.Problems.Now())
	round := "/merchants/flags/" + month + "/street:410411001"
	rp := office.Get(round)
	if rp.Status != http.StatusOK {
		t.Fatalf("round: %d %s", rp.Status, rp.Body)
	}
	servertest.MustContain(t, rp.Body, "系统建议，待确认", `<td data-label="得分">55</td>`, `<td data-label="得分">90</td>`)
	flags, err := app.Merchants.ProposeAll(ctx, "410411001", month)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range flags[merchant.GroupKey{Kind: merchant.GroupStreet, Code: "410411001"}] {
		got[s.MerchantName] = s.Proposed
	}
	if got["甲记便利店"] != "red" || got["丙氏水果摊"] != "black" || got["乙家面馆"] != "" || got["丁丁五金"] != "" {
		t.Errorf("proposal %v", got)
	}
	if res := handler.Get("/merchants/flags/" + month + "/street:410411002"); res.Status != http.StatusNotFound {
		t.Errorf("handler opens another street's flags: %d", res.Status)
	}
	if res := handler.Post(round+"/change", url.Values{"merchant_id": {yi}, "kind": {"red"}, "reason": {"x"}}); res.Status != http.StatusForbidden {
		t.Errorf("handler changes a flag: %d", res.Status)
	}

	// A change needs a reason; with one it is kept and shown.
	office.Get(round)
	res = office.Post(round+"/change", url.Values{"merchant_id": {yi}, "kind": {"red"}, "reason": {" "}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("change without a reason: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "调整须写明理由")
	res = office.Post(round+"/change", url.Values{"merchant_id": {wu}, "kind": {"red"}, "reason": {"外街道"}})
	if res.Status != http.StatusBadRequest {
		t.Errorf("change of a merchant of another group: %d", res.Status)
	}
	res = office.Post(round+"/change", url.Values{"merchant_id": {yi}, "kind": {"red"}, "reason": {"门前秩序常年良好，群众来信表扬"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", res.Status, res.Body)
	}
	rp = office.Get(round)
	servertest.MustContain(t, rp.Body, "门前秩序常年良好，群众来信表扬", "已调整", "王创文")
	res = office.Post(round+"/confirm", url.Values{})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	if res := office.Post(round+"/confirm", url.Values{}); res.Status != http.StatusConflict {
		t.Errorf("second confirm: %d", res.Status)
	}

	// The workbench lists the groups whose flags of last month wait for
	// the office; confirming one takes it off.
	prev := merchant.PrevMonth(month)
	home := office.Get("/")
	servertest.MustContain(t, home.Body, prev+" 流动红旗待确认", "/merchants/flags/"+prev+"/street:410411001", "/merchants/flags/"+prev+"/street:410411002")
	office.Get("/merchants/flags/" + prev + "/street:410411001")
	if res := office.Post("/merchants/flags/"+prev+"/street:410411001/confirm", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("confirm last month: %d", res.Status)
	}
	home = office.Get("/")
	servertest.MustContain(t, home.Body, "/merchants/flags/"+prev+"/street:410411002")
	servertest.MustNotContain(t, home.Body, "/merchants/flags/"+prev+"/street:410411001")

	fl, err := app.Merchants.FlagsIn(ctx, "410411", month)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, f := range fl {
		kinds[f.MerchantName] = f.Kind
		if f.Street != "马庄街道" || f.Month != month {
			t.Errorf("flag %+v", f)
		}
	}
	if len(fl) != 3 || kinds["甲记便利店"] != "red" || kinds["乙家面馆"] != "red" || kinds["丙氏水果摊"] != "black" {
		t.Errorf("FlagsIn %+v", fl)
	}
	servertest.MustContain(t, office.Get("/merchants/"+bing).Body, "黑旗")

	// The public lookup, no sign-in: the flag, nothing personal.
	anon := app.Browser(t)
	lk := anon.Get("/merchant-lookup?q=" + url.QueryEscape("乙家"))
	if lk.Status != http.StatusOK {
		t.Fatalf("lookup: %d", lk.Status)
	}
	servertest.MustContain(t, lk.Body, "乙家面馆", "红旗")
	one := anon.Get("/merchant-lookup/" + bing)
	servertest.MustContain(t, one.Body, "丙氏水果摊", `<span class="badge red">黑旗</span>`)
	servertest.MustNotContain(t, one.Body+lk.Body, "张三丰", "13800000001", "138****0001")
	// A closed merchant leaves the lookup; the handler may not close one.
	handler.Get("/merchants/" + bing)
	if res := handler.Post("/merchants/"+bing+"/active", url.Values{"active": {"0"}}); res.Status != http.StatusForbidden {
		t.Errorf("handler closes a merchant: %d", res.Status)
	} else {
		servertest.MustContain(t, res.Body, "您没有这项权限")
	}
	office.Get("/merchants/" + bing)
	if res := office.Post("/merchants/"+bing+"/active", url.Values{"active": {"0"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", res.Status)
	}
	servertest.MustContain(t, office.Get("/merchants/"+bing).Body, `id="merchant-closed"`)
	if res := anon.Get("/merchant-lookup/" + bing); res.Status != http.StatusNotFound {
		t.Errorf("closed merchant in the lookup: %d", res.Status)
	}
	if res := anon.Get("/merchants/" + jia); res.Status == http.StatusOK {
		t.Errorf("merchant page without sign-in: %d", res.Status)
	}
}

func TestMerchantCreateRefusals(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.SignedIn(t, "office")
	p := mcInside(t, app, "410411001002")
	form := func(edit func(url.Values)) url.Values {
		v := url.Values{"name": {"新店"}, "lng": {strconv.FormatFloat(p.Lng, 'f', -1, 64)}, "lat": {strconv.FormatFloat(p.Lat, 'f', -1, 64)},
			"frontage_kind": {"radius"}, "frontage_meters": {"8"}, "duties": {"hygiene", "order"}, "phone": {"13900002222"}}
		edit(v)
		return v
	}
	office.Get("/merchants/new")
	for _, tc := range []struct {
		name string
		edit func(url.Values)
		want string
	}{
		{"wrong check character", func(v url.Values) { v.Set("credit_code", "91350100M000100Y44") }, "校验码不对"},
		{"outside China", func(v url.Values) { v.Set("lng", "0"); v.Set("lat", "0") }, "中国境内"},
		{"a line without a line", func(v url.Values) { v.Set("frontage_kind", "line") }, "须画出线段"},
		{"radius too large", func(v url.Values) { v.Set("frontage_meters", "900") }, "0 到 200 米"},
		{"signed in the future", func(v url.Values) { v.Set("commitment_on", "2999-01-01") }, "不晚于今天"},
	} {
		res := office.Post("/merchants", form(tc.edit))
		if res.Status != http.StatusBadRequest {
			t.Errorf("%s: %d", tc.name, res.Status)
			continue
		}
		servertest.MustContain(t, res.Body, tc.want)
	}
	if n := mcCount(t, app); n != 0 {
		t.Fatalf("%d merchants kept from refused forms", n)
	}
	res := office.Post("/merchants", form(func(v url.Values) { v.Set("credit_code", "91350100m000100y43") }))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	servertest.MustContain(t, office.Get(res.Location).Body, "91350100M000100Y43", "平高社区")
	// The same code again is a conflict.
	office.Get("/merchants/new")
	if res := office.Post("/merchants", form(func(v url.Values) { v.Set("credit_code", "91350100M000100Y43") })); res.Status != http.StatusConflict {
		t.Errorf("repeated credit code: %d", res.Status)
	}
	// A handler may not add merchants.
	handler := app.SignedIn(t, "handler")
	if res := handler.Get("/merchants/new"); res.Status != http.StatusForbidden {
		t.Errorf("handler opens the form: %d", res.Status)
	}
}

func handler0(t *testing.T, app *servertest.App) *servertest.Browser {
	t.Helper()
	b := app.SignedIn(t, "handler")
	b.Get("/merchants")
	return b
}

// TestMerchantSelectionWiring: a merchant of the ledger is nominated for
// 诚信商户 by its id through the server's directory, and once awarded the
// public lookup shows the title beside its flag.
func TestMerchantSelectionWiring(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	office := app.SignedIn(t, "office")
	p := mcInside(t, app, "410411001002")
	office.Get("/merchants/new")
	res := office.Post("/merchants", url.Values{"name": {"诚信老店"}, "credit_code": {"91350100M000100Y43"},
		"lng": {strconv.FormatFloat(p.Lng, 'f', -1, 64)}, "lat": {strconv.FormatFloat(p.Lat, 'f', -1, 64)},
		"frontage_kind": {"radius"}, "frontage_meters": {"8"}, "duties": {"hygiene"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("merchant: %d %s", res.Status, res.Body)
	}
	id := servertest.MustAtoi(t, strings.TrimPrefix(res.Location, "/merchants/"))
	now := time.Now()
	app.Selections.Now = func() time.Time { return now }
	kind, err := app.Selections.KindByCode(ctx, "honest_merchant")
	if err != nil {
		t.Fatal(err)
	}
	day := func(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }
	sa := servertest.Actor(t, app, "office")
	round, err := app.Selections.CreateRound(ctx, sa, selection.RoundInput{KindID: kind.ID, PeriodLabel: "本年度",
		RegionCode: "410411", OpensOn: day(now), ClosesOn: day(now), Quota: 5})
	if err != nil {
		t.Fatal(err)
	}
	scores := map[int64]int{}
	for _, c := range kind.Criteria {
		scores[c.ID] = 1
	}
	nom, err := app.Selections.Nominate(ctx, sa, selection.NominationInput{RoundID: round, MerchantID: id, Scores: scores})
	if err != nil {
		t.Fatalf("nominate the merchant by id: %v", err)
	}
	if err := app.Selections.Review(ctx, sa, nom, "approve", ""); err != nil {
		t.Fatal(err)
	}
	if err := app.Selections.StartPublicity(ctx, sa, round, 3); err != nil {
		t.Fatal(err)
	}
	now = now.Add(5 * 24 * time.Hour)
	if _, err := app.Selections.Award(ctx, sa, round); err != nil {
		t.Fatal(err)
	}
	one := app.Browser(t).Get("/merchant-lookup/" + strconv.FormatInt(id, 10))
	servertest.MustContain(t, one.Body, "诚信老店", "诚信商户")
}
