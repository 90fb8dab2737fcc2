package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestUnitPagesRespectScope(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	foreign := servertest.AddForeignDistrict(t, app)
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))

	res := office.Get("/units?q=" + url.QueryEscape("马庄"))
	servertest.MustContain(t, res.Body, "马庄街道办事处")
	servertest.MustNotContain(t, res.Body, "卫东区文明办")
	// Phone numbers are masked in lists.
	servertest.MustContain(t, res.Body, "****")

	if res := office.Get("/units/" + foreign); res.Status != http.StatusNotFound {
		t.Errorf("office saw a unit of another district: %d", res.Status)
	}

	office.Get("/units/new")
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
			res := office.Post("/units", tc.form)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tc.status, res.Body)
			}
			if tc.msg != "" {
				servertest.MustContain(t, res.Body, tc.msg)
			}
		})
	}
	res = office.Get("/units?q=xss")
	servertest.MustContain(t, res.Body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	servertest.MustNotContain(t, res.Body, "<script>alert(1)")
}

func TestRolesLimitPages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	app.Run(t, []servertest.Scenario{
		{Name: "leader opens the new-unit form", As: "leader", URL: "/units/new", Status: http.StatusForbidden},
		{Name: "leader opens units", As: "leader", URL: "/units"},
		{Name: "leader creates a unit", As: "leader", Method: "POST", URL: "/units",
			Form: url.Values{"code": {"by-leader"}, "name": {"领导建的单位"}, "kind": {"other"}, "region_code": {"410411"}}, Status: http.StatusForbidden},
		// The leader oversees the district, so sees all its users.
		{Name: "leader sees the district's users", As: "leader", URL: "/users", Contains: []string{"赵承办", "王创文"}},
		{Name: "handler sees the street's users", As: "handler", URL: "/users",
			Contains: []string{"赵承办"}, NotContains: []string{"王创文", ">admin</a>"}},
		{Name: "handler sees the street's units", As: "handler", URL: "/units",
			Contains: []string{"马庄街道办事处", "电力社区居民委员会"}, NotContains: []string{"南环路街道办事处", "湛河区城市管理局"}},
		{Name: "handler opens tokens", As: "handler", URL: "/admin/tokens", Status: http.StatusForbidden},
		{Name: "citizen's home has no admin links", As: "citizen", URL: "/",
			Contains: []string{"吴市民"}, NotContains: []string{`href="/users"`, `href="/admin/tokens"`}},
	})
}

func TestUserAdminByOffice(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	office.Get("/users/new")
	res := office.Post("/users", url.Values{"username": {"boss"}, "display_name": {"越权"}, "unit_id": {servertest.UnitID(t, app, "410411-office")}, "roles": {"admin"}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("office granted admin: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "只有系统管理员可以授予管理员角色")
	res = office.Post("/users", url.Values{"username": {"9bad"}, "display_name": {"坏名"}, "unit_id": {servertest.UnitID(t, app, "410411-office")}, "roles": {"handler"}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("bad user name: %d", res.Status)
	}
	// The office cannot touch the administrator.
	admins, _, err := app.Org.ListUsers(context.Background(), access.System(), org.UserFilter{Role: access.RoleAdmin})
	if err != nil || len(admins) != 1 {
		t.Fatalf("admins: %v %v", admins, err)
	}
	res = office.Post("/users/"+servertest.Itoa(admins[0].ID)+"/reset-password", nil)
	if res.Status != http.StatusForbidden {
		t.Fatalf("office reset the admin's password: %d", res.Status)
	}
	// Disabling a user ends their sessions.
	h := app.Browser(t)
	h.SignIn("handler", servertest.DemoPassword("handler"))
	handlers, _, _ := app.Org.ListUsers(context.Background(), access.System(), org.UserFilter{Query: "handler"})
	office.Get("/users/" + servertest.Itoa(handlers[0].ID) + "/edit")
	res = office.Post("/users/"+servertest.Itoa(handlers[0].ID), url.Values{"username": {"handler"}, "display_name": {"赵承办"},
		"unit_id": {servertest.UnitID(t, app, "410411001")}, "roles": {"handler"}, "disabled": {"1"}, "phone": {"13900000003"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d\n%s", res.Status, res.Body)
	}
	if res := h.Get("/units"); res.Status != http.StatusSeeOther {
		t.Fatalf("disabled user still signed in: %d", res.Status)
	}
}
