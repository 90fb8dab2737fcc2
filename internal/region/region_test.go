package region_test

import (
	"context"
	"slices"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/region"
)

func TestLevelOf(t *testing.T) {
	tests := []struct {
		code   string
		level  region.Level
		ok     bool
		parent string
	}{
		{"41", region.Province, true, ""},
		{"4104", region.City, true, "41"},
		{"410411", region.District, true, "4104"},
		{"410411001", region.Street, true, "410411"},
		{"410411001001", region.Community, true, "410411001"},
		{"410411001001007", region.Grid, true, "410411001001"},
		{"", 0, false, ""},
		{"4", 0, false, ""},
		{"41041", 0, false, ""},
		{"41041100100", 0, false, ""},
		{"41a4", 0, false, ""},
	}
	for _, tc := range tests {
		l, ok := region.LevelOf(tc.code)
		if l != tc.level || ok != tc.ok {
			t.Errorf("LevelOf(%q) = %v, %v; want %v, %v", tc.code, l, ok, tc.level, tc.ok)
		}
		if p := region.ParentOf(tc.code); p != tc.parent {
			t.Errorf("ParentOf(%q) = %q, want %q", tc.code, p, tc.parent)
		}
	}
	if k := region.Street.Key(); k != "region.level.street" {
		t.Errorf("Street.Key() = %q", k)
	}
}

func TestChildren(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, testdata()...)
	tests := []struct {
		parent        string
		offset, limit int
		want          []string
		childCounts   []int
		total         int
	}{
		{"", 0, 0, []string{"23", "41"}, []int{1, 2}, 2},
		{"4104", 0, 10, []string{"410402", "410411"}, []int{1, 3}, 2},
		{"410411", 0, 10, []string{"410411001", "410411002", "410411200"}, []int{3, 0, 2}, 3},
		{"410411", 1, 1, []string{"410411002"}, []int{0}, 3},
		{"410411", 5, 10, nil, nil, 3},
		{"410411001001", 0, 10, nil, nil, 0},
	}
	for _, tc := range tests {
		list, total, err := s.Children(ctx, tc.parent, tc.offset, tc.limit)
		if err != nil {
			t.Fatalf("Children(%q): %v", tc.parent, err)
		}
		var counts []int
		for _, r := range list {
			counts = append(counts, r.ChildCount)
			if r.ParentCode != tc.parent {
				t.Errorf("child %s has parent %q", r.Code, r.ParentCode)
			}
		}
		if !slices.Equal(codes(list), tc.want) || !slices.Equal(counts, tc.childCounts) || total != tc.total {
			t.Errorf("Children(%q, %d, %d) = %v %v total %d; want %v %v total %d", tc.parent, tc.offset, tc.limit,
				codes(list), counts, total, tc.want, tc.childCounts, tc.total)
		}
	}
	if _, _, err := s.Children(ctx, "410499", 0, 10); err == nil {
		t.Error("children of an unknown region: no error")
	} else {
		wantAppErr(t, err, apperr.KindNotFound, "region.not_found")
	}
}

func TestGetAndAncestors(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, testdata()...)
	r, err := s.Get(ctx, "410411")
	if err != nil {
		t.Fatal(err)
	}
	if want := (region.Region{Code: "410411", Name: "湛河区", Level: region.District, ParentCode: "4104", ChildCount: 3}); r != want {
		t.Errorf("Get = %+v, want %+v", r, want)
	}
	_, err = s.Get(ctx, "410499")
	wantAppErr(t, err, apperr.KindNotFound, "region.not_found")

	admin := access.Actor{UserID: 1, Roles: []access.Role{access.RoleAdmin}}
	grid, err := s.AddGrid(ctx, admin, "410411001002", "一网格", nil)
	if err != nil {
		t.Fatal(err)
	}
	path, err := s.Ancestors(ctx, grid.Code)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"41", "4104", "410411", "410411001", "410411001002", "410411001002001"}
	if !slices.Equal(codes(path), want) {
		t.Errorf("Ancestors = %v, want %v", codes(path), want)
	}
	if path[2].Name != "湛河区" || path[5].Level != region.Grid {
		t.Errorf("Ancestors gave %+v", path)
	}
	_, err = s.Ancestors(ctx, "410499")
	wantAppErr(t, err, apperr.KindNotFound, "region.not_found")
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, testdata()...)
	admin := access.Actor{UserID: 1, Roles: []access.Role{access.RoleAdmin}}
	for _, name := range []string{"A_1网格", "百分之100%网格", "A11网格"} {
		if _, err := s.AddGrid(ctx, admin, "410411001001", name, nil); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name          string
		within, q     string
		offset, limit int
		want          []string
		total         int
	}{
		{"name everywhere", "", "社区", 0, 0, []string{"410402001001", "410402001002", "410411001001", "410411001002", "410411001003", "410802001001"}, 6},
		{"within a district", "410411", "社区", 0, 0, []string{"410411001001", "410411001002", "410411001003"}, 3},
		{"within a city", "4104", "社区", 0, 0, []string{"410402001001", "410402001002", "410411001001", "410411001002", "410411001003"}, 5},
		{"within a neighbour", "410402", "电力", 0, 0, nil, 0},
		{"within all nines", "9", "社区", 0, 0, nil, 0},
		{"higher levels first", "", "湛河", 0, 0, []string{"410411"}, 1},
		{"code prefix", "", "41041100", 0, 0, []string{"410411001", "410411002", "410411001001", "410411001002", "410411001003",
			"410411001001001", "410411001001002", "410411001001003"}, 8},
		{"code prefix paged", "", "4104", 2, 3, []string{"410411", "410402001", "410411001"}, 17},
		{"underscore is literal", "", "_", 0, 0, []string{"410411001001001"}, 1},
		{"percent is literal", "", "0%", 0, 0, []string{"410411001001002"}, 1},
		{"backslash finds nothing", "", `\`, 0, 0, nil, 0},
		{"digits in a grid name", "410411", "11", 0, 0, []string{"410411001001003"}, 1},
		{"case-insensitive", "", "a_1", 0, 0, []string{"410411001001001"}, 1},
		{"empty query", "", "  ", 0, 0, nil, 0},
		{"past the last page", "410411", "社区", 10, 5, nil, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := s.Search(ctx, tc.within, tc.q, tc.offset, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(codes(list), tc.want) || total != tc.total {
				t.Errorf("Search(%q, %q) = %v total %d; want %v total %d", tc.within, tc.q, codes(list), total, tc.want, tc.total)
			}
		})
	}
	_, _, err := s.Search(ctx, "41'", "社区", 0, 10)
	wantAppErr(t, err, apperr.KindInvalid, "region.bad_code")
}

// TestSearchUnderLinguisticCollation runs the subtree search on PostgreSQL
// with the codes in an ICU English collation, where punctuation does not
// sort after digits: a code+":" upper bound would drop the whole subtree.
func TestSearchUnderLinguisticCollation(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if s.DB.Dialect() != db.Postgres {
		t.Skip("PostgreSQL only")
	}
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM pg_collation WHERE collname = 'en-x-icu'").Scan(&n); err != nil || n == 0 {
		t.Skipf("no ICU collation (%v)", err)
	}
	if _, err := s.DB.Exec(ctx, `ALTER TABLE region ALTER COLUMN code TYPE TEXT COLLATE "en-x-icu"`); err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, testdata()...)
	list, total, err := s.Search(ctx, "410411", "社区", 0, 0)
	if err != nil || total != 3 || !slices.Equal(codes(list), []string{"410411001001", "410411001002", "410411001003"}) {
		t.Fatalf("Search = %v total %d, %v", codes(list), total, err)
	}
	list, total, err = s.Search(ctx, "", "41040", 0, 0)
	if err != nil || total != 4 || list[0].Code != "410402" {
		t.Fatalf("code prefix search = %v total %d, %v", codes(list), total, err)
	}
}
