package region_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/region"
)

func office(code string) access.Actor {
	return access.Actor{UserID: 7, Roles: []access.Role{access.RoleOffice}, Region: code}
}

const square = `{"type":"Polygon","coordinates":[[[113.3,33.7],[113.31,33.7],[113.31,33.71],[113.3,33.71],[113.3,33.7]]]}`

func TestGridLifecycle(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, testdata()...)
	zhanhe, xinhua := office("410411"), office("410402")
	const community = "410411001001"

	g1, err := s.AddGrid(ctx, zhanhe, community, " 第一网格 ", []byte(square))
	if err != nil {
		t.Fatal(err)
	}
	if g1.Code != "410411001001001" || g1.Name != "第一网格" || g1.Level != region.Grid || g1.ParentCode != community || g1.Boundary != square {
		t.Fatalf("added %+v", g1)
	}
	var minLng, maxLat float64
	if err := s.DB.QueryRow(ctx, "SELECT min_lng, max_lat FROM region WHERE code = ?", g1.Code).Scan(&minLng, &maxLat); err != nil {
		t.Fatal(err)
	}
	if minLng != 113.3 || maxLat != 33.71 {
		t.Errorf("bounding box min_lng %v max_lat %v", minLng, maxLat)
	}
	g2, err := s.AddGrid(ctx, zhanhe, community, "第二网格", nil)
	if err != nil || g2.Code != "410411001001002" || g2.Boundary != "" {
		t.Fatalf("second grid %+v, %v", g2, err)
	}

	addTests := []struct {
		name      string
		actor     access.Actor
		community string
		grid      string
		boundary  string
		kind      apperr.Kind
		code      string
	}{
		{"other district's office", xinhua, community, "第三网格", "", apperr.KindForbidden, "region.forbidden"},
		{"leader may not", access.Actor{UserID: 8, Roles: []access.Role{access.RoleLeader}, Region: "410411"}, community, "第三网格", "", apperr.KindForbidden, "region.forbidden"},
		{"name taken", zhanhe, community, "第一网格", "", apperr.KindConflict, "region.grid_name_taken"},
		{"empty name", zhanhe, community, "  ", "", apperr.KindInvalid, "region.grid_name_required"},
		{"street, not community", zhanhe, "410411001", "第三网格", "", apperr.KindInvalid, "region.not_community"},
		{"unknown community", zhanhe, "410411001099", "第三网格", "", apperr.KindNotFound, "region.not_found"},
		{"bad boundary", zhanhe, community, "第三网格", `{"type":"Point","coordinates":[113.3,33.7]}`, apperr.KindInvalid, "region.geojson.bad_type"},
	}
	for _, tc := range addTests {
		t.Run("add/"+tc.name, func(t *testing.T) {
			var b []byte
			if tc.boundary != "" {
				b = []byte(tc.boundary)
			}
			_, err := s.AddGrid(ctx, tc.actor, tc.community, tc.grid, b)
			wantAppErr(t, err, tc.kind, tc.code)
		})
	}

	// Update: rename, keep, replace and clear the boundary.
	_, err = s.UpdateGrid(ctx, zhanhe, g2.Code, "第一网格", nil)
	wantAppErr(t, err, apperr.KindConflict, "region.grid_name_taken")
	_, err = s.UpdateGrid(ctx, xinhua, g2.Code, "南片", nil)
	wantAppErr(t, err, apperr.KindForbidden, "region.forbidden")
	_, err = s.UpdateGrid(ctx, zhanhe, community, "南片", nil)
	wantAppErr(t, err, apperr.KindInvalid, "region.not_grid")
	_, err = s.UpdateGrid(ctx, zhanhe, "410411001001077", "南片", nil)
	wantAppErr(t, err, apperr.KindNotFound, "region.not_found")
	u, err := s.UpdateGrid(ctx, zhanhe, g1.Code, "北片", nil)
	if err != nil || u.Name != "北片" || u.Boundary != square {
		t.Fatalf("rename kept boundary? %+v, %v", u, err)
	}
	u, err = s.UpdateGrid(ctx, zhanhe, g1.Code, "北片", []byte("null"))
	if err != nil || u.Boundary != "" {
		t.Fatalf("clear boundary: %+v, %v", u, err)
	}
	u, err = s.UpdateGrid(ctx, zhanhe, g2.Code, "第二网格", []byte(`{"type":"Feature","properties":{},"geometry":`+square+`}`))
	if err != nil || u.Boundary != square {
		t.Fatalf("set boundary from a Feature: %+v, %v", u, err)
	}

	// Delete: scope, references, and codes continuing after the highest.
	err = s.DeleteGrid(ctx, xinhua, g1.Code)
	wantAppErr(t, err, apperr.KindForbidden, "region.forbidden")
	now := db.Millis(time.Now())
	if _, err := s.DB.Exec(ctx, "INSERT INTO unit (code, name, kind, region_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		"grid-unit", "北片网格站", "territorial", g1.Code, now, now); err != nil {
		t.Fatal(err)
	}
	err = s.DeleteGrid(ctx, zhanhe, g1.Code)
	wantAppErr(t, err, apperr.KindConflict, "region.grid_in_use")
	if _, err := s.DB.Exec(ctx, "DELETE FROM unit WHERE code = ?", "grid-unit"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteGrid(ctx, zhanhe, g1.Code); err != nil {
		t.Fatal(err)
	}
	err = s.DeleteGrid(ctx, zhanhe, g1.Code)
	wantAppErr(t, err, apperr.KindNotFound, "region.not_found")
	g3, err := s.AddGrid(ctx, zhanhe, community, "北片", nil)
	if err != nil || g3.Code != "410411001001003" {
		t.Fatalf("grid after a delete: %+v, %v", g3, err)
	}
	list, total, err := s.Children(ctx, community, 0, 0)
	if err != nil || total != 2 || !slices.Equal(codes(list), []string{g2.Code, g3.Code}) {
		t.Fatalf("grids of the community: %v %d %v", codes(list), total, err)
	}
}

func TestImportGrids(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, testdata()...)
	zhanhe := office("410411")
	const community = "410411200201"
	if _, err := s.AddGrid(ctx, zhanhe, community, "村东", nil); err != nil {
		t.Fatal(err)
	}
	feature := func(name, geometry string) string {
		return fmt.Sprintf(`{"type":"Feature","properties":{"name":%q},"geometry":%s}`, name, geometry)
	}
	collection := func(features ...string) []byte {
		b := []byte(`{"type":"FeatureCollection","features":[`)
		for i, f := range features {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, f...)
		}
		return append(b, "]}"...)
	}
	multi := `{"type":"MultiPolygon","coordinates":[[[[113.3,33.7],[113.31,33.7],[113.31,33.71],[113.3,33.7]]],[[[113.4,33.7],[113.41,33.7],[113.41,33.71],[113.4,33.7]]]]}`

	got, err := s.ImportGrids(ctx, zhanhe, community, collection(feature("村西", square), feature("村南", multi)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(codes(got), []string{"410411200201002", "410411200201003"}) || got[1].Name != "村南" || got[1].Boundary != multi {
		t.Fatalf("imported %+v", got)
	}

	bad := collection(
		feature("村北", square),
		`{"type":"Feature","properties":{},"geometry":`+square+`}`,
		feature("村中", `{"type":"Polygon","coordinates":[[[113.3,33.7],[113.31,33.7],[113.31,33.71],[113.3,33.72]]]}`),
		feature("村北", square),
		feature("村东", square),
		feature("村外", `{"type":"Polygon","coordinates":[[[213.3,33.7],[113.31,33.7],[113.31,33.71],[213.3,33.7]]]}`),
		`{"type":"Feature","properties":{"name":"无形"},"geometry":null}`,
		`[1,2]`,
	)
	_, err = s.ImportGrids(ctx, zhanhe, community, bad)
	var ie *region.ImportError
	if !errors.As(err, &ie) || !ie.Features {
		t.Fatalf("got %v, want a feature *ImportError", err)
	}
	type problem struct {
		line int
		code string
	}
	var problems []problem
	for _, p := range ie.Problems {
		problems = append(problems, problem{p.Line, p.Code})
	}
	want := []problem{
		{2, "region.grid_name_required"},
		{3, "region.geojson.ring_not_closed"},
		{4, "region.grid_name_duplicate"},
		{5, "region.grid_name_taken"},
		{6, "region.geojson.out_of_range"},
		{7, "region.geojson.no_geometry"},
		{8, "region.geojson.not_feature"},
	}
	if !slices.Equal(problems, want) {
		t.Fatalf("problems %+v, want %+v", ie.Problems, want)
	}
	msgs := ie.Messages(i18n.MustLoad("zh-CN").T)
	if msgs[2] != "第 4 个要素：网格名称「村北」与第 1 个要素重复。" {
		t.Errorf("message %q", msgs[2])
	}
	if err.Error() != `feature 2: grid name missing (and 6 more)` {
		t.Errorf("Error() = %q", err.Error())
	}
	if list, _, _ := s.Children(ctx, community, 0, 0); len(list) != 3 {
		t.Fatalf("refused import left %d grids", len(list))
	}

	refusals := []struct {
		name  string
		actor access.Actor
		body  string
		kind  apperr.Kind
		code  string
	}{
		{"other district", office("410402"), string(collection(feature("村北", square))), apperr.KindForbidden, "region.forbidden"},
		{"not JSON", zhanhe, "{", apperr.KindInvalid, "region.geojson.invalid"},
		{"single feature", zhanhe, feature("村北", square), apperr.KindInvalid, "region.geojson.not_collection"},
		{"no features", zhanhe, `{"type":"FeatureCollection","features":[]}`, apperr.KindInvalid, "region.geojson.no_features"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.ImportGrids(ctx, tc.actor, community, []byte(tc.body))
			wantAppErr(t, err, tc.kind, tc.code)
		})
	}
	_, err = s.ImportGrids(ctx, zhanhe, "410411200", collection(feature("村北", square)))
	wantAppErr(t, err, apperr.KindInvalid, "region.not_community")
}
