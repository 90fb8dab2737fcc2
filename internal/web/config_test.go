package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestSettingsIndexAndNavigation(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	for _, role := range []string{"office", "leader", "admin"} {
		b := app.Browser(t)
		b.SignIn(role, servertest.DemoPassword(role))
		res := b.Get("/settings")
		if res.Status != http.StatusOK {
			t.Fatalf("%s: /settings status %d", role, res.Status)
		}
		servertest.MustContain(t, res.Body, `href="/settings"`, "系统配置", `href="/settings/categories"`, `href="/settings/calendar"`, `href="/settings/routing"`)
	}
	handler := app.Browser(t)
	handler.SignIn("handler", servertest.DemoPassword("handler"))
	for _, path := range []string{"/settings", "/settings/categories", "/settings/calendar", "/settings/routing"} {
		if res := handler.Get(path); res.Status != http.StatusForbidden {
			t.Errorf("handler opened %s: %d", path, res.Status)
		}
	}
	if res := handler.Get("/"); strings.Contains(res.Body, `href="/settings"`) {
		t.Error("handler's navigation lists the settings")
	}
	for _, path := range []string{"/settings/categories", "/settings/category-tops", "/settings/routing", "/settings/calendar/hours"} {
		res := handler.Post(path, url.Values{"name": {"x"}, "hours": {"08:00-12:00"}})
		if res.Status != http.StatusForbidden {
			t.Errorf("handler posted to %s: %d", path, res.Status)
		}
		servertest.MustContain(t, res.Body, "只有文明办、领导和系统管理员可以查看系统配置")
	}
}

func TestCategoryPages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	sr01, err := app.Categories.ByCode(ctx, "SR01")
	if err != nil {
		t.Fatal(err)
	}
	top := servertest.Itoa(sr01.TopID)

	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	res := office.Get("/settings/categories")
	if res.Status != http.StatusOK {
		t.Fatalf("list: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "市容环境", "SR01", "暴露垃圾", "2 个工作时", "属地", "条线：城市管理", "立案条件", "/settings/categories/new?top="+top)

	res = office.Get("/settings/categories/new?top=" + top)
	if res.Status != http.StatusOK {
		t.Fatalf("new form: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, `name="csrf"`, `name="limit_amount"`, `<option value="line:urban_management"`)

	form := func(amount, unit string) url.Values {
		return url.Values{"top_id": {top}, "code": {"sr90"}, "name": {"测试井盖松动"}, "kind": {"component"},
			"limit_amount": {amount}, "limit_unit": {unit}, "owner": {"line:urban_management"},
			"filing_condition": {"井盖松动有响声。"}, "closing_condition": {"井盖固定平稳。"}}
	}
	tests := []struct {
		name          string
		amount, unit  string
		status        int
		msg, location string
	}{
		{"zero hours", "0", "hour", http.StatusBadRequest, "按工作时计的时限须在 1–999 之间", ""},
		{"too many days", "400", "day", http.StatusBadRequest, "按工作日计的时限须在 1–365 之间", ""},
		{"not a number", "两天", "day", http.StatusBadRequest, "按工作日计的时限须在 1–365 之间", ""},
		{"no unit", "3", "week", http.StatusBadRequest, "请选择时限单位", ""},
		{"good", "5", "day", http.StatusSeeOther, "", "/settings/categories#c-SR90"},
		{"code taken", "5", "day", http.StatusConflict, "编码 SR90 已被使用", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := office.Post("/settings/categories", form(tc.amount, tc.unit))
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tc.status, res.Body)
			}
			if tc.msg != "" {
				servertest.MustContain(t, res.Body, tc.msg, `value="测试井盖松动"`)
			}
			if res.Location != tc.location {
				t.Errorf("location %q, want %q", res.Location, tc.location)
			}
		})
	}
	sub, err := app.Categories.ByCode(ctx, "SR90")
	if err != nil {
		t.Fatal(err)
	}
	if sub.Limit.Amount != 5 || sub.Limit.Unit != calendar.UnitDay || sub.Owner != "line:urban_management" || !sub.Active {
		t.Errorf("stored %+v", sub)
	}
	res = office.Get("/settings/categories")
	servertest.MustContain(t, res.Body, `id="c-SR90"`, "测试井盖松动", "5 个工作日")

	// Edit: the code stays, the limit changes.
	id := servertest.Itoa(sub.ID)
	res = office.Get("/settings/categories/" + id + "/edit")
	servertest.MustContain(t, res.Body, "SR90", `value="测试井盖松动"`)
	servertest.MustNotContain(t, res.Body, `name="code"`)
	f := form("3", "hour")
	f.Del("code")
	if res := office.Post("/settings/categories/"+id, f); res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	if sub, _ = app.Categories.Get(ctx, sub.ID); sub.Limit.Amount != 3 || sub.Limit.Unit != calendar.UnitHour {
		t.Errorf("after update %+v", sub.Limit)
	}

	// Deactivate and activate again.
	if res := office.Post("/settings/categories/"+id+"/active", url.Values{"active": {"0"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", res.Status)
	}
	if sub, _ = app.Categories.Get(ctx, sub.ID); sub.Active {
		t.Error("still active")
	}
	servertest.MustContain(t, office.Get("/settings/categories").Body, "已停用")
	office.Post("/settings/categories/"+id+"/active", url.Values{"active": {"1"}})
	if sub, _ = app.Categories.Get(ctx, sub.ID); !sub.Active {
		t.Error("not active again")
	}

	// A new top category.
	office.Get("/settings/category-tops/new")
	if res := office.Post("/settings/category-tops", url.Values{"code": {"x"}, "name": {"坏编码"}}); res.Status != http.StatusBadRequest {
		t.Errorf("bad top code: %d", res.Status)
	} else {
		servertest.MustContain(t, res.Body, "编码须以大写字母开头")
	}
	if res := office.Post("/settings/category-tops", url.Values{"code": {"ZZ"}, "name": {"文明行为"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("new top: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, office.Get("/settings/categories").Body, `id="t-ZZ"`, "文明行为")

	// A handler cannot open the edit form.
	handler := app.Browser(t)
	handler.SignIn("handler", servertest.DemoPassword("handler"))
	if res := handler.Get("/settings/categories/" + id + "/edit"); res.Status != http.StatusForbidden {
		t.Errorf("handler opened the edit form: %d", res.Status)
	}

	// A leader reads, and cannot change.
	leader := app.Browser(t)
	leader.SignIn("leader", servertest.DemoPassword("leader"))
	res = leader.Get("/settings/categories")
	if res.Status != http.StatusOK {
		t.Fatalf("leader list: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "SR90", "只有文明办或系统管理员可以修改")
	servertest.MustNotContain(t, res.Body, "/settings/categories/new", "/edit", `/active"`)
	for _, path := range []string{"/settings/categories/" + id + "/edit", "/settings/categories/new?top=" + top, "/settings/category-tops/new"} {
		if res := leader.Get(path); res.Status != http.StatusForbidden {
			t.Errorf("leader opened %s: %d", path, res.Status)
		}
	}
	res = leader.Post("/settings/categories", form("5", "day"))
	if res.Status != http.StatusForbidden {
		t.Errorf("leader created a category: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "只有文明办或系统管理员可以维护问题分类")
	if res := leader.Post("/settings/categories/"+id+"/active", url.Values{"active": {"0"}}); res.Status != http.StatusForbidden {
		t.Errorf("leader deactivated a category: %d", res.Status)
	}
}

func TestCalendarPages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	before, err := app.Calendar.Days(ctx, access.System(), 2026)
	if err != nil {
		t.Fatal(err)
	}

	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	res := office.Get("/settings/calendar?year=2026")
	if res.Status != http.StatusOK {
		t.Fatalf("calendar: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "2026-02-14", "星期六", "调休上班", "2026-02-17", "星期二", "放假", "春节",
		"系统内置", "08:30-12:00,13:30-17:30", `class="cal-month"`, `enctype="multipart/form-data"`)

	// A bad row refuses the whole file and says where.
	bad := "date,kind,name\n2026-01-01,放假,元旦\n2026-13-01,放假,坏日期\n2026-03-02,上班,周一\n"
	res = office.PostMultipart("/settings/calendar/upload", map[string]string{"year": "2026"}, nil)
	if res.Status != http.StatusBadRequest {
		t.Errorf("upload without file: %d", res.Status)
	}
	res = postCSV(office, "2026", bad)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("bad upload: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "第 3 行", "2026-13-01", "第 4 行", "未做任何修改")
	after, _ := app.Calendar.Days(ctx, access.System(), 2026)
	if len(after) != len(before) {
		t.Fatalf("a refused upload changed the year: %d days, was %d", len(after), len(before))
	}
	// A date outside the year is refused by the year check.
	res = postCSV(office, "2026", "2025-10-01,放假,国庆节\n")
	if res.Status != http.StatusBadRequest {
		t.Fatalf("other year: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "不在 2026 年内")

	// A good upload replaces the year.
	res = postCSV(office, "2026", "\ufeff日期,类型,名称\n2026-01-01,放假,元旦\n2026/2/14,班,春节\n2026-02-16,休,春节\n")
	if res.Status != http.StatusSeeOther || res.Location != "/settings/calendar?year=2026" {
		t.Fatalf("good upload: %d %q\n%s", res.Status, res.Location, res.Body)
	}
	days, _ := app.Calendar.Days(ctx, access.System(), 2026)
	if len(days) != 3 || days[1].Date != "2026-02-14" || days[1].Kind != calendar.KindWorkday {
		t.Fatalf("after upload: %+v", days)
	}
	res = office.Get("/settings/calendar?year=2026")
	servertest.MustContain(t, res.Body, "放假安排已整体替换", "文明办维护", "恢复系统内置安排")
	servertest.MustNotContain(t, res.Body, "2026-10-01")

	// Restore the built-in schedule.
	if res := office.Post("/settings/calendar/restore", url.Values{"year": {"2026"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("restore: %d", res.Status)
	}
	if days, _ = app.Calendar.Days(ctx, access.System(), 2026); len(days) != len(before) {
		t.Errorf("after restore %d days, want %d", len(days), len(before))
	}
	if res := office.Post("/settings/calendar/restore", url.Values{"year": {"2031"}}); res.Status != http.StatusNotFound {
		t.Errorf("restore of a year without built-in data: %d", res.Status)
	} else {
		servertest.MustContain(t, res.Body, "系统没有内置 2031 年的放假安排")
	}

	// The deadline calculator agrees with the calendar across the 2026
	// Spring Festival.
	cal, err := app.Calendar.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loc := calendar.Shanghai()
	calc := []struct {
		start  time.Time
		amount string
		unit   calendar.Unit
		want   string
		more   []string
	}{
		// Friday before the festival: Saturday 14th is worked, then nine
		// days off, so two working days end on Tuesday 24th.
		{time.Date(2026, 2, 13, 10, 0, 0, 0, loc), "2", calendar.UnitDay, "2026-02-24 17:30（星期二）",
			[]string{"2026-02-14 调休上班（春节）", "2026-02-15 至 2026-02-23 放假（春节），共 9 天"}},
		// 1.5 hours on Friday, then six and a half on the swapped Saturday.
		{time.Date(2026, 2, 13, 16, 0, 0, 0, loc), "8", calendar.UnitHour, "2026-02-14 16:30（星期六）", []string{"共计 8.0 个工作小时"}},
	}
	for _, tc := range calc {
		n := servertest.MustAtoi(t, tc.amount)
		got := cal.Deadline(tc.start, int(n), tc.unit).In(loc).Format("2006-01-02 15:04")
		if !strings.HasPrefix(tc.want, got) {
			t.Fatalf("calendar package says %s, test expects %s", got, tc.want)
		}
		q := url.Values{"year": {"2026"}, "start": {tc.start.Format("2006-01-02T15:04")}, "amount": {tc.amount}, "unit": {string(tc.unit)}}
		res := office.Get("/settings/calendar?" + q.Encode())
		if res.Status != http.StatusOK {
			t.Fatalf("calc: %d", res.Status)
		}
		servertest.MustContain(t, res.Body, append([]string{tc.want}, tc.more...)...)
	}
	res = office.Get("/settings/calendar?start=2026-02-13T10:00&amount=0&unit=day")
	servertest.MustContain(t, res.Body, "按工作日计的时限须在 1–365 之间")
	res = office.Get("/settings/calendar?start=yesterday&amount=1&unit=day")
	servertest.MustContain(t, res.Body, "请填写登记时间")

	// Working hours.
	res = office.Post("/settings/calendar/hours", url.Values{"hours": {"12:00-08:00"}, "year": {"2026"}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("bad hours: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "工作时段“12:00-08:00”不正确", `value="12:00-08:00"`)
	if res := office.Post("/settings/calendar/hours", url.Values{"hours": {"08:00-12:00，14:00-18:00"}, "year": {"2026"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("hours: %d\n%s", res.Status, res.Body)
	}
	if ps, _ := app.Calendar.WorkingHours(ctx, access.System()); calendar.FormatPeriods(ps) != "08:00-12:00,14:00-18:00" {
		t.Errorf("stored hours %v", ps)
	}

	// A leader reads, and cannot change.
	leader := app.Browser(t)
	leader.SignIn("leader", servertest.DemoPassword("leader"))
	res = leader.Get("/settings/calendar?year=2026")
	if res.Status != http.StatusOK {
		t.Fatalf("leader calendar: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "2026-02-14", "08:00-12:00,14:00-18:00", "期限试算")
	servertest.MustNotContain(t, res.Body, `action="/settings/calendar/upload"`, `action="/settings/calendar/hours"`, `action="/settings/calendar/restore"`)
	res = postCSV(leader, "2026", "2026-01-01,放假,元旦\n")
	if res.Status != http.StatusForbidden {
		t.Errorf("leader uploaded a calendar: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "只有文明办或系统管理员可以修改工作日历")
	if days, _ = app.Calendar.Days(ctx, access.System(), 2026); len(days) != len(before) {
		t.Error("the leader's upload changed the calendar")
	}
}

// postCSV uploads a schedule through the calendar page's form.
func postCSV(b *servertest.Browser, year, body string) servertest.Response {
	b.T.Helper()
	return b.PostMultipart("/settings/calendar/upload", map[string]string{"year": year}, map[string][][]byte{"file": {[]byte(body)}})
}

func unitIDByCode(t *testing.T, app *servertest.App, code string) string {
	t.Helper()
	var id int64
	if err := app.DB.QueryRow(context.Background(), "SELECT id FROM unit WHERE code = ?", code).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return servertest.Itoa(id)
}

func TestRoutingPages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	jm01 := servertest.CategoryID(t, app, "JM01") // 占道经营: an event, territorial
	cg := unitIDByCode(t, app, "410411-cg")
	const street, community = "410411001", "410411001001"

	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	res := office.Get("/settings/routing")
	if res.Status != http.StatusOK {
		t.Fatalf("routing: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "还没有派遣规则", "没有规则匹配时，事件类问题派给问题所在最小区划的属地单位", "部件类问题派给该类别所属条线的职能部门", "转所在地的文明办")

	preview := func(b *servertest.Browser, category, region string) servertest.Response {
		t.Helper()
		res := b.Get("/settings/routing?" + url.Values{"category": {category}, "region": {region}}.Encode())
		if res.Status != http.StatusOK {
			t.Fatalf("preview: %d", res.Status)
		}
		return res
	}
	// Without rules: the community committee, by territory.
	community1, err := app.Regions.Get(ctx, community)
	if err != nil {
		t.Fatal(err)
	}
	res = preview(office, jm01, community)
	servertest.MustContain(t, res.Body, "将派给：", "属地管理："+community1.Name, "该类别的默认责任：事件 · 属地")
	// A component goes to its line.
	res = preview(office, servertest.CategoryID(t, app, "SS01"), community)
	servertest.MustContain(t, res.Body, "湛河区城市管理局", "条线管理：城市管理")
	res = preview(office, jm01, "999999")
	servertest.MustContain(t, res.Body, "区划代码 999999 不存在")

	// The office adds a rule for its street.
	office.Get("/settings/routing/new")
	// post adds the browser's CSRF token to the form it gets, so each
	// post takes a fresh copy.
	form := func() url.Values {
		return url.Values{"position": {"10"}, "category_id": {jm01}, "region_code": {street}, "unit_id": {cg},
			"note": {"马庄街道占道经营由城管局统一处置"}, "enabled": {"1"}}
	}
	res = office.Post("/settings/routing", url.Values{"position": {"10"}, "region_code": {street}, "unit_id": {"0"}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("rule without unit: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "请选择责任单位")
	res = office.Post("/settings/routing", form())
	if res.Status != http.StatusSeeOther {
		t.Fatalf("add rule: %d\n%s", res.Status, res.Body)
	}
	rules, err := app.Routing.Rules(ctx, access.System())
	if err != nil || len(rules) != 1 {
		t.Fatalf("rules %v %v", rules, err)
	}
	rule := servertest.Itoa(rules[0].ID)
	res = preview(office, jm01, community)
	servertest.MustContain(t, res.Body, "将派给：<strong class=\"unit\">湛河区城市管理局</strong>",
		"规则 #"+rule+"：马庄街道占道经营由城管局统一处置", `class="matched"`, "本次预览命中")
	// Another category at the same place still goes by territory.
	res = preview(office, servertest.CategoryID(t, app, "SR01"), community)
	servertest.MustContain(t, res.Body, "属地管理："+community1.Name)

	// Outside the office's jurisdiction.
	foreignUnit := servertest.AddForeignDistrict(t, app)
	res = office.Post("/settings/routing", url.Values{"position": {"20"}, "region_code": {"410403"}, "unit_id": {cg}, "enabled": {"1"}})
	if res.Status != http.StatusForbidden {
		t.Errorf("office added a rule for another district: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "规则的适用区域须在您的管辖范围内")

	// The office of another district cannot route inside this one, nor
	// touch its rules.
	if _, _, err := app.Org.CreateUser(ctx, access.System(), org.UserInput{Username: "weidong", DisplayName: "卫东创文",
		UnitID: servertest.MustAtoi(t, foreignUnit), Roles: []access.Role{access.RoleOffice}, Password: "wenming-weidong-2026"}); err != nil {
		t.Fatal(err)
	}
	other := app.Browser(t)
	other.SignIn("weidong", "wenming-weidong-2026")
	res = other.Get("/settings/routing")
	if res.Status != http.StatusOK {
		t.Fatalf("foreign office's routing page: %d %s", res.Status, res.Location)
	}
	servertest.MustContain(t, res.Body, "马庄街道占道经营由城管局统一处置")
	servertest.MustNotContain(t, res.Body, "/settings/routing/"+rule+"/edit")
	// Its form's unit (this district's 城管局) is one it cannot see: the
	// picker's check refuses it before the rule is weighed.
	res = other.Post("/settings/routing", form())
	if res.Status != http.StatusForbidden {
		t.Errorf("foreign office added a rule: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "找不到该单位，或不在您的管辖范围内")
	if res := other.Get("/settings/routing/" + rule + "/edit"); res.Status != http.StatusForbidden {
		t.Errorf("foreign office opened the rule: %d", res.Status)
	}
	if res := other.Post("/settings/routing/"+rule+"/delete", nil); res.Status != http.StatusForbidden {
		t.Errorf("foreign office deleted the rule: %d", res.Status)
	}

	// A leader reads and previews, and cannot change.
	leader := app.Browser(t)
	leader.SignIn("leader", servertest.DemoPassword("leader"))
	res = preview(leader, jm01, community)
	servertest.MustContain(t, res.Body, "马庄街道占道经营由城管局统一处置", "将派给：<strong class=\"unit\">湛河区城市管理局</strong>", "只有文明办或系统管理员可以修改")
	servertest.MustNotContain(t, res.Body, "/settings/routing/new", "/edit", "/delete")
	if res := leader.Get("/settings/routing/new"); res.Status != http.StatusForbidden {
		t.Errorf("leader opened the new-rule form: %d", res.Status)
	}
	if res := leader.Post("/settings/routing", form()); res.Status != http.StatusForbidden {
		t.Errorf("leader added a rule: %d", res.Status)
	}

	// Disable the rule, then delete it: the preview falls back to territory.
	res = office.Get("/settings/routing/" + rule + "/edit")
	servertest.MustContain(t, res.Body, `value="马庄街道占道经营由城管局统一处置"`, `value="`+street+`"`)
	disabled := form()
	disabled.Del("enabled")
	if res := office.Post("/settings/routing/"+rule, disabled); res.Status != http.StatusSeeOther {
		t.Fatalf("disable rule: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, preview(office, jm01, community).Body, "属地管理："+community1.Name, "停用")
	if res := office.Post("/settings/routing/"+rule+"/delete", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("delete rule: %d", res.Status)
	}
	if rules, _ := app.Routing.Rules(ctx, access.System()); len(rules) != 0 {
		t.Errorf("rules left: %v", rules)
	}
}
