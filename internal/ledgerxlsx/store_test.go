package ledgerxlsx

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/problem"
)

// dbCategories is the smallest problem.Categories: a read of the category
// table, as the category package would answer.
type dbCategories struct{ d *db.DB }

func (c dbCategories) Category(ctx context.Context, id int64) (problem.CategoryInfo, error) {
	var ci problem.CategoryInfo
	err := c.d.QueryRow(ctx, "SELECT id, name, limit_amount, limit_unit, active FROM category WHERE id = ?", id).
		Scan(&ci.ID, &ci.Name, &ci.LimitAmount, &ci.LimitUnit, &ci.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return ci, apperr.NotFound("problem.category_unknown")
	}
	return ci, err
}

// dbLookups resolves names against the tables, as a web handler would
// through the category, region and unit stores.
func dbLookups(ctx context.Context, d *db.DB) Lookups {
	return Lookups{
		Category: func(name string) (int64, bool) {
			var id int64
			err := d.QueryRow(ctx, "SELECT id FROM category WHERE name = ? AND active", name).Scan(&id)
			return id, err == nil
		},
		Region: func(s string) (string, bool) {
			var code string
			err := d.QueryRow(ctx, "SELECT code FROM region WHERE code = ? OR (name = ? AND level >= 5)", s, s).Scan(&code)
			return code, err == nil
		},
		Unit: func(name string) (int64, bool) {
			var id int64
			err := d.QueryRow(ctx, "SELECT id FROM unit WHERE name = ?", name).Scan(&id)
			return id, err == nil
		},
	}
}

// TestImportAndExportThroughTheStore takes a hand-kept ledger into a real
// database with problem.Store.ImportCases, exports it through
// problem.Store.Each, and reads the export back: the same cases.
func TestImportAndExportThroughTheStore(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := d.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	id := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := d.ExecReturning(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for _, r := range []struct {
		code, name, parent string
		level              int
	}{
		{"41", "河南省", "", 1}, {"4104", "平顶山市", "41", 2}, {"410411", "湛河区", "4104", 3},
		{"410411001", "九龙街道", "410411", 4}, {communityA, "建设路社区", "410411001", 5}, {communityB, "光明路社区", "410411001", 5},
	} {
		var parent any
		if r.parent != "" {
			parent = r.parent
		}
		exec("INSERT INTO region (code, name, level, parent_code, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)",
			r.code, r.name, r.level, parent)
	}
	office := id("INSERT INTO unit (code, name, kind, region_code, created_at, updated_at) VALUES ('zhanhe-office', '湛河区文明办', 'office', '410411', 0, 0) RETURNING id")
	id("INSERT INTO unit (code, name, kind, line, region_code, created_at, updated_at) VALUES ('zhanhe-urban', '湛河区城市管理局', 'department', 'urban_management', '410411', 0, 0) RETURNING id")
	id("INSERT INTO unit (code, name, kind, region_code, created_at, updated_at) VALUES ('410411001', '九龙街道办事处', 'territorial', '410411001', 0, 0) RETURNING id")
	user := id("INSERT INTO app_user (username, display_name, unit_id, password_hash, created_at, updated_at) VALUES ('office', '王主任', ?, 'x', 0, 0) RETURNING id", office)
	exec("INSERT INTO user_role (user_id, role) VALUES (?, 'office')", user)
	top := id("INSERT INTO category_top (code, name, position, created_at, updated_at) VALUES ('SR', '市容环境', 1, 0, 0) RETURNING id")
	for i, name := range []string{"暴露垃圾", "占道经营"} {
		exec(`INSERT INTO category (top_id, code, name, kind, limit_amount, limit_unit, owner_rule, position, created_at, updated_at)
			VALUES (?, ?, ?, 'event', 2, 'day', 'territorial', ?, 0, 0)`, top, "SR0"+string(rune('1'+i)), name, i+1)
	}
	actor := access.Actor{UserID: user, UnitID: office, Region: "410411", Roles: []access.Role{access.RoleOffice}}
	// Clock, Router and Locator are not used by ImportCases and Each.
	store := &problem.Store{DB: d, Now: func() time.Time { return parseNow }, Categories: dbCategories{d}}
	lk := dbLookups(ctx, d)

	ledger := workbook(t,
		[]any{"湛河区创城问题台账（2026 年 11 月）"},
		ledgerHeader,
		good(map[int]any{1: "ZH-001", 8: "已销号", 11: "2026-11-03 10:00", 12: "2026-11-06 09:00", 13: "113.3265", 14: "33.7361"}),
		good(map[int]any{1: "ZH-002", 2: "媒体曝光", 3: "占道经营", 6: "光明路社区", 7: "湛河区城市管理局", 8: "整改中"}),
		good(map[int]any{2: "随手拍", 3: "", 7: "", 8: "待立案", 10: ""}),
	)
	cases, errs, err := ParseWorkbook(ledger, nil, lk, parseNow)
	if err != nil || len(errs) > 0 {
		t.Fatalf("parse: %v %v", Messages(errs, tr(t)), err)
	}
	if n, err := store.ImportCases(ctx, actor, cases, "台账.xlsx"); err != nil || n != 3 {
		t.Fatalf("import: %d, %v", n, err)
	}

	regionName := func(code string) string {
		var name string
		_ = d.QueryRow(ctx, "SELECT name FROM region WHERE code = ?", code).Scan(&name)
		return name
	}
	src := func(fn func(*problem.Case) error) error {
		return store.Each(ctx, actor, problem.Filter{Sort: "old"}, fn)
	}
	var out bytes.Buffer
	n, err := Export(ctx, exporter, &out, src, tr(t), parseNow, Options{Regions: Names(regionName)})
	if err != nil || n != 3 {
		t.Fatalf("export: %d, %v", n, err)
	}
	f, sheet := openExport(t, out.Bytes())
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	// ZH-001 closed on 11-06 09:00, after its deadline (the end of 11-05);
	// ZH-002 is open past it.
	for i, want := range []struct{ code, street, state, overdue string }{
		{"ZH-001", "九龙街道", "已结案", "是"}, {"ZH-002", "九龙街道", "整改中", "是"}, {"", "九龙街道", "待立案", "否"},
	} {
		r := rows[i+2]
		if (want.code != "" && r[0] != want.code) || r[0] == "" || r[5] != want.street || r[10] != want.state || r[14] != want.overdue {
			t.Errorf("row %d: %q", i+3, r)
		}
	}

	back, errs, err := ParseWorkbook(bytes.NewReader(out.Bytes()), nil, lk, parseNow)
	if err != nil || len(errs) > 0 {
		t.Fatalf("parse export: %v %v", Messages(errs, tr(t)), err)
	}
	for i := range cases {
		want := cases[i]
		if want.Code == "" {
			want.Code = back[i].Code // numbered by the store on import
		}
		// The export has no coordinates column.
		want.Lng, want.Lat, want.HasPlace = 0, 0, false
		if !sameCase(back[i], want) {
			t.Errorf("case %d\n got %+v\nwant %+v", i, back[i], want)
		}
	}
}
