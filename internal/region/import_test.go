package region_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/setting"
)

var testdataCounts = map[region.Level]int{region.Province: 2, region.City: 3, region.District: 4, region.Street: 5, region.Community: 8}

func TestImportIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	var stages []string
	s.Progress = func(stage string, done, total int) { stages = append(stages, stage) }

	first := mustImport(t, s, testdata()...)
	if want := (region.ImportReport{Files: 5, Read: 22, Inserted: 22}); first != want {
		t.Fatalf("first import: %+v, want %+v", first, want)
	}
	if !slices.Contains(stages, "region.import.stage.write") {
		t.Errorf("progress stages %v lack the write stage", stages)
	}
	counts, err := s.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(counts, testdataCounts) {
		t.Fatalf("counts %v, want %v", counts, testdataCounts)
	}
	var stamp int64
	if err := s.DB.QueryRow(ctx, "SELECT MAX(updated_at) FROM region").Scan(&stamp); err != nil {
		t.Fatal(err)
	}

	second := mustImport(t, s, testdata()...)
	if want := (region.ImportReport{Files: 5, Read: 22, Unchanged: 22}); second != want {
		t.Fatalf("second import: %+v, want %+v", second, want)
	}
	var stamp2 int64
	if err := s.DB.QueryRow(ctx, "SELECT MAX(updated_at) FROM region").Scan(&stamp2); err != nil {
		t.Fatal(err)
	}
	if counts2, _ := s.Count(ctx); !maps.Equal(counts2, testdataCounts) || stamp2 != stamp {
		t.Fatalf("second import wrote: counts %v, updated_at %d → %d", counts2, stamp, stamp2)
	}

	// A renamed community is updated, the rest left alone.
	renamed := textSource("renamed.csv", "code,name,streetCode,provinceCode,cityCode,areaCode\n"+
		"410411001001,\"电力社区\",410411001,41,4104,410411\n"+
		"410411001002,\"平高社区居民委员会\",410411001,41,4104,410411\n")
	generation := func() string {
		t.Helper()
		g, err := setting.Get(ctx, s.DB, setting.ReferenceGeneration)
		if errors.Is(err, setting.ErrNotFound) {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	before := generation()
	third := mustImport(t, s, renamed)
	if want := (region.ImportReport{Files: 1, Read: 2, Updated: 1, Unchanged: 1}); third != want {
		t.Fatalf("rename import: %+v, want %+v", third, want)
	}
	// The names kept on cases (problem.Store) are read again.
	if after := generation(); after == before {
		t.Errorf("the rename left the reference generation at %q", after)
	}
	r, err := s.Get(ctx, "410411001001")
	if err != nil || r.Name != "电力社区" || r.ParentCode != "410411001" || r.Level != region.Community {
		t.Fatalf("renamed region: %+v, %v", r, err)
	}
}

func TestImportParentsFromDatabase(t *testing.T) {
	s := newStore(t)
	all := testdata()
	mustImport(t, s, all[2:]...) // areas, cities, provinces
	if rep := mustImport(t, s, all[1]); rep.Inserted != 5 {
		t.Fatalf("streets alone: %+v", rep)
	}
	if rep := mustImport(t, s, all[0]); rep.Inserted != 8 {
		t.Fatalf("communities alone: %+v", rep)
	}
	counts, err := s.Count(context.Background())
	if err != nil || !maps.Equal(counts, testdataCounts) {
		t.Fatalf("counts %v, %v", counts, err)
	}
}

func TestDemoSources(t *testing.T) {
	s := newStore(t)
	rep := mustImport(t, s, region.DemoSources()...)
	if rep.Inserted != 117 {
		t.Fatalf("demo import: %+v", rep)
	}
	counts, err := s.Count(context.Background())
	want := map[region.Level]int{region.Province: 1, region.City: 1, region.District: 1, region.Street: 10, region.Community: 104}
	if err != nil || !maps.Equal(counts, want) {
		t.Fatalf("counts %v, %v; want %v", counts, err, want)
	}
	r, err := s.Get(context.Background(), "410411")
	if err != nil || r.Name != "湛河区" || r.ChildCount != 10 {
		t.Fatalf("410411: %+v, %v", r, err)
	}
}

const (
	streetHeader    = "code,name,areaCode,provinceCode,cityCode\n"
	communityHeader = "code,name,streetCode,provinceCode,cityCode,areaCode\n"
)

func TestImportRefusesBadInput(t *testing.T) {
	type problem struct {
		file string
		line int
		code string
	}
	tests := []struct {
		name    string
		sources func(t *testing.T) []region.Source
		want    []problem
	}{
		{
			name: "wrong column count",
			sources: func(*testing.T) []region.Source {
				return []region.Source{textSource("s.csv", streetHeader+"410411001,\"马庄街道\",410411,41,4104\n410411002,\"南环路街道\",410411,41\n")}
			},
			want: []problem{{"s.csv", 3, "region.import.column_count"}},
		},
		{
			name: "empty name and bad codes",
			sources: func(*testing.T) []region.Source {
				return []region.Source{textSource("s.csv", streetHeader+
					"410411001,\"  \",410411,41,4104\n"+
					"41041100A,\"甲\",410411,41,4104\n"+
					"4104110011,\"乙\",410411,41,4104\n"+
					"410411005,\"丙\",41041,41,4104\n")}
			},
			want: []problem{
				{"s.csv", 2, "region.import.empty_name"},
				{"s.csv", 3, "region.import.bad_code"},
				{"s.csv", 4, "region.import.bad_code"},
				{"s.csv", 5, "region.import.bad_parent_code"},
			},
		},
		{
			name: "code not under its parent",
			sources: func(*testing.T) []region.Source {
				return []region.Source{textSource("s.csv", streetHeader+"410402009,\"错\",410411,41,4104\n")}
			},
			want: []problem{{"s.csv", 2, "region.import.parent_mismatch"}},
		},
		{
			name: "unknown parent",
			sources: func(*testing.T) []region.Source {
				return []region.Source{textSource("s.csv", streetHeader+"410411001,\"马庄街道\",410411,41,4104\n410499001,\"无\",410499,41,4104\n")}
			},
			want: []problem{{"s.csv", 3, "region.import.unknown_parent"}},
		},
		{
			name: "duplicate code across files",
			sources: func(t *testing.T) []region.Source {
				return []region.Source{
					textSource("a.csv", streetHeader+"410411001,\"马庄街道\",410411,41,4104\n410411002,\"南环路街道\",410411,41,4104\n"),
					gzipSource(t, "b.csv.gz", streetHeader+"410411009,\"河滨街道\",410411,41,4104\n410411002,\"南环路\",410411,41,4104\n"),
				}
			},
			want: []problem{{"b.csv.gz", 3, "region.import.duplicate_code"}},
		},
		{
			name: "wrong header",
			sources: func(*testing.T) []region.Source {
				return []region.Source{textSource("x.csv", "id,title,parent\n1,\"a\",0\n")}
			},
			want: []problem{{"x.csv", 1, "region.import.bad_header"}},
		},
		{
			name: "empty file",
			sources: func(*testing.T) []region.Source {
				return []region.Source{textSource("empty.csv", "")}
			},
			want: []problem{{"empty.csv", 1, "region.import.empty_file"}},
		},
		{
			name: "broken quotes",
			sources: func(*testing.T) []region.Source {
				return []region.Source{textSource("q.csv", streetHeader+"410411001,\"马庄\"街道\",410411,41,4104\n410411002,\"南环路街道\",410411,41,4104\n")}
			},
			want: []problem{{"q.csv", 2, "region.import.bad_csv"}},
		},
		{
			name: "corrupt gzip",
			sources: func(*testing.T) []region.Source {
				return []region.Source{textSource("c.csv.gz", "\x1f\x8b\x08\x00garbage")}
			},
			want: []problem{{"c.csv.gz", 1, "region.import.unreadable"}},
		},
	}
	cat := i18n.MustLoad("zh-CN")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			// Good files go along, so that "nothing committed" is tested.
			sources := append(testdata()[2:], tc.sources(t)...)
			_, err := s.Import(ctx, sources)
			var ie *region.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want *ImportError", err)
			}
			var got []problem
			for _, p := range ie.Problems {
				got = append(got, problem{p.File, p.Line, p.Code})
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("problems %+v, want %+v", ie.Problems, tc.want)
			}
			wantAppErr(t, err, apperr.KindInvalid, "region.import.failed")
			for _, msg := range ie.Messages(cat.T) {
				if strings.Contains(msg, "%!") || strings.Contains(msg, "region.") {
					t.Errorf("badly rendered message %q", msg)
				}
			}
			if counts, err := s.Count(ctx); err != nil || len(counts) != 0 {
				t.Fatalf("refused import committed %v (%v)", counts, err)
			}
		})
	}
}

func TestImportErrorText(t *testing.T) {
	s := newStore(t)
	var b strings.Builder
	b.WriteString(streetHeader)
	b.WriteString("410411001,\"马庄街道\",410411,41,4104\n410411001,\"马庄街道\",410411,41,4104\n")
	for i := range 150 {
		fmt.Fprintf(&b, "4199%05d,\"无\",419900,41,4199\n", i)
	}
	_, err := s.Import(context.Background(), append(testdata()[2:], textSource("regions.csv", b.String())))
	var ie *region.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v", err)
	}
	if len(ie.Problems) != region.MaxProblems || ie.Total != 151 {
		t.Fatalf("listed %d of %d problems", len(ie.Problems), ie.Total)
	}
	if want := "regions.csv line 3: duplicate code 410411001 (also regions.csv line 2) (and 150 more)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	msgs := ie.Messages(i18n.MustLoad("zh-CN").T)
	if want := "文件 regions.csv 第 3 行：区划代码 410411001 重复（文件 regions.csv 第 2 行已有）。"; msgs[0] != want {
		t.Errorf("first message %q, want %q", msgs[0], want)
	}
	if want := "文件 regions.csv 第 4 行：上级代码 419900 不存在。"; msgs[1] != want {
		t.Errorf("second message %q, want %q", msgs[1], want)
	}
	if want := "……另有 51 处错误未列出。"; msgs[len(msgs)-1] != want {
		t.Errorf("last message %q, want %q", msgs[len(msgs)-1], want)
	}
}
