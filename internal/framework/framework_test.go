package framework_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/i18n"
)

var (
	office    = access.Actor{UserID: 7, UnitID: 1, Region: "4104", Roles: []access.Role{access.RoleOffice}}
	admin     = access.Actor{UserID: 8, Roles: []access.Role{access.RoleAdmin}}
	leader    = access.Actor{UserID: 10, UnitID: 1, Region: "4104", Roles: []access.Role{access.RoleLeader}}
	inspector = access.Actor{UserID: 11, UnitID: 1, Roles: []access.Role{access.RoleInspector}}
)

// newStore is a framework store on a fresh database with the default
// categories and the framework defaults installed.
func newStore(t *testing.T) (*framework.Store, *db.DB) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := category.New(d).EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	s := &framework.Store{DB: d}
	if _, err := s.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	return s, d
}

// defaultLookups resolve against the built-in site types and categories,
// without a database.
func defaultLookups(t *testing.T) framework.Lookups {
	t.Helper()
	tops, err := category.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	cats := map[string]string{}
	for _, top := range tops {
		for _, s := range top.Subs {
			cats[s.Code], cats[s.Name] = s.Code, s.Code
		}
	}
	types := map[string]string{}
	for _, st := range framework.DefaultSiteTypes() {
		types[st.Code], types[st.Name] = st.Code, st.Code
	}
	return framework.Lookups{
		SiteType: func(v string) (string, bool) { c, ok := types[v]; return c, ok },
		Category: func(v string) (string, bool) { c, ok := cats[v]; return c, ok },
	}
}

func TestDefaultSiteTypes(t *testing.T) {
	want := []string{"practice_center", "gov_hall", "bank", "window_unit", "bus_stop", "bus", "taxi", "toilet", "square",
		"hotel", "park", "community", "construction_site", "scenic_spot", "school", "mall", "hospital", "culture_venue",
		"intersection", "back_alley", "commercial_street", "main_road", "urban_rural_fringe", "market",
		"residential_compound", "township"}
	got := framework.DefaultSiteTypes()
	if len(got) != 26 {
		t.Fatalf("%d site types, want 26", len(got))
	}
	names := map[string]bool{}
	for i, st := range got {
		if st.Code != want[i] || st.Position != i+1 || !st.Builtin || !st.Active || st.Name == "" {
			t.Errorf("type %d: %+v, want code %s", i, st, want[i])
		}
		if names[st.Name] {
			t.Errorf("name %s twice", st.Name)
		}
		names[st.Name] = true
	}
}

func TestSample(t *testing.T) {
	items, rowErrs, err := framework.Sample(defaultLookups(t))
	if err != nil || len(rowErrs) > 0 {
		t.Fatalf("sample: %v %+v", err, rowErrs)
	}
	v := framework.Version{Items: items}
	var criteria, withCategory int
	types := map[string]bool{}
	v.Walk(func(n *framework.Node) {
		if !n.IsCriterion() {
			return
		}
		criteria++
		if len(n.Methods) == 0 || n.Score == nil {
			t.Errorf("criterion %s lacks methods or a score", n.Code)
		}
		if n.HasMethod(framework.MethodField) && len(n.SiteTypes) == 0 {
			t.Errorf("field criterion %s applies to no site type", n.Code)
		}
		if len(n.Categories) > 0 {
			withCategory++
		}
		for _, st := range n.SiteTypes {
			types[st] = true
		}
	})
	if len(items) < 3 || len(items) > 5 || criteria < 30 || criteria > 60 || withCategory < 40 {
		t.Errorf("%d items, %d criteria, %d with a problem category", len(items), criteria, withCategory)
	}
	for _, st := range []string{"square", "main_road", "back_alley", "bus_stop", "market", "residential_compound", "toilet", "school", "intersection"} {
		if !types[st] {
			t.Errorf("no sample criterion for %s", st)
		}
	}
}

func TestEnsureDefaultsInstallsTheSampleOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	types, err := s.SiteTypes(ctx, true)
	if err != nil || len(types) != 26 {
		t.Fatalf("%d site types, %v", len(types), err)
	}
	versions, err := s.Versions(ctx, access.System())
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 1 || !versions[0].IsSample || !versions[0].Active || versions[0].Name != framework.SampleName ||
		versions[0].Source != framework.SourceSample || versions[0].CriterionCount() != 60 || versions[0].ItemCount() != 5 {
		t.Fatalf("after first start: %+v", versions)
	}
	if !strings.Contains(versions[0].Name, "示例（非官方版本，请替换为正式测评体系）") {
		t.Errorf("sample not labelled: %q", versions[0].Name)
	}
	if n, err := s.EnsureDefaults(ctx); err != nil || n != 0 {
		t.Fatalf("second run inserted %d, %v", n, err)
	}
	// The office replaces the sample and deletes it: it does not return.
	other, err := s.CreateVersion(ctx, office, framework.VersionInput{Name: "正式版"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Activate(ctx, office, other.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteVersion(ctx, office, versions[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.EnsureDefaults(ctx); err != nil || n != 0 {
		t.Fatalf("after deleting the sample: inserted %d, %v", n, err)
	}
	if vs, _ := s.Versions(ctx, access.System()); len(vs) != 1 || vs[0].ID != other.ID {
		t.Fatalf("versions %+v", vs)
	}
	// A deactivated built-in type stays deactivated.
	if err := s.SetSiteTypeActive(ctx, office, "township", false); err != nil {
		t.Fatal(err)
	}
	s.EnsureDefaults(ctx)
	if st, _ := s.SiteType(ctx, "township"); st.Active {
		t.Error("township reactivated")
	}
}

func TestEnsureDefaultsWithoutCategories(t *testing.T) {
	ctx := context.Background()
	s := &framework.Store{DB: dbtest.Open(t)}
	if _, err := s.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := s.ActiveVersion(ctx)
	if err != nil || v.CriterionCount() != 60 {
		t.Fatalf("active %+v, %v", v.Counts, err)
	}
}

// shape is a tree without ids, for comparing trees.
func shape(v framework.Version) []string {
	var out []string
	var walk func(parent string, ns []*framework.Node)
	walk = func(parent string, ns []*framework.Node) {
		for _, n := range ns {
			out = append(out, fmt.Sprintf("%d|%s|%s|%s|%v|%s|%v|%v", n.Level, n.Code, parent, n.Text, n.Methods, n.ScoreText(), n.SiteTypes, n.Categories))
			walk(n.Code, n.Children)
		}
	}
	walk("", v.Items)
	return out
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	sample, err := s.ActiveVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Awkward content: formulas, quotes, commas, line breaks, no score,
	// a city's own site type, every method.
	if _, err := s.CreateSiteType(ctx, office, "", "城市绿道"); err != nil {
		t.Fatal(err)
	}
	edge, err := s.CreateVersion(ctx, office, framework.VersionInput{Name: "边界", CopyOf: sample.ID})
	if err != nil {
		t.Fatal(err)
	}
	content, err := s.NodeByCode(ctx, edge.ID, "2.1.1")
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"=HYPERLINK(\"http://x\")", "-无暴露垃圾, 含\"引号\"\n第二行", "+1 @所有人"} {
		in := framework.NodeInput{ParentID: content.ID, Code: fmt.Sprintf("2.1.1.X%d", i), Text: text,
			Methods: framework.Methods(), SiteTypes: []string{"custom_1", "square"}, Categories: []string{"sr02", "JM01"}}
		if i == 1 {
			x := 12.25
			in.Score = &x
		}
		if _, err := s.CreateNode(ctx, office, edge.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	edge, _ = s.Version(ctx, access.System(), edge.ID)
	for _, src := range []framework.Version{sample, edge} {
		for _, format := range []framework.Format{framework.FormatXLSX, framework.FormatCSV} {
			t.Run(src.Name+"/"+string(format), func(t *testing.T) {
				var buf bytes.Buffer
				if err := s.Export(ctx, access.System(), &buf, src.ID, format); err != nil {
					t.Fatal(err)
				}
				if framework.DetectFormat(buf.Bytes()) != format {
					t.Fatalf("exported %s detected as %s", format, framework.DetectFormat(buf.Bytes()))
				}
				got, rowErrs, err := s.ImportVersion(ctx, office, framework.ImportInput{Name: "导入 " + string(format), FileName: "x." + string(format)},
					bytes.NewReader(buf.Bytes()), format)
				if err != nil {
					t.Fatalf("import: %v %+v", err, rowErrs)
				}
				want, have := shape(src), shape(got)
				if !slices.Equal(want, have) {
					for i := range max(len(want), len(have)) {
						var w, h string
						if i < len(want) {
							w = want[i]
						}
						if i < len(have) {
							h = have[i]
						}
						if w != h {
							t.Errorf("row %d:\nwant %s\nhave %s", i, w, h)
						}
					}
				}
				if got.Active || got.IsSample || got.Source != framework.SourceImport || got.SourceDetail != "x."+string(format) || got.CreatedBy != office.UserID {
					t.Errorf("imported version %+v", got)
				}
				if got.Counts != src.Counts {
					t.Errorf("counts %v, want %v", got.Counts, src.Counts)
				}
			})
		}
	}
	// The formula stays text in the workbook, neutralised by an apostrophe.
	var buf bytes.Buffer
	if err := s.Export(ctx, access.System(), &buf, edge.ID, framework.FormatXLSX); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("测评体系")
	found := false
	for i, row := range rows {
		if len(row) > 3 && strings.HasPrefix(row[3], "'=HYPERLINK") {
			found = true
			cell, _ := excelize.CoordinatesToCellName(4, i+1)
			if formula, _ := f.GetCellFormula("测评体系", cell); formula != "" {
				t.Errorf("text became formula %q", formula)
			}
		}
	}
	if !found || rows[1][0] != "层级" || !strings.Contains(rows[0][0], "边界") {
		t.Errorf("sheet head %v / %v, formula row found %v", rows[0], rows[1], found)
	}
}

func TestImportOutlineAndEncodings(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	// No parent codes: each row hangs under the nearest row above of the
	// level above; levels as digits; columns in another order; GB18030.
	csvText := "测评体系（试行）\n" +
		"编码,内容,层级,测评方法,分值,适用点位类型,问题类别\n" +
		"A,公共环境,一级,,,,\n" +
		"A1,环境卫生,2,,,,\n" +
		"A1a,道路保洁,3,,,,\n" +
		"A1a1,无暴露垃圾,4,实地,２,main_road/公共广场,暴露垃圾\n" +
		"A1a2,台账齐全,4,材料申报；问卷,,,\n" +
		"B,公共秩序,1,,,,\n" +
		"B1,交通秩序,2,,,,\n" +
		"B1a,路口,3,,,,\n" +
		"B1a1,无闯红灯,4,field,1.5分,主要交通路口,JT04\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(csvText)
	if err != nil {
		t.Fatal(err)
	}
	v, rowErrs, err := s.ImportVersion(ctx, office, framework.ImportInput{Name: "大纲", Activate: true}, strings.NewReader(gb), framework.FormatCSV)
	if err != nil {
		t.Fatalf("%v %+v", err, rowErrs)
	}
	want := []string{
		"1|A||公共环境|[]||[]|[]",
		"2|A1|A|环境卫生|[]||[]|[]",
		"3|A1a|A1|道路保洁|[]||[]|[]",
		"4|A1a1|A1a|无暴露垃圾|[field]|2|[square main_road]|[SR01]",
		"4|A1a2|A1a|台账齐全|[survey dossier]||[]|[]",
		"1|B||公共秩序|[]||[]|[]",
		"2|B1|B|交通秩序|[]||[]|[]",
		"3|B1a|B1|路口|[]||[]|[]",
		"4|B1a1|B1a|无闯红灯|[field]|1.5|[intersection]|[JT04]",
	}
	if got := shape(v); !slices.Equal(got, want) {
		t.Errorf("tree\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !v.Active {
		t.Error("not activated")
	}
	// A BOM is fine too.
	bom := "\xef\xbb\xbf层级,编码,上级编码,内容,测评方法\n项目,1,,甲,\n"
	if _, rowErrs, err := s.ImportVersion(ctx, office, framework.ImportInput{Name: "BOM"}, strings.NewReader(bom), framework.FormatCSV); err != nil {
		t.Fatalf("%v %+v", err, rowErrs)
	}
}

func countVersions(t *testing.T, s *framework.Store) int {
	t.Helper()
	vs, err := s.Versions(context.Background(), access.System())
	if err != nil {
		t.Fatal(err)
	}
	return len(vs)
}

func TestImportRejectsBadRows(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	cat := i18n.MustLoad("zh-CN")
	head := "层级,编码,上级编码,内容,测评方法,分值,适用点位类型,问题类别\n" +
		"项目,1,,公共环境,,,,\n" + // row 2
		"指标,1.1,1,环境卫生,,,,\n" + // row 3
		"内容,1.1.1,1.1,道路保洁,,,,\n" // row 4
	tests := []struct {
		name string
		row  string // row 5
		code string
		msg  string
	}{
		{"missing parent", "标准,1.1.1.1,1.1.9,无垃圾,实地考察,1,主次干道,SR01", "framework.parent_missing", "第 5 行「上级编码」：找不到上级编码「1.1.9」"},
		{"duplicate code", "标准,1.1,1.1.1,无垃圾,实地考察,1,主次干道,SR01", "framework.code_duplicate", "编码「1.1」与第 3 行重复"},
		{"unknown site type", "标准,1.1.1.1,1.1.1,无垃圾,实地考察,1,火星基地,SR01", "framework.site_type_unknown", "「适用点位类型」：没有点位类型「火星基地」"},
		{"unknown method", "标准,1.1.1.1,1.1.1,无垃圾,掐指一算,1,主次干道,SR01", "framework.method_unknown", "没有测评方法「掐指一算」"},
		{"bad score", "标准,1.1.1.1,1.1.1,无垃圾,实地考察,两分,主次干道,SR01", "framework.score_invalid", "「分值」"},
		{"negative score", "标准,1.1.1.1,1.1.1,无垃圾,实地考察,-1,主次干道,SR01", "framework.score_invalid", "「分值」"},
		{"unknown category", "标准,1.1.1.1,1.1.1,无垃圾,实地考察,1,主次干道,ZZ99", "framework.category_unknown", "没有问题类别「ZZ99」"},
		{"wrong level order", "标准,1.1.1.1,1.1,无垃圾,实地考察,1,主次干道,SR01", "framework.level_order", "上级「1.1」是指标，应为内容"},
		{"no method", "标准,1.1.1.1,1.1.1,无垃圾,,1,主次干道,SR01", "framework.method_required", "「测评方法」"},
		{"item with parent", "项目,2,1,公共秩序,,,,", "framework.item_has_parent", "不能有上级编码"},
		{"score on a content", "内容,1.1.2,1.1,绿化,实地考察,,,", "framework.criterion_only_row", "内容不能填写"},
		{"unknown level", "细则,1.1.1.1,1.1.1,无垃圾,实地考察,1,,", "framework.level_invalid", "「层级」"},
		{"bad code", "标准,1 1,1.1.1,无垃圾,实地考察,1,,", "framework.code_invalid", "「编码」"},
		{"no text", "标准,1.1.1.1,1.1.1,,实地考察,1,,", "framework.text_required", "「内容」"},
	}
	before := countVersions(t, s)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, format := range []framework.Format{framework.FormatCSV, framework.FormatXLSX} {
				data := []byte(head + tc.row + "\n")
				if format == framework.FormatXLSX {
					data = toXLSX(t, string(data))
				}
				_, rowErrs, err := s.ImportVersion(ctx, office, framework.ImportInput{Name: tc.name}, bytes.NewReader(data), format)
				if e := apperr.As(err); e.Kind != apperr.KindInvalid || e.Code != "framework.import_rejected" {
					t.Fatalf("%s: error %v", format, err)
				}
				if len(rowErrs) != 1 || rowErrs[0].Row != 5 || rowErrs[0].Code != tc.code {
					t.Fatalf("%s: row errors %+v", format, rowErrs)
				}
				msgs := framework.Messages(rowErrs, cat.T)
				if !strings.Contains(msgs[0], "第 5 行") || !strings.Contains(msgs[0], tc.msg) {
					t.Errorf("%s: message %q lacks %q", format, msgs[0], tc.msg)
				}
			}
		})
	}
	if n := countVersions(t, s); n != before {
		t.Errorf("%d versions after rejected imports, want %d", n, before)
	}
	// Several bad rows are all reported, in row order.
	bad := head + "标准,1.1.1.1,1.1.9,无垃圾,实地考察,1,主次干道,SR01\n" +
		"标准,1.1.1.1,1.1.1,无垃圾,实地考察,x,主次干道,SR01\n" +
		"内容,1.1.2,,绿化,,,,\n"
	_, rowErrs, _ := s.ImportVersion(ctx, office, framework.ImportInput{Name: "多处"}, strings.NewReader(bad), framework.FormatCSV)
	var rows []int
	for _, e := range rowErrs {
		rows = append(rows, e.Row)
	}
	if !slices.Equal(rows, []int{5, 6, 6}) {
		t.Errorf("rows %v (%+v)", rows, rowErrs)
	}
	// File-level problems.
	for name, body := range map[string]string{
		"no header":      "甲,乙,丙\n1,2,3\n",
		"no code column": "层级,上级编码,内容,分值\n项目,,甲,\n",
		"no rows":        "层级,编码,上级编码,内容\n",
	} {
		_, rowErrs, err := s.ImportVersion(ctx, office, framework.ImportInput{Name: name}, strings.NewReader(body), framework.FormatCSV)
		if e := apperr.As(err); e.Kind != apperr.KindInvalid || len(rowErrs) != 0 || !cat.Has(e.Code) {
			t.Errorf("%s: %v %+v", name, err, rowErrs)
		}
	}
	if _, _, err := s.ImportVersion(ctx, office, framework.ImportInput{Name: "x"}, strings.NewReader("PK\x03\x04garbage"), framework.FormatXLSX); apperr.As(err).Code != "framework.not_sheet" {
		t.Errorf("garbage workbook: %v", err)
	}
	if _, _, err := s.ImportVersion(ctx, leader, framework.ImportInput{Name: "x"}, strings.NewReader(head), framework.FormatCSV); apperr.As(err).Kind != apperr.KindForbidden {
		t.Errorf("leader imported: %v", err)
	}
	if n := countVersions(t, s); n != before {
		t.Errorf("%d versions after rejected imports, want %d", n, before)
	}
}

// toXLSX puts simple CSV text (no quotes) into a workbook, one line a
// row, so that the rows keep their numbers.
func toXLSX(t *testing.T, text string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		cells := strings.Split(line, ",")
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOnlyOneActiveVersion(t *testing.T) {
	ctx := context.Background()
	s, d := newStore(t)
	var ids []int64
	for i := range 3 {
		v, err := s.CreateVersion(ctx, office, framework.VersionInput{Name: fmt.Sprintf("第%d版", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
	for _, id := range append(ids, ids[0]) {
		if err := s.Activate(ctx, admin, id); err != nil {
			t.Fatal(err)
		}
		vs, err := s.Versions(ctx, access.System())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, v := range vs {
			if v.Active {
				n++
				if v.ID != id {
					t.Errorf("version %d active, want %d", v.ID, id)
				}
			}
		}
		if n != 1 || vs[0].ID != id {
			t.Errorf("%d active versions; first listed %d", n, vs[0].ID)
		}
		if a, err := s.ActiveVersion(ctx); err != nil || a.ID != id {
			t.Errorf("ActiveVersion %d, %v", a.ID, err)
		}
	}
	// The database itself refuses a second active version.
	_, err := d.Exec(ctx, "UPDATE framework_version SET active = ? WHERE id = ?", true, ids[1])
	if !db.IsUniqueViolation(err) {
		t.Errorf("second active version: %v", err)
	}
	if err := s.DeleteVersion(ctx, office, ids[0]); apperr.As(err).Code != "framework.delete_active" {
		t.Errorf("deleted the active version: %v", err)
	}
	if err := s.Activate(ctx, leader, ids[1]); apperr.As(err).Kind != apperr.KindForbidden {
		t.Errorf("leader activated: %v", err)
	}
	if err := s.Activate(ctx, office, 99999); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown version: %v", err)
	}
}

func TestCriteriaBySiteType(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	v, err := s.ActiveVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Criteria(ctx, v.ID, "")
	if err != nil || len(all) != 60 {
		t.Fatalf("%d criteria, %v", len(all), err)
	}
	// Tree order: the same order as a walk of the tree.
	var walked []string
	v.Walk(func(n *framework.Node) {
		if n.IsCriterion() {
			walked = append(walked, n.Code)
		}
	})
	var listed []string
	for _, c := range all {
		listed = append(listed, c.Code)
	}
	if !slices.Equal(walked, listed) {
		t.Errorf("order %v, want %v", listed, walked)
	}
	toilet, err := s.Criteria(ctx, v.ID, "toilet")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range toilet {
		codes = append(codes, c.Code)
		if !c.HasSiteType("toilet") {
			t.Errorf("%s does not apply to toilets", c.Code)
		}
	}
	if !slices.Equal(codes, []string{"2.1.2.1", "2.1.2.2", "2.1.2.3", "2.1.2.4"}) {
		t.Errorf("toilet criteria %v", codes)
	}
	c := toilet[0]
	if c.Item.Code != "2" || c.Item.Text != "市容环境卫生" || c.Indicator.Code != "2.1" || c.Content.Code != "2.1.2" ||
		c.Content.Text != "公共厕所" || c.ScoreText() != "2" || !slices.Equal(c.Methods, []framework.Method{framework.MethodField}) ||
		!slices.Equal(c.Categories, []string{"SR04"}) {
		t.Errorf("criterion %+v", c)
	}
	if toilet[3].ScoreText() != "0.5" || !slices.Equal(toilet[3].SiteTypes, []string{"toilet", "square"}) {
		t.Errorf("last toilet criterion %+v", toilet[3])
	}
	road, _ := s.Criteria(ctx, v.ID, "main_road")
	if len(road) < 10 || road[0].Code != "1.1.1.1" || !strings.Contains(road[0].Text, "200米") || !strings.Contains(road[1].Text, "500米") {
		t.Errorf("main road criteria start %+v", road[:2])
	}
	if none, err := s.Criteria(ctx, v.ID, "nowhere"); err != nil || len(none) != 0 {
		t.Errorf("unknown type: %d, %v", len(none), err)
	}
	// Another version's criteria stay apart.
	empty, _ := s.CreateVersion(ctx, office, framework.VersionInput{Name: "空"})
	if list, _ := s.Criteria(ctx, empty.ID, "toilet"); len(list) != 0 {
		t.Errorf("empty version has %d criteria", len(list))
	}
}

func TestNodeEditing(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	v, err := s.CreateVersion(ctx, office, framework.VersionInput{Name: "手工", Note: "逐条录入"})
	if err != nil {
		t.Fatal(err)
	}
	item, err := s.CreateNode(ctx, office, v.ID, framework.NodeInput{Code: "1", Text: "公共环境"})
	if err != nil || item.Level != framework.LevelItem || item.Position != 1 {
		t.Fatalf("item %+v, %v", item, err)
	}
	ind, _ := s.CreateNode(ctx, office, v.ID, framework.NodeInput{ParentID: item.ID, Code: "1.1", Text: "环境卫生"})
	content, err := s.CreateNode(ctx, office, v.ID, framework.NodeInput{ParentID: ind.ID, Code: "1.1.1", Text: "道路"})
	if err != nil || content.Level != framework.LevelContent {
		t.Fatalf("content %+v, %v", content, err)
	}
	two := 2.0
	crit, err := s.CreateNode(ctx, office, v.ID, framework.NodeInput{ParentID: content.ID, Code: " 1.1.1.1 ", Text: " 无暴露垃圾 ",
		Methods: []framework.Method{"dossier", "field", "field"}, Score: &two, SiteTypes: []string{"main_road", "square"}, Categories: []string{"sr01"}})
	if err != nil {
		t.Fatal(err)
	}
	if crit.Code != "1.1.1.1" || crit.Text != "无暴露垃圾" || !slices.Equal(crit.Methods, []framework.Method{"field", "dossier"}) ||
		crit.ScoreText() != "2" || !slices.Equal(crit.SiteTypes, []string{"square", "main_road"}) || !slices.Equal(crit.Categories, []string{"SR01"}) {
		t.Errorf("criterion %+v", crit)
	}
	bad := []struct {
		name   string
		parent int64
		in     framework.NodeInput
		code   string
	}{
		{"no method", content.ID, framework.NodeInput{Code: "x1", Text: "甲"}, "framework.method_required"},
		{"unknown method", content.ID, framework.NodeInput{Code: "x1", Text: "甲", Methods: []framework.Method{"guess"}}, "framework.method_unknown"},
		{"score on a content", ind.ID, framework.NodeInput{Code: "x1", Text: "甲", Score: &two}, "framework.criterion_only"},
		{"unknown site type", content.ID, framework.NodeInput{Code: "x1", Text: "甲", Methods: []framework.Method{"field"}, SiteTypes: []string{"mars"}}, "framework.site_type_unknown"},
		{"unknown category", content.ID, framework.NodeInput{Code: "x1", Text: "甲", Methods: []framework.Method{"field"}, Categories: []string{"ZZ99"}}, "framework.category_unknown"},
		{"code taken", content.ID, framework.NodeInput{Code: "1.1", Text: "甲", Methods: []framework.Method{"field"}}, "framework.code_taken"},
		{"bad code", content.ID, framework.NodeInput{Code: "一", Text: "甲", Methods: []framework.Method{"field"}}, "framework.code_invalid"},
		{"no text", content.ID, framework.NodeInput{Code: "x1", Methods: []framework.Method{"field"}}, "framework.text_required"},
		{"under a criterion", crit.ID, framework.NodeInput{Code: "x1", Text: "甲"}, "framework.criterion_no_children"},
		{"parent elsewhere", 1, framework.NodeInput{Code: "x1", Text: "甲"}, "framework.parent_unknown"},
	}
	for _, tc := range bad {
		tc.in.ParentID = tc.parent
		if _, err := s.CreateNode(ctx, office, v.ID, tc.in); apperr.As(err).Code != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	half := 1.5
	upd, err := s.UpdateNode(ctx, admin, crit.ID, framework.NodeInput{Code: "1.1.1.9", Text: "无积存垃圾", Methods: []framework.Method{"survey"},
		Score: &half, SiteTypes: []string{"toilet"}})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Code != "1.1.1.9" || upd.Text != "无积存垃圾" || upd.ScoreText() != "1.5" || !slices.Equal(upd.SiteTypes, []string{"toilet"}) ||
		len(upd.Categories) != 0 || upd.ParentID != content.ID || upd.Position != crit.Position {
		t.Errorf("updated %+v", upd)
	}
	if _, err := s.UpdateNode(ctx, office, crit.ID, framework.NodeInput{Code: "1.1", Text: "甲", Methods: []framework.Method{"field"}}); apperr.As(err).Code != "framework.code_taken" {
		t.Errorf("code taken on update: %v", err)
	}
	if _, err := s.UpdateNode(ctx, leader, crit.ID, framework.NodeInput{Code: "1.1.1.9", Text: "甲", Methods: []framework.Method{"field"}}); apperr.As(err).Kind != apperr.KindForbidden {
		t.Errorf("leader edited: %v", err)
	}
	if _, err := s.CreateNode(ctx, inspector, v.ID, framework.NodeInput{Code: "9", Text: "甲"}); apperr.As(err).Kind != apperr.KindForbidden {
		t.Errorf("inspector added: %v", err)
	}
	if n, err := s.NodeByCode(ctx, v.ID, "1.1.1.9"); err != nil || n.ID != crit.ID {
		t.Errorf("by code: %+v %v", n, err)
	}
	// Deleting the indicator takes its subtree.
	if err := s.DeleteNode(ctx, office, ind.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Version(ctx, access.System(), v.ID)
	if got.Counts != [5]int{0, 1, 0, 0, 0} || len(got.Items) != 1 || len(got.Items[0].Children) != 0 {
		t.Errorf("after delete: %v", got.Counts)
	}
	if _, err := s.Node(ctx, access.System(), crit.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("criterion survived: %v", err)
	}
	if got.Note != "逐条录入" || got.Source != framework.SourceEmpty {
		t.Errorf("version %+v", got)
	}
	renamed, err := s.UpdateVersion(ctx, office, v.ID, " 手工录入版 ", "")
	if err != nil || renamed.Name != "手工录入版" {
		t.Errorf("rename %+v %v", renamed, err)
	}
	if _, err := s.UpdateVersion(ctx, office, v.ID, "", ""); apperr.As(err).Code != "framework.name_invalid" {
		t.Errorf("empty name: %v", err)
	}
	if err := s.DeleteVersion(ctx, office, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Version(ctx, access.System(), v.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("deleted version: %v", err)
	}
}

func TestCopyVersion(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	sample, _ := s.ActiveVersion(ctx)
	cp, err := s.CreateVersion(ctx, office, framework.VersionInput{Name: "副本", CopyOf: sample.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shape(cp), shape(sample)) || cp.Active || cp.IsSample || cp.Source != framework.SourceCopy || cp.SourceDetail != sample.Name {
		t.Errorf("copy %+v", cp.Counts)
	}
	// Editing the copy leaves the original alone.
	n, _ := s.NodeByCode(ctx, cp.ID, "2.1.2.1")
	if _, err := s.UpdateNode(ctx, office, n.ID, framework.NodeInput{Code: n.Code, Text: "改过", Methods: n.Methods}); err != nil {
		t.Fatal(err)
	}
	orig, _ := s.NodeByCode(ctx, sample.ID, "2.1.2.1")
	if orig.Text == "改过" || len(orig.SiteTypes) != 1 {
		t.Errorf("original changed: %+v", orig)
	}
	if _, err := s.CreateVersion(ctx, office, framework.VersionInput{Name: "x", CopyOf: 9999}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("copy of nothing: %v", err)
	}
}

func TestSiteTypes(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	st, err := s.CreateSiteType(ctx, office, "", "城市绿道")
	if err != nil || st.Code != "custom_1" || st.Builtin || !st.Active || st.Position != 27 {
		t.Fatalf("%+v %v", st, err)
	}
	st2, err := s.CreateSiteType(ctx, admin, "Night_Market", " 夜市 ")
	if err != nil || st2.Code != "night_market" || st2.Name != "夜市" {
		t.Fatalf("%+v %v", st2, err)
	}
	for _, tc := range []struct {
		actor      access.Actor
		code, name string
		want       string
	}{
		{office, "", "公共广场", "sitetype.name_taken"},
		{office, "square", "广场二", "sitetype.code_taken"},
		{office, "bad code", "某类", "sitetype.code_invalid"},
		{office, "", "", "sitetype.name_invalid"},
		{office, "", "甲、乙", "sitetype.name_invalid"},
		{leader, "", "某类", "sitetype.forbidden"},
	} {
		if _, err := s.CreateSiteType(ctx, tc.actor, tc.code, tc.name); apperr.As(err).Code != tc.want {
			t.Errorf("%s/%s: %v, want %s", tc.code, tc.name, err, tc.want)
		}
	}
	if err := s.SetSiteTypeActive(ctx, office, "custom_1", false); err != nil {
		t.Fatal(err)
	}
	active, _ := s.SiteTypes(ctx, false)
	all, _ := s.SiteTypes(ctx, true)
	if len(active) != 27 || len(all) != 28 || all[26].Code != "custom_1" {
		t.Errorf("%d active, %d in all", len(active), len(all))
	}
	if err := s.SetSiteTypeActive(ctx, office, "nope", false); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown type: %v", err)
	}
	if err := s.SetSiteTypeActive(ctx, leader, "square", false); apperr.As(err).Kind != apperr.KindForbidden {
		t.Errorf("leader: %v", err)
	}
	// A city type deleted from nowhere: the next custom code skips taken ones.
	if st, _ := s.CreateSiteType(ctx, office, "custom_3", "三"); st.Code != "custom_3" {
		t.Errorf("explicit custom_3: %+v", st)
	}
	if st, err := s.CreateSiteType(ctx, office, "", "四"); err != nil || st.Code != "custom_4" {
		t.Errorf("generated after custom_3: %+v %v", st, err)
	}
}

func TestMessagesAreInTheCatalogue(t *testing.T) {
	cat := i18n.MustLoad("zh-CN")
	for _, l := range framework.Levels() {
		if !cat.Has(l.Key()) {
			t.Errorf("no %s", l.Key())
		}
	}
	for _, m := range framework.Methods() {
		if !cat.Has(m.Key()) {
			t.Errorf("no %s", m.Key())
		}
	}
	for _, c := range framework.Columns() {
		if !cat.Has(c.Key()) {
			t.Errorf("no %s", c.Key())
		}
	}
	for _, key := range []string{"framework.at_row", "framework.at_row_col", "framework.parent_missing", "framework.code_duplicate",
		"framework.level_order", "framework.import_rejected", "framework.no_header", "framework.column_missing", "framework.no_rows",
		"framework.too_many_rows", "framework.csv_broken", "framework.not_sheet", "framework.file_too_large", "framework.format_unknown",
		"framework.level_required", "framework.code_required", "framework.parent_required", "framework.node_not_found",
		"framework.no_active", "framework.version_not_found", "framework.activate_conflict", "framework.version_in_use",
		"framework.node_in_use", "framework.criterion_only", "framework.criterion_only_row", "framework.code_taken", "sitetype.not_found",
		"framework.text_too_long", "framework.position_invalid", "framework.note_too_long"} {
		if !cat.Has(key) {
			t.Errorf("no %s", key)
		}
	}
}

// TestReadersAndEditors: the store decides who reads the framework (the
// office, leaders, inspectors, administrators) and who gets a node to
// edit (the office and administrators).
func TestReadersAndEditors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newStore(t)
	v, err := s.ActiveVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	node, err := s.NodeByCode(ctx, v.ID, "1")
	if err != nil {
		t.Fatal(err)
	}
	handler := access.Actor{UserID: 9, UnitID: 2, Roles: []access.Role{access.RoleHandler}}
	reads := map[string]func(access.Actor) error{
		"Versions":    func(a access.Actor) error { _, err := s.Versions(ctx, a); return err },
		"Version":     func(a access.Actor) error { _, err := s.Version(ctx, a, v.ID); return err },
		"VersionInfo": func(a access.Actor) error { _, err := s.VersionInfo(ctx, a, v.ID); return err },
		"Node":        func(a access.Actor) error { _, err := s.Node(ctx, a, node.ID); return err },
		"Export":      func(a access.Actor) error { return s.Export(ctx, a, &bytes.Buffer{}, v.ID, framework.FormatCSV) },
		"SiteTypeCatalogue": func(a access.Actor) error {
			_, err := s.SiteTypeCatalogue(ctx, a)
			return err
		},
	}
	tests := []struct {
		name     string
		actor    access.Actor
		readCode string // "" when reading is allowed
		editCode string // "" when a node to edit is returned
	}{
		{"admin", admin, "", ""},
		{"office", office, "", ""},
		{"leader", leader, "", "framework.forbidden"},
		{"inspector", inspector, "", "framework.forbidden"},
		{"handler", handler, "framework.view_forbidden", "framework.view_forbidden"},
		{"anonymous", access.Actor{}, "framework.view_forbidden", "framework.view_forbidden"},
	}
	code := func(err error) string {
		if err == nil {
			return ""
		}
		return apperr.As(err).Code
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for name, read := range reads {
				if got := code(read(tc.actor)); got != tc.readCode {
					t.Errorf("%s: %q, want %q", name, got, tc.readCode)
				}
			}
			n, err := s.EditNode(ctx, tc.actor, node.ID)
			if got := code(err); got != tc.editCode || err == nil && n.ID != node.ID {
				t.Errorf("EditNode: %+v %q, want %q", n, got, tc.editCode)
			}
			if _, err := s.EditNode(ctx, tc.actor, 0); code(err) != tc.editCode {
				t.Errorf("EditNode(0): %v", err)
			}
			// A change by someone who may not read is refused as such.
			if tc.readCode != "" {
				if _, err := s.CreateVersion(ctx, tc.actor, framework.VersionInput{Name: "x"}); code(err) != tc.readCode {
					t.Errorf("CreateVersion: %v, want %q", err, tc.readCode)
				}
			}
		})
	}
}
