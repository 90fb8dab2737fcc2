package ledgerxlsx

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/problem"
)

// countingWriter measures the exported file without keeping it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

// syntheticCases is a city-year of cases (100,000 is a large city's
// ledger over a campaign year) spread over states, sources, units and
// communities, with realistic Chinese texts.
func syntheticCases(n int) []*problem.Case {
	states := problem.States()
	sources := problem.Sources()
	what := []string{"暴露垃圾", "占道经营", "乱贴小广告", "车辆乱停放", "井盖破损", "绿化带缺株", "公益广告破损", "楼道堆放杂物"}
	start := sh(2026, 1, 1, 8, 0)
	out := make([]*problem.Case, n)
	for i := range out {
		reported := start.Add(time.Duration(i) * 5 * time.Minute)
		c := &problem.Case{
			Code:            fmt.Sprintf("%s-%05d", reported.Format("20060102"), i%100000),
			Source:          sources[i%len(sources)],
			CategoryName:    what[i%len(what)],
			Description:     fmt.Sprintf("%s：建设路与光明路交叉口东南角第 %d 处，群众反映多次，请尽快整改并上传整改后照片。", what[i%len(what)], i),
			Address:         fmt.Sprintf("湛河区九龙街道建设路 %d 号附近", i%300),
			RegionCode:      fmt.Sprintf("410411%03d%03d", 1+i%9, 1+i%20),
			RegionName:      fmt.Sprintf("第%d社区", 1+i%20),
			State:           states[i%len(states)],
			UnitName:        fmt.Sprintf("湛河区第%d责任单位", i%60),
			ReportedAt:      reported,
			Deadline:        reported.Add(48 * time.Hour),
			ReworkCount:     i % 3,
			EscalationLevel: i % 3,
			ExtensionCount:  i % 2,
		}
		if c.State == problem.Rectified || c.State == problem.Closed {
			c.RectifiedAt = reported.Add(30 * time.Hour)
		}
		if c.State == problem.Closed {
			c.ClosedAt = reported.Add(50 * time.Hour)
		}
		out[i] = c
	}
	return out
}

// BenchmarkExport100k exports 100,000 cases from memory:
//
//	go test -bench Export100k -benchmem -benchtime 1x ./internal/ledgerxlsx/
func BenchmarkExport100k(b *testing.B) {
	cases := syntheticCases(100000)
	t := tr(b)
	names := map[string]string{}
	for _, c := range cases {
		names[c.RegionCode[:9]] = "九龙街道"
		names[c.RegionCode] = c.RegionName
	}
	now := sh(2026, 11, 22, 14, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var w countingWriter
		opts := Options{Regions: Names(func(code string) string { return names[code] })}
		n, err := Export(context.Background(), exporter, &w, sliceSource(cases), t, now, opts)
		if err != nil || n != len(cases) {
			b.Fatalf("export: %d, %v", n, err)
		}
		b.ReportMetric(float64(w.n)/1e6, "file-MB")
	}
}
