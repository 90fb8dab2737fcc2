package dossier_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestInstancesWorkedExamples(t *testing.T) {
	t.Parallel()
	type inst = dossier.Instance
	tests := []struct {
		name     string
		freq     dossier.Frequency
		from, to string
		dueDays  int
		dueOn    string
		n        int
		first    inst
		last     inst
		labels   []string
	}{
		{"monthly over the default twelve months", dossier.Monthly, "2026-03", "2027-02", 10, "", 12,
			inst{1, "2026-03-01", "2026-03-31", "2026-04-10"}, inst{12, "2027-02-01", "2027-02-28", "2027-03-10"},
			[]string{"2026年3月"}},
		{"quarterly, calendar quarters clipped to the period", dossier.Quarterly, "2026-03", "2027-02", 10, "", 5,
			inst{1, "2026-03-01", "2026-03-31", "2026-04-10"}, inst{5, "2027-01-01", "2027-02-28", "2027-03-10"},
			[]string{"2026年3月", "2026年第2季度", "2026年第3季度", "2026年第4季度", "2027年第1季度（1—2月）"}},
		{"quarterly over a calendar year", dossier.Quarterly, "2026-01", "2026-12", 15, "", 4,
			inst{1, "2026-01-01", "2026-03-31", "2026-04-15"}, inst{4, "2026-10-01", "2026-12-31", "2027-01-15"}, nil},
		{"once with a fixed due date", dossier.Once, "2026-03", "2027-02", 10, "2027-03-01", 1,
			inst{1, "2026-03-01", "2027-02-28", "2027-03-01"}, inst{1, "2026-03-01", "2027-02-28", "2027-03-01"},
			[]string{"2026年3月至2027年2月"}},
		{"once due on the period's last day", dossier.Once, "2026-01", "2026-06", 0, "", 1,
			inst{1, "2026-01-01", "2026-06-30", "2026-06-30"}, inst{1, "2026-01-01", "2026-06-30", "2026-06-30"}, nil},
		{"a leap February", dossier.Monthly, "2028-02", "2028-02", 1, "", 1,
			inst{1, "2028-02-01", "2028-02-29", "2028-03-01"}, inst{1, "2028-02-01", "2028-02-29", "2028-03-01"}, nil},
		{"a period backwards", dossier.Monthly, "2026-05", "2026-04", 10, "", 0, inst{}, inst{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := dossier.Instances(tc.freq, tc.from, tc.to, tc.dueDays, tc.dueOn)
			if len(got) != tc.n {
				t.Fatalf("%d instances, want %d: %+v", len(got), tc.n, got)
			}
			if tc.n == 0 {
				return
			}
			if got[0] != tc.first || got[len(got)-1] != tc.last {
				t.Errorf("first %+v last %+v, want %+v %+v", got[0], got[len(got)-1], tc.first, tc.last)
			}
			for i, l := range tc.labels {
				if got[i].Label() != l {
					t.Errorf("label %d = %q, want %q", i, got[i].Label(), l)
				}
			}
		})
	}
	for eval, want := range map[string][2]string{"2027-03-15": {"2026-03", "2027-02"}, "2027-01-10": {"2026-01", "2026-12"}} {
		if from, to := dossier.DefaultPeriod(eval); from != want[0] || to != want[1] {
			t.Errorf("DefaultPeriod(%s) = %s %s, want %v", eval, from, to, want)
		}
	}
}

// fixture is a round of two requirements in the demo district:
// 1.2.1.3 monthly over 2026-10 … 2026-12, the street 410411001 leading and
// its community 410411001001 cooperating (3 × 2 = 6 items), and 1.2.2.2
// once, the district office alone (1 item).
type fixture struct {
	app                       *servertest.App
	round                     int64
	office, street, community access.Actor
	now                       atomic.Pointer[time.Time]
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	app := servertest.New(t)
	f := &fixture{app: app}
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	f.now.Store(&now)
	app.Dossiers.Now = func() time.Time { return *f.now.Load() }
	types := []dossier.MaterialType{dossier.TypeDocument, dossier.TypePhoto}
	f.round = servertest.DossierRound(t, app, "2027年测评材料", "2027-03-15", false,
		servertest.DossierReq{Input: dossier.RequirementInput{CriterionCode: "1.2.1.3", Title: "实践站活动台账", Types: types,
			Frequency: dossier.Monthly, PeriodFrom: "2026-10", PeriodTo: "2026-12"}, Lead: "410411001", Coop: []string{"410411001001"}},
		servertest.DossierReq{Input: dossier.RequirementInput{CriterionCode: "1.2.2.2", Title: "志愿者注册情况说明",
			Types: []dossier.MaterialType{dossier.TypeAccount}, Frequency: dossier.Once}, Lead: "410411-office"})
	f.office = servertest.Actor(t, app, "office")
	f.street = servertest.Actor(t, app, "handler")
	f.community = servertest.Actor(t, app, "shequ")
	return f
}

func (f *fixture) items(t *testing.T, a access.Actor) []*dossier.Item {
	t.Helper()
	items, err := f.app.Dossiers.Items(context.Background(), a, dossier.ItemFilter{RoundID: f.round})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(items, func(a, b *dossier.Item) int { return int(a.ID - b.ID) })
	return items
}

func (f *fixture) upload(t *testing.T, a access.Actor, item int64, title string, data []byte, name string, replaces int64) {
	t.Helper()
	ctx := context.Background()
	in := dossier.Upload{Title: title, ConcernsOn: "2026-10-15", Replaces: replaces}
	if _, err := f.app.Dossiers.CheckUpload(ctx, a, item, &in); err != nil {
		t.Fatal(err)
	}
	file, err := f.app.Files.Ingest(ctx, bytes.NewReader(data), name)
	if err != nil {
		t.Fatal(err)
	}
	in.File = file
	if _, err := f.app.Dossiers.AddFile(ctx, a, item, in); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) approve(t *testing.T, item int64) {
	t.Helper()
	if _, err := f.app.Dossiers.Review(context.Background(), f.office, item, dossier.Decision{Approve: true}); err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	e := apperr.As(err)
	if err == nil || e.Kind != kind || e.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func TestCompletenessAndAchievementByHand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	items := f.items(t, f.office)
	if len(items) != 7 {
		t.Fatalf("%d items, want 3 × 2 + 1", len(items))
	}
	var streetItems, communityItems, officeItems []*dossier.Item
	for _, it := range items {
		switch it.UnitID {
		case f.street.UnitID:
			streetItems = append(streetItems, it)
		case f.community.UnitID:
			communityItems = append(communityItems, it)
		default:
			officeItems = append(officeItems, it)
		}
	}
	if len(streetItems) != 3 || len(communityItems) != 3 || len(officeItems) != 1 {
		t.Fatalf("items by unit %d %d %d", len(streetItems), len(communityItems), len(officeItems))
	}
	pdf := servertest.PDFBytes(t, "台账")
	// The street gets two approved, the community one; the office's own
	// item is approved by an office user of the same unit (who is not a
	// handler, so it is uploaded for the test by the system path below).
	for i, it := range streetItems[:2] {
		f.upload(t, f.street, it.ID, "台账", append(pdf, byte(i)), "a.pdf", 0)
		f.approve(t, it.ID)
	}
	f.upload(t, f.community, communityItems[0].ID, "台账", pdf, "b.pdf", 0)
	f.approve(t, communityItems[0].ID)
	f.upload(t, f.community, communityItems[1].ID, "台账", pdf, "c.pdf", 0) // submitted, not approved

	// By hand: 1.2.1.3 has 6 items, 3 approved; 1.2.2.2 has 1, none
	// approved; the round 3 / 7 = 42.9 %. On 2026-11-20 the October items
	// (due 11-10) are late unless submitted: street none, community none
	// (its October item is approved); the office's once item is due 2027-03-12.
	c, err := f.app.Dossiers.Completeness(ctx, f.office, f.round)
	if err != nil {
		t.Fatal(err)
	}
	if c.Total.Required != 7 || c.Total.Approved != 3 || c.Total.Submitted != 1 || c.Total.Percent() != "42.9%" {
		t.Errorf("total %+v %s", c.Total, c.Total.Percent())
	}
	byCode := map[string]dossier.Count{}
	for _, l := range c.ByCriterion {
		byCode[l.Code] = l.Count
	}
	if byCode["1.2.1.3"].Required != 6 || byCode["1.2.1.3"].Approved != 3 || byCode["1.2.2.2"].Required != 1 || byCode["1.2.2.2"].Approved != 0 {
		t.Errorf("by criterion %+v", byCode)
	}
	if len(c.Overdue) != 0 {
		t.Errorf("overdue on 11-20: %+v", c.Overdue)
	}
	// A month on, November (due 12-10) is late for the community (its
	// November item is submitted, so only the street's December... no:
	// December is due 2027-01-10). Late on 12-20: community's November
	// item is submitted (not late); street's November is approved. So only
	// pending items due before 12-20 count: none for the street, and the
	// community's... October approved, November submitted. Move to
	// 2027-01-20: December items of both units are late (2).
	later := time.Date(2027, 1, 20, 10, 0, 0, 0, time.UTC)
	f.now.Store(&later)
	c, err = f.app.Dossiers.Completeness(ctx, f.office, f.round)
	if err != nil {
		t.Fatal(err)
	}
	late := 0
	for _, l := range c.Overdue {
		late += l.Count.Late
	}
	if late != 2 || len(c.Overdue) != 2 {
		t.Errorf("overdue on 2027-01-20: %+v", c.Overdue)
	}
	counts, err := f.app.Dossiers.OverdueByUnit(ctx, later)
	if err != nil || counts[f.street.UnitID] != 1 || counts[f.community.UnitID] != 1 {
		t.Errorf("overdue by unit %v %v", counts, err)
	}

	// The projected score's view: the district, the street, another street.
	v, err := f.app.Framework.ActiveVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ach := func(code string) map[int64]dossier.CriterionAchievement {
		a, err := f.app.Dossiers.Achievement(ctx, v.ID, code)
		if err != nil {
			t.Fatal(err)
		}
		if a.RoundID != f.round {
			t.Fatalf("round %d, want %d", a.RoundID, f.round)
		}
		out := map[int64]dossier.CriterionAchievement{}
		for _, c := range a.Criteria {
			out[c.CriterionID] = c
		}
		return out
	}
	var crit1, crit2 int64
	for _, l := range c.ByCriterion {
		if l.Code == "1.2.1.3" {
			crit1 = l.ID
		} else {
			crit2 = l.ID
		}
	}
	district := ach("410411")
	if d := district[crit1]; d.Required != 6 || d.Approved != 3 || len(d.Units) != 2 || !strings.Contains(d.MissingURL, "criterion=") {
		t.Errorf("district 1.2.1.3 %+v", d)
	}
	for _, u := range district[crit1].Units {
		want := [2]int{3, 2}
		if u.UnitID == f.community.UnitID {
			want = [2]int{3, 1}
		}
		if u.Required != want[0] || u.Approved != want[1] {
			t.Errorf("unit %s: %d/%d, want %v", u.UnitName, u.Approved, u.Required, want)
		}
	}
	if d := district[crit2]; d.Required != 1 || d.Approved != 0 {
		t.Errorf("district 1.2.2.2 %+v", d)
	}
	street := ach("410411001")
	if s := street[crit1]; s.Required != 6 || s.Approved != 3 {
		t.Errorf("street 1.2.1.3 %+v", s)
	}
	if s := street[crit2]; s.Required != 0 {
		t.Errorf("the district office's item counted in a street: %+v", s)
	}
	if o := ach("410411002")[crit1]; o.Required != 0 {
		t.Errorf("another street: %+v", o)
	}
	if _, err := f.app.Dossiers.Achievement(ctx, v.ID, "410402"); !errors.Is(err, dossier.ErrNoRound) {
		t.Errorf("outside the area: %v", err)
	}
	// A newer draft round does not count.
	servertest.DossierRound(t, f.app, "草稿", "2028-03-15", true)
	if a, err := f.app.Dossiers.Achievement(ctx, v.ID, "410411"); err != nil || a.RoundID != f.round {
		t.Errorf("draft counted: %+v %v", a.RoundID, err)
	}
}

func TestReturnedItemHistoryAndRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var item *dossier.Item
	var other *dossier.Item
	for _, it := range f.items(t, f.office) {
		if it.UnitID == f.community.UnitID && item == nil {
			item = it
		}
		if it.UnitID == f.street.UnitID && other == nil {
			other = it
		}
	}
	s := f.app.Dossiers
	// Another unit's item: refused, nothing stored.
	in := dossier.Upload{Title: "x", ConcernsOn: "2026-10-01"}
	if _, err := s.CheckUpload(ctx, f.community, other.ID, &in); err == nil {
		t.Fatal("community uploads for the street")
	}
	f.upload(t, f.community, item.ID, "活动照片", servertest.JPEGBytes(1), "photo.jpg", 0)
	f.upload(t, f.community, item.ID, "活动记录", servertest.PDFBytes(t, "记录"), "record.pdf", 0)
	leader := servertest.Actor(t, f.app, "leader")
	_, err := s.Review(ctx, leader, item.ID, dossier.Decision{Approve: true})
	wantCode(t, err, apperr.KindForbidden, "dossier.review_forbidden")
	_, err = s.Review(ctx, f.office, item.ID, dossier.Decision{})
	wantCode(t, err, apperr.KindInvalid, "dossier.reason_required")
	if _, err := s.Review(ctx, f.office, item.ID, dossier.Decision{Reason: "照片不清晰，请补充实景照片"}); err != nil {
		t.Fatal(err)
	}
	var notices int
	f.app.DB.QueryRow(ctx, "SELECT COUNT(*) FROM notification WHERE kind = 'dossier_returned' AND user_id = ?", f.community.UserID).Scan(&notices)
	if notices != 1 {
		t.Errorf("%d return notices to the community handler", notices)
	}
	got, err := s.Item(ctx, f.community, item.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != dossier.Returned || got.ReturnReason != "照片不清晰，请补充实景照片" || len(got.Files) != 2 {
		t.Fatalf("returned item %+v", got)
	}
	photo := got.Files[0].ID
	f.upload(t, f.community, item.ID, "活动照片（清晰）", servertest.JPEGBytes(2), "photo2.jpg", photo)
	got, _ = s.Item(ctx, f.community, item.ID)
	if got.State != dossier.Submitted || len(got.Files) != 2 || len(got.History) != 1 || got.History[0].ID != photo || got.History[0].ReplacedBy == 0 {
		t.Fatalf("after replacing: state %s, %d files, history %+v", got.State, len(got.Files), got.History)
	}
	f.approve(t, item.ID)
	_, err = s.Review(ctx, f.office, item.ID, dossier.Decision{Approve: true})
	wantCode(t, err, apperr.KindConflict, "dossier.already_approved")
	in = dossier.Upload{Title: "x", ConcernsOn: "2026-10-01"}
	_, err = s.CheckUpload(ctx, f.community, item.ID, &in)
	wantCode(t, err, apperr.KindConflict, "dossier.upload_approved")
	got, _ = s.Item(ctx, f.office, item.ID)
	var kinds []string
	for _, e := range got.Events {
		kinds = append(kinds, e.Kind)
	}
	if strings.Join(kinds, ",") != "uploaded,uploaded,returned,replaced,approved" {
		t.Errorf("history %v", kinds)
	}
	if got.Events[2].Note != "照片不清晰，请补充实景照片" {
		t.Errorf("return note %q", got.Events[2].Note)
	}
}

func TestExportZIPStructureAndIndex(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var item int64
	for _, it := range f.items(t, f.office) {
		if it.UnitID == f.community.UnitID {
			item = it.ID
			break
		}
	}
	f.upload(t, f.community, item, "实践站活动记录", servertest.PDFBytes(t, "记录"), "record.pdf", 0)
	f.upload(t, f.community, item, "活动照片", servertest.JPEGBytes(1), "old.jpg", 0)
	got, _ := f.app.Dossiers.Item(ctx, f.community, item)
	f.upload(t, f.community, item, "活动照片", servertest.JPEGBytes(2), "new.jpg", got.Files[1].ID)

	var buf bytes.Buffer
	var done, total int
	if err := f.app.Dossiers.ExportZIP(ctx, f.office, f.round, &buf, func(d, n int, _ int64) { done, total = d, n }); err != nil {
		t.Fatal(err)
	}
	if done != 2 || total != 2 {
		t.Errorf("progress %d/%d", done, total)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	files := map[string]*zip.File{}
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		files[zf.Name] = zf
	}
	dir := "2027年测评材料/1 公益广告与宣传氛围/1.2 宣传教育与志愿服务/1.2.1.3 新时代文明实践中心（所、站）有场地、有队伍、有活动、有台账/"
	want := []string{dir + "1.2.1.3_2026-10-15_实践站活动记录.pdf", dir + "1.2.1.3_2026-10-15_活动照片.jpg",
		"2027年测评材料/材料索引.xlsx", "2027年测评材料/材料索引.pdf"}
	if !slices.Equal(names, want) {
		t.Fatalf("zip entries\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	rc, _ := files[dir+"1.2.1.3_2026-10-15_活动照片.jpg"].Open()
	photo, _ := io.ReadAll(rc)
	if !bytes.Equal(photo, servertest.JPEGBytes(2)) {
		t.Error("the export holds the replaced photo, not its replacement")
	}
	rc, _ = files["2027年测评材料/材料索引.xlsx"].Open()
	sheet, _ := io.ReadAll(rc)
	x, err := excelize.OpenReader(bytes.NewReader(sheet))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows(x.GetSheetList()[0])
	if len(rows) != 3 || rows[1][0] != want[0] || rows[1][4] != "湛河区北渡街道五一路社区" && !strings.Contains(rows[1][4], "社区") || rows[1][7] != "已提交待审" {
		t.Errorf("index rows %v", rows)
	}
	rc, _ = files["2027年测评材料/材料索引.pdf"].Open()
	pdf, _ := io.ReadAll(rc)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Error("index is not a PDF")
	}
	// The office of another district may not export it.
	_, err = f.app.Dossiers.StartExport(ctx, servertest.Actor(t, f.app, "leader"), f.round)
	wantCode(t, err, apperr.KindForbidden, "dossier.forbidden")
}

// countingWriter counts what is written and keeps nothing.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// TestExportMemoryFlat exports 240 files of 256 KB (60 MB) into a writer
// that keeps nothing and samples the heap meanwhile: an export that held
// the files would grow the heap by the archive's size.
func TestExportMemoryFlat(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var items []int64
	for _, it := range f.items(t, f.office) {
		if it.UnitID == f.community.UnitID {
			items = append(items, it.ID)
		}
	}
	const files, size = 240, 256 << 10
	rng := rand.New(rand.NewPCG(1, 2))
	body := make([]byte, size)
	for i := 0; i < files; i++ {
		for j := range body {
			body[j] = byte(rng.Uint32())
		}
		pdf := append(append([]byte("%PDF-1.4\n"), body...), []byte("\n%%EOF\n")...)
		f.upload(t, f.community, items[i%len(items)], "材料", pdf, "m.pdf", 0)
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	// The heap is sampled as the files are copied (the index, written
	// after them, has its own fixed cost: the fonts of the PDF).
	var peak uint64
	var m runtime.MemStats
	w := &countingWriter{}
	err := f.app.Dossiers.ExportZIP(ctx, f.office, f.round, w, func(done, total int, _ int64) {
		if done%10 == 0 || done == total {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if w.n < files*size {
		t.Fatalf("wrote %d bytes for %d", w.n, files*size)
	}
	growth := int64(peak) - int64(base.HeapInuse)
	t.Logf("archive %d MB, heap growth while copying %d MB", w.n>>20, growth>>20)
	if growth > 16<<20 {
		t.Errorf("heap grew by %d MB exporting %d MB", growth>>20, w.n>>20)
	}
}

// TestRemindBeforeAndAfterDue: a reminder RemindDays (3) working days
// before the due date, then one every working day after it until the item
// is submitted; none on a weekend or twice a day.
func TestRemindBeforeAndAfterDue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.app.Dossiers.RemindDays = 3
	at := func(day string) dossier.RemindReport {
		t.Helper()
		d, _ := time.ParseInLocation("2006-01-02 15:04", day+" 09:00", time.FixedZone("CST", 8*3600))
		f.now.Store(&d)
		rep, err := f.app.Dossiers.Remind(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	// 2026-11-20 (Friday): the October items (due 11-10) of the street and
	// the community are late.
	if rep := at("2026-11-20"); rep.Late != 2 || rep.Before != 0 {
		t.Errorf("11-20: %+v", rep)
	}
	if rep := at("2026-11-20"); rep.Late+rep.Before != 0 {
		t.Errorf("twice a day: %+v", rep)
	}
	if rep := at("2026-11-21"); rep.Late+rep.Before != 0 {
		t.Errorf("a Saturday: %+v", rep)
	}
	if rep := at("2026-11-23"); rep.Late != 2 {
		t.Errorf("the Monday after: %+v", rep)
	}
	// 2026-12-07 (Monday): three working days before 12-10, the November
	// items are reminded ahead; once only.
	if rep := at("2026-12-07"); rep.Before != 2 || rep.Late != 2 {
		t.Errorf("12-07: %+v", rep)
	}
	if rep := at("2026-12-08"); rep.Before != 0 || rep.Late != 2 {
		t.Errorf("12-08: %+v", rep)
	}
	// The community submits its October item: it is no longer reminded.
	for _, it := range f.items(t, f.office) {
		if it.UnitID == f.community.UnitID && it.DueOn == "2026-11-10" {
			f.upload(t, f.community, it.ID, "十月台账", servertest.PDFBytes(t, "十月"), "oct.pdf", 0)
		}
	}
	if rep := at("2026-12-09"); rep.Late != 1 {
		t.Errorf("after the community submits: %+v", rep)
	}
	var notices, sms int
	f.app.DB.QueryRow(ctx, "SELECT COUNT(*) FROM notification WHERE kind IN ('dossier_due', 'dossier_overdue') AND user_id = ?", f.community.UserID).Scan(&notices)
	f.app.DB.QueryRow(ctx, "SELECT COUNT(*) FROM outbox_message WHERE kind IN ('dossier_due', 'dossier_overdue')").Scan(&sms)
	// The community: late on 11-20, 11-23, 12-07, 12-08 and ahead on 12-07.
	if notices != 5 || sms == 0 {
		t.Errorf("%d notices to the community handler, %d text messages", notices, sms)
	}
}
