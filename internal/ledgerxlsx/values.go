package ledgerxlsx

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/problem"
)

// normLabel folds a label for comparison: no spaces of any width, ASCII
// lower case. Hand-kept ledgers write "已 结案", "12345 热线", "Closed".
func normLabel(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// stateLabels maps the words ledgers use for a case's state to the state.
// The names the catalogue gives (problem.json) are here too, so an export
// reads back; so are the stored English words. 重复件 is left out: a
// duplicate needs the case it duplicates, which a sheet cannot name.
func stateLabels() map[string]problem.State {
	m := map[string]problem.State{}
	add := func(s problem.State, labels ...string) {
		m[string(s)] = s
		for _, l := range labels {
			m[normLabel(l)] = s
		}
	}
	add(problem.Reported, "待立案", "已上报", "上报", "待受理", "未立案", "待审核")
	add(problem.Filed, "已立案", "立案", "已立案待派遣", "待派遣", "已受理")
	add(problem.Dispatched, "已派遣", "派遣", "已派遣待签收", "待签收", "已交办", "已派发", "已转办")
	add(problem.InProgress, "整改中", "未整改", "处理中", "办理中", "正在整改", "正在处理", "已签收", "在办", "未完成",
		"未办结", "推进中", "in progress", "inprogress")
	add(problem.Parked, "挂账", "已挂账", "挂账整改", "长期整改")
	add(problem.Rectified, "已整改", "已整改待核查", "待核查", "待验收", "整改完成")
	add(problem.Closed, "已结案", "结案", "已办结", "办结", "已完成", "完成", "已销号", "销号", "已核查", "核查通过",
		"已验收", "验收通过")
	add(problem.Rejected, "不予立案", "不立案", "已驳回", "驳回")
	return m
}

// parseState recognises a state label.
func parseState(labels map[string]problem.State, s string) (problem.State, bool) {
	st, ok := labels[normLabel(s)]
	return st, ok
}

// sourceLabels maps the exact names of the sources (the catalogue's and the
// stored English words) to the source.
func sourceLabels() map[string]problem.Source {
	m := map[string]problem.Source{}
	add := func(s problem.Source, labels ...string) {
		m[string(s)] = s
		for _, l := range labels {
			m[normLabel(l)] = s
		}
	}
	add(problem.SourceCitizen, "市民举报")
	add(problem.SourceSnapshot, "随手拍")
	add(problem.SourceInspection, "督导检查")
	add(problem.SourceHotline, "12345 热线", "12345")
	add(problem.SourceMedia, "媒体曝光")
	add(problem.SourceSuperior, "上级交办")
	add(problem.SourceAPI, "系统对接")
	add(problem.SourceCamera, "视频监控")
	add(problem.SourceSurvey, "入户调查")
	add(problem.SourceOther, "其他", "其它")
	return m
}

// sourceHints recognise the free wording of hand-kept ledgers ("市民热线",
// "区级暗访", "网络曝光") by a telling word, tried in this order: the more
// specific channel first, so "市民热线" is the hotline, not a citizen.
func sourceHints() []struct {
	word   string
	source problem.Source
} {
	return []struct {
		word   string
		source problem.Source
	}{
		{"随手拍", problem.SourceSnapshot},
		{"12345", problem.SourceHotline}, {"热线", problem.SourceHotline},
		{"媒体", problem.SourceMedia}, {"曝光", problem.SourceMedia}, {"报道", problem.SourceMedia}, {"舆情", problem.SourceMedia},
		{"上级", problem.SourceSuperior}, {"交办", problem.SourceSuperior},
		{"视频", problem.SourceCamera}, {"监控", problem.SourceCamera}, {"摄像", problem.SourceCamera},
		{"督导", problem.SourceInspection}, {"督查", problem.SourceInspection}, {"检查", problem.SourceInspection},
		{"巡查", problem.SourceInspection}, {"暗访", problem.SourceInspection}, {"测评", problem.SourceInspection},
		{"市民", problem.SourceCitizen}, {"群众", problem.SourceCitizen}, {"举报", problem.SourceCitizen}, {"投诉", problem.SourceCitizen},
	}
}

// sourceParser recognises source labels; built once per workbook.
type sourceParser struct {
	exact map[string]problem.Source
	hints []struct {
		word   string
		source problem.Source
	}
}

func newSourceParser() sourceParser {
	return sourceParser{exact: sourceLabels(), hints: sourceHints()}
}

// parse recognises a source. Empty means other: hand-kept ledgers often
// have no source column, and "other" claims nothing that is not known.
func (p sourceParser) parse(s string) (problem.Source, bool) {
	n := normLabel(s)
	if n == "" {
		return problem.SourceOther, true
	}
	if src, ok := p.exact[n]; ok {
		return src, true
	}
	for _, h := range p.hints {
		if strings.Contains(n, h.word) {
			return h.source, true
		}
	}
	return "", false
}

// Dates outside these years are typing errors (or a day count in a date
// column), not ledger dates.
const (
	minYear = 2000
	maxYear = 2099
)

// parseTime reads a ledger time in Asia/Shanghai: an Excel date serial
// (what a date-formatted cell holds), 20260102, or a date written with
// - / . or 年月日 and an optional time 15:04 or 15:04:05. clock says
// whether a time of day was given (a serial's is its fraction). Empty
// gives the zero time, no clock, ok.
func parseTime(s string, date1904 bool, loc *time.Location) (t time.Time, clock, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, true
	}
	if len(s) == 8 && allDigits(s) {
		y, _ := strconv.Atoi(s[:4])
		m, _ := strconv.Atoi(s[4:6])
		d, _ := strconv.Atoi(s[6:])
		t, ok := makeTime(loc, y, m, d, 0, 0, 0)
		return t, false, ok
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return serialTime(v, date1904, loc)
	}
	return textTime(s, loc)
}

// serialTime converts an Excel serial. The serial is a wall-clock time
// with no zone, which the ledger means as Shanghai time.
func serialTime(v float64, date1904 bool, loc *time.Location) (time.Time, bool, bool) {
	if !(v > 0 && v <= 2958465) { // 9999-12-31 is Excel's last day; also refuses NaN
		return time.Time{}, false, false
	}
	t, err := excelize.ExcelDateToTime(v, date1904)
	if err != nil {
		return time.Time{}, false, false
	}
	t = t.Round(time.Second)
	clock := t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0
	lt, ok := makeTime(loc, t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second())
	return lt, clock && ok, ok
}

// textTime reads a written date: its digit groups are year, month, day
// and optionally hour, minute, second; anything between them must be a
// date or time separator.
func textTime(s string, loc *time.Location) (time.Time, bool, bool) {
	var nums, widths []int
	cur, width := 0, 0
	flush := func() {
		if width > 0 {
			nums = append(nums, cur)
			widths = append(widths, width)
		}
		cur, width = 0, 0
	}
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if width >= 4 {
				return time.Time{}, false, false
			}
			cur = cur*10 + int(r-'0')
			width++
		case strings.ContainsRune("-/.年月日时分秒点:：T", r) || unicode.IsSpace(r):
			flush()
		default:
			return time.Time{}, false, false
		}
	}
	flush()
	if len(nums) != 3 && len(nums) != 5 && len(nums) != 6 {
		return time.Time{}, false, false
	}
	if widths[0] != 4 {
		return time.Time{}, false, false
	}
	for _, w := range widths[1:] {
		if w > 2 {
			return time.Time{}, false, false
		}
	}
	clock := len(nums) > 3
	for len(nums) < 6 {
		nums = append(nums, 0)
	}
	t, ok := makeTime(loc, nums[0], nums[1], nums[2], nums[3], nums[4], nums[5])
	return t, clock && ok, ok
}

// endOfDay is the last second of t's day: a deadline written as a date
// means "by the end of that day", so a case rectified that afternoon is
// on time.
func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 23, 59, 59, 0, t.Location())
}

// sameOrLaterDay reports whether t falls on ref's day or after it. Times
// are compared by day because ledgers often give the reported time with a
// clock and the rectified or closed time as a bare date.
func sameOrLaterDay(t, ref time.Time) bool {
	return t.Format("20060102") >= ref.Format("20060102")
}

// makeTime builds a time and refuses what time.Date would silently roll
// over, such as 2026-02-30 or 25:00.
func makeTime(loc *time.Location, y, mo, d, h, mi, sec int) (time.Time, bool) {
	if y < minYear || y > maxYear || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// China's bounding box (WGS-84, with a margin): coordinates outside it are
// a typing error or longitude and latitude swapped, which is common.
const (
	minLng, maxLng = 73.0, 136.0
	minLat, maxLat = 3.0, 54.0
)

// parseCoord reads a coordinate in decimal degrees, allowing a trailing °.
func parseCoord(s string) (float64, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "°")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}
