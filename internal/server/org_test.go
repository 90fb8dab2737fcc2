package server_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
)

// addForeignDistrict creates a unit in 平顶山市卫东区 (410403), outside the
// demo office's jurisdiction, and returns its id.
func addForeignDistrict(t *testing.T, app *testApp) string {
	t.Helper()
	ctx := context.Background()
	if _, err := app.DB.Exec(ctx, "INSERT INTO region (code, name, level, parent_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		"410403", "卫东区", 3, "4104", 0, 0); err != nil {
		t.Fatal(err)
	}
	u, err := app.Org.CreateUnit(ctx, access.System(), org.UnitInput{Code: "410403-office", Name: "卫东区文明办", Kind: org.KindOffice, RegionCode: "410403"})
	if err != nil {
		t.Fatal(err)
	}
	return strconvI(u.ID)
}

func TestUnitPagesRespectScope(t *testing.T) {
	app := newTestApp(t)
	foreign := addForeignDistrict(t, app)
	office := app.browser(t)
	office.signIn("office", demoPassword("office"))

	res := office.get("/units?q=" + url.QueryEscape("马庄"))
	mustContain(t, res.Body, "马庄街道办事处")
	mustNotContain(t, res.Body, "卫东区文明办")
	// Phone numbers are masked in lists.
	mustContain(t, res.Body, "****")

	if res := office.get("/units/" + foreign); res.Status != http.StatusNotFound {
		t.Errorf("office saw a unit of another district: %d", res.Status)
	}

	office.get("/units/new")
	tests := []struct {
		name   string
		form   url.Values
		status int
		msg    string
	}{
		{"outside jurisdiction", url.Values{"code": {"far-away"}, "name": {"外区单位"}, "kind": {"other"}, "region_code": {"410403"}}, http.StatusForbidden, "不在您的管辖范围内"},
		{"unknown region", url.Values{"code": {"nowhere"}, "name": {"无区划单位"}, "kind": {"territorial"}, "region_code": {"410499"}}, http.StatusBadRequest, "区划代码 410499 不存在"},
		{"bad phone", url.Values{"code": {"bad-phone"}, "name": {"电话错误"}, "kind": {"other"}, "region_code": {"410411"}, "head_phone": {"12345"}}, http.StatusBadRequest, "电话号码格式不正确"},
		{"department without line", url.Values{"code": {"no-line"}, "name": {"无条线部门"}, "kind": {"department"}, "region_code": {"410411"}}, http.StatusBadRequest, "须选择所属条线"},
		{"duplicate code", url.Values{"code": {"410411-cg"}, "name": {"重复"}, "kind": {"other"}, "region_code": {"410411"}}, http.StatusConflict, "已被使用"},
		{"escaped name", url.Values{"code": {"xss"}, "name": {"<script>alert(1)</script>"}, "kind": {"other"}, "region_code": {"410411"}}, http.StatusSeeOther, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := office.post("/units", tc.form)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tc.status, res.Body)
			}
			if tc.msg != "" {
				mustContain(t, res.Body, tc.msg)
			}
		})
	}
	res = office.get("/units?q=xss")
	mustContain(t, res.Body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	mustNotContain(t, res.Body, "<script>alert(1)")
}

func TestRolesLimitPages(t *testing.T) {
	app := newTestApp(t)
	leader := app.browser(t)
	leader.signIn("leader", demoPassword("leader"))
	if res := leader.get("/units/new"); res.Status != http.StatusForbidden {
		t.Errorf("leader opened the new-unit form: %d", res.Status)
	}
	leader.get("/units")
	res := leader.post("/units", url.Values{"code": {"by-leader"}, "name": {"领导建的单位"}, "kind": {"other"}, "region_code": {"410411"}})
	if res.Status != http.StatusForbidden {
		t.Errorf("leader created a unit: %d", res.Status)
	}
	// The leader oversees the district, so sees all its users.
	res = leader.get("/users")
	mustContain(t, res.Body, "赵承办", "王创文")

	handler := app.browser(t)
	handler.signIn("handler", demoPassword("handler"))
	res = handler.get("/users")
	mustContain(t, res.Body, "赵承办")
	mustNotContain(t, res.Body, "王创文", ">admin</a>")
	res = handler.get("/units")
	mustContain(t, res.Body, "马庄街道办事处", "电力社区居民委员会")
	mustNotContain(t, res.Body, "南环路街道办事处", "湛河区城市管理局")
	if res := handler.get("/admin/tokens"); res.Status != http.StatusForbidden {
		t.Errorf("handler opened tokens: %d", res.Status)
	}

	citizen := app.browser(t)
	citizen.signIn("citizen", demoPassword("citizen"))
	res = citizen.get("/")
	mustContain(t, res.Body, "吴市民")
	mustNotContain(t, res.Body, `href="/users"`, `href="/admin/tokens"`)
}

func TestUserAdminByOffice(t *testing.T) {
	app := newTestApp(t)
	office := app.browser(t)
	office.signIn("office", demoPassword("office"))
	office.get("/users/new")
	res := office.post("/users", url.Values{"username": {"boss"}, "display_name": {"越权"}, "unit_id": {unitID(t, app, "410411-office")}, "roles": {"admin"}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("office granted admin: %d", res.Status)
	}
	mustContain(t, res.Body, "只有系统管理员可以授予管理员角色")
	res = office.post("/users", url.Values{"username": {"9bad"}, "display_name": {"坏名"}, "unit_id": {unitID(t, app, "410411-office")}, "roles": {"handler"}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("bad user name: %d", res.Status)
	}
	// The office cannot touch the administrator.
	admins, _, err := app.Org.ListUsers(context.Background(), access.System(), org.UserFilter{Role: access.RoleAdmin})
	if err != nil || len(admins) != 1 {
		t.Fatalf("admins: %v %v", admins, err)
	}
	res = office.post("/users/"+strconvI(admins[0].ID)+"/reset-password", nil)
	if res.Status != http.StatusForbidden {
		t.Fatalf("office reset the admin's password: %d", res.Status)
	}
	// Disabling a user ends their sessions.
	h := app.browser(t)
	h.signIn("handler", demoPassword("handler"))
	handlers, _, _ := app.Org.ListUsers(context.Background(), access.System(), org.UserFilter{Query: "handler"})
	office.get("/users/" + strconvI(handlers[0].ID) + "/edit")
	res = office.post("/users/"+strconvI(handlers[0].ID), url.Values{"username": {"handler"}, "display_name": {"赵承办"},
		"unit_id": {unitID(t, app, "410411001")}, "roles": {"handler"}, "disabled": {"1"}, "phone": {"13900000003"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d\n%s", res.Status, res.Body)
	}
	if res := h.get("/units"); res.Status != http.StatusSeeOther {
		t.Fatalf("disabled user still signed in: %d", res.Status)
	}
}
