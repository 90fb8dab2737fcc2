package framework_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/framework"
)

// bigSheet is a framework of national size and more: 8 items, 40
// indicators, 200 contents and 1,000 criteria, each criterion with two
// methods, a score, three site types and two categories.
func bigSheet() []byte {
	types := framework.DefaultSiteTypes()
	cats := []string{"SR01", "SR02", "JM01", "JT01", "SS01", "YL01", "WM01", "XQ01"}
	var b strings.Builder
	b.WriteString("层级,编码,上级编码,内容,测评方法,分值,适用点位类型,问题类别\n")
	n := 0
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "项目,%d,,测评项目%d,,,,\n", i, i)
		for j := 1; j <= 5; j++ {
			fmt.Fprintf(&b, "指标,%d.%d,%d,测评指标%d.%d,,,,\n", i, j, i, i, j)
			for k := 1; k <= 5; k++ {
				fmt.Fprintf(&b, "内容,%d.%d.%d,%d.%d,测评内容%d.%d.%d,,,,\n", i, j, k, i, j, i, j, k)
				for l := 1; l <= 5; l++ {
					n++
					fmt.Fprintf(&b, "标准,%d.%d.%d.%d,%d.%d.%d,第%d条测评标准：路面干净整洁，无暴露垃圾、无乱堆乱放,实地考察、材料审核,%d,%s、%s、%s,%s、%s\n",
						i, j, k, l, i, j, k, n, 1+n%3, types[n%26].Name, types[(n+7)%26].Name, types[(n+13)%26].Name, cats[n%8], cats[(n+3)%8])
				}
			}
		}
	}
	return []byte(b.String())
}

func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	d := dbtest.Open(b)
	if _, err := category.New(d).EnsureDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	s := &framework.Store{DB: d}
	if _, err := s.EnsureDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	sheet := bigSheet()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		v, rowErrs, err := s.ImportVersion(ctx, access.System(), framework.ImportInput{Name: fmt.Sprint("v", i)}, bytes.NewReader(sheet), framework.FormatCSV)
		if err != nil || v.CriterionCount() != 1000 {
			b.Fatalf("%v %+v", err, rowErrs)
		}
	}
}

func BenchmarkCriteria(b *testing.B) {
	ctx := context.Background()
	d := dbtest.Open(b)
	if _, err := category.New(d).EnsureDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	s := &framework.Store{DB: d}
	if _, err := s.EnsureDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	v, _, err := s.ImportVersion(ctx, access.System(), framework.ImportInput{Name: "big"}, bytes.NewReader(bigSheet()), framework.FormatCSV)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		list, err := s.Criteria(ctx, v.ID, "main_road")
		if err != nil || len(list) == 0 {
			b.Fatal(len(list), err)
		}
	}
}
