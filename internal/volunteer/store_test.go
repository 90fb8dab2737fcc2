package volunteer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

func testID(seq int) string {
	first := fmt.Sprintf("99041119%02d0%d%02d%03d", 80+seq%20, 1+seq%9, 10+seq%18, seq%1000)
	c, _ := pii.CheckDigit(first)
	return first + string(c)
}

// fixture is the demo district with a volunteer store on a settable
// clock, a team led by the community handler, and the demo volunteer
// user registered in it.
type fixture struct {
	app       *servertest.App
	s         *volunteer.Store
	now       *atomic.Pointer[time.Time]
	office    access.Actor
	leader    access.Actor
	vol       access.Actor
	team      int64
	volunteer int64
}

func (f *fixture) advance(d time.Duration) {
	next := f.now.Load().Add(d)
	f.now.Store(&next)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	app := servertest.New(t)
	f := &fixture{app: app, s: app.Volunteers, now: &atomic.Pointer[time.Time]{}}
	start := time.Date(2026, 12, 5, 8, 0, 7, 0, volunteer.Loc())
	f.now.Store(&start)
	f.s.Now = func() time.Time { return *f.now.Load() }
	ctx := context.Background()
	f.office, f.leader, f.vol = servertest.Actor(t, app, "office"), servertest.Actor(t, app, "shequ"), servertest.Actor(t, app, "volunteer")
	var err error
	if f.team, err = f.s.CreateTeam(ctx, f.office, volunteer.TeamInput{Name: "管得宽志愿服务队", Kind: "文明劝导", LeaderID: f.leader.UserID,
		RegionCode: "410411001001"}); err != nil {
		t.Fatal(err)
	}
	if f.volunteer, err = f.s.Register(ctx, f.office, volunteer.Input{Name: "周志愿", IDNumber: testID(1), RegionCode: "410411001001",
		TeamID: f.team, UserID: f.vol.UserID, Phone: "13900000005"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// activity is a two-hour activity of the team starting in an hour.
func (f *fixture) activity(t *testing.T) volunteer.Activity {
	t.Helper()
	ctx := context.Background()
	id, err := f.s.CreateActivity(ctx, f.leader, volunteer.ActivityInput{Title: "清洁家园", Kind: "clean", TeamID: f.team,
		Lng: 113.32, Lat: 33.73, RadiusM: 200, StartsAt: f.s.Now().Add(time.Hour), EndsAt: f.s.Now().Add(3 * time.Hour), Quota: 10})
	if err != nil {
		t.Fatal(err)
	}
	x, err := f.s.Activity(ctx, f.leader, id)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func code(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("not a domain error: %v", err)
	}
	return e.Code
}

func TestScanRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.s.Margin = 30 * time.Minute
	x := f.activity(t)
	if _, err := f.s.SignUpFor(ctx, f.vol, x.ID); err != nil {
		t.Fatal(err)
	}
	here := func(tok string) volunteer.CheckIn {
		return volunteer.CheckIn{Token: tok, Lng: 113.32, Lat: 33.73, HasPosition: true}
	}
	tokenNow := func(mode string) string {
		c, err := f.s.CurrentCode(ctx, f.leader, x.ID, mode)
		if err != nil {
			t.Fatal(err)
		}
		return c.Token
	}
	// 31 minutes before the start: outside the window with its margin.
	f.advance(29 * time.Minute)
	if _, err := f.s.Scan(ctx, f.vol, here(tokenNow("in"))); code(t, err) != "volunteer.outside_window" {
		t.Fatalf("31 min early: %v", err)
	}
	f.advance(2 * time.Minute) // 29 minutes early: inside the margin
	tok := tokenNow("in")
	// The code of 61 seconds ago is refused, that of 20 seconds ago taken.
	f.advance(61 * time.Second)
	if _, err := f.s.Scan(ctx, f.vol, here(tok)); code(t, err) != "volunteer.code_expired" {
		t.Fatalf("61 s old code: %v", err)
	}
	tok = tokenNow("in")
	f.advance(20 * time.Second)
	// 210 m north is outside a 200 m fence; 190 m inside.
	far := here(tok)
	far.Lat += 210.0 / 111195
	if _, err := f.s.Scan(ctx, f.vol, far); code(t, err) != "volunteer.too_far" {
		t.Fatalf("210 m away: %v", err)
	}
	// Nothing was recorded by the refusals.
	signups, err := f.s.Signups(ctx, f.leader, x.ID)
	if err != nil || len(signups) != 1 || !signups[0].CheckinAt.IsZero() {
		t.Fatalf("refused scans recorded something: %+v %v", signups, err)
	}
	near := here(tok)
	near.Lat += 190.0 / 111195
	got, err := f.s.Scan(ctx, f.vol, near)
	if err != nil || got.Distance < 185 || got.Distance > 195 {
		t.Fatalf("190 m away: %+v %v", got, err)
	}
	if _, err := f.s.Scan(ctx, f.vol, here(tokenNow("in"))); code(t, err) != "volunteer.checked_in_twice" {
		t.Fatalf("twice: %v", err)
	}
	// Another activity's key does not sign this one's codes.
	other := f.activity(t)
	oc, _ := f.s.CurrentCode(ctx, f.leader, other.ID, "in")
	parts := strings.Split(oc.Token, ".")
	mine := strings.Split(tokenNow("out"), ".")
	if _, err := f.s.Scan(ctx, f.vol, here(strings.Join([]string{mine[0], parts[1], "out", parts[3]}, "."))); code(t, err) != "volunteer.code_forged" {
		t.Fatalf("cross-signed code: %v", err)
	}
	// Only the organiser sees the code.
	if _, err := f.s.CurrentCode(ctx, f.vol, x.ID, "in"); code(t, err) != "volunteer.not_organiser" {
		t.Fatalf("volunteer asked for the code: %v", err)
	}
}

func TestLedgerTotalsAndStars(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.s.Stars = []int{1, 2, 3, 4, 5} // hours, to reach levels on one activity
	x := f.activity(t)
	if _, err := f.s.SignUpFor(ctx, f.vol, x.ID); err != nil {
		t.Fatal(err)
	}
	// The organiser records attendance by hand: 2.5 hours.
	if err := f.s.Record(ctx, f.leader, volunteer.Attendance{ActivityID: x.ID, VolunteerID: f.volunteer, Mark: volunteer.Attended, Minutes: 150}); err != nil {
		t.Fatal(err)
	}
	f.advance(4 * time.Hour)
	if n, err := f.s.Confirm(ctx, f.leader, x.ID); err != nil || n != 1 {
		t.Fatalf("confirm: %d %v", n, err)
	}
	level := func() (int64, []volunteer.StarRecord) {
		v, err := f.s.Get(ctx, f.office, f.volunteer)
		if err != nil {
			t.Fatal(err)
		}
		stars, err := f.s.StarsOf(ctx, f.volunteer)
		if err != nil {
			t.Fatal(err)
		}
		return v.Minutes, stars
	}
	minutes, stars := level()
	if minutes != 150 || len(stars) != 2 || stars[1].Level != 2 || stars[1].State != volunteer.StarProposed {
		t.Fatalf("after 150 min: %d %+v", minutes, stars)
	}
	tests := []struct {
		name     string
		actor    access.Actor
		c        volunteer.Correction
		wantCode string
		total    int64
	}{
		{"no reason", f.leader, volunteer.Correction{Minutes: 200}, "volunteer.correction_reason", 150},
		{"not the organiser", f.vol, volunteer.Correction{Minutes: 200, Reason: "多记一点"}, "volunteer.not_organiser", 150},
		{"up to 4 h", f.leader, volunteer.Correction{Minutes: 240, Reason: "延时服务"}, "", 240},
		{"down to 30 min", f.leader, volunteer.Correction{Minutes: 30, Reason: "核实后只到场半小时"}, "", 30},
		{"the same again", f.leader, volunteer.Correction{Minutes: 30, Reason: "重复"}, "volunteer.correction_same", 30},
	}
	for _, tc := range tests {
		tc.c.ActivityID, tc.c.VolunteerID = x.ID, f.volunteer
		if got := code(t, f.s.Correct(ctx, tc.actor, tc.c)); got != tc.wantCode {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.wantCode)
		}
		if m, _ := level(); m != tc.total {
			t.Errorf("%s: total %d, want %d", tc.name, m, tc.total)
		}
	}
	// Three entries (credit, +90, -210), never an edit; the stars follow.
	entries, err := f.s.Ledger(ctx, f.office, f.volunteer, 10)
	if err != nil || len(entries) != 3 {
		t.Fatalf("ledger: %+v %v", entries, err)
	}
	var sum int64
	for _, e := range entries {
		sum += e.Minutes
	}
	if sum != 30 || entries[0].Source != volunteer.SourceCorrection || entries[0].Corrects == 0 || entries[2].Source != volunteer.SourceOrganiser {
		t.Fatalf("ledger entries: %+v", entries)
	}
	_, stars = level()
	for _, st := range stars {
		if st.State != volunteer.StarWithdrawn {
			t.Errorf("level %d still %s at 30 minutes", st.Level, st.State)
		}
	}
	// Totals recomputed from the ledger agree; the office confirms a level
	// reached again.
	if err := f.s.Correct(ctx, f.leader, volunteer.Correction{ActivityID: x.ID, VolunteerID: f.volunteer, Minutes: 70, Reason: "复核"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.DB.Exec(ctx, "UPDATE volunteer SET total_minutes = 0"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Recompute(ctx); err != nil {
		t.Fatal(err)
	}
	if m, stars := level(); m != 70 || stars[0].State != volunteer.StarProposed || stars[1].State != volunteer.StarWithdrawn {
		t.Fatalf("recomputed: %d %+v", m, stars)
	}
	if got := code(t, f.s.ConfirmStar(ctx, f.leader, f.volunteer, 1, volunteer.CertDistrict)); got != "volunteer.forbidden" {
		t.Errorf("team leader confirmed a star: %q", got)
	}
	if err := f.s.ConfirmStar(ctx, f.office, f.volunteer, 1, volunteer.CertDistrict); err != nil {
		t.Fatal(err)
	}
	if got := code(t, f.s.ConfirmStar(ctx, f.office, f.volunteer, 2, volunteer.CertDistrict)); got != "volunteer.star_not_proposed" {
		t.Errorf("confirmed a withdrawn level: %q", got)
	}
}

func workbook(t *testing.T, rows [][]string) *bytes.Buffer {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			x.SetCellStr("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestImportByRow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	bad := testID(5)
	bad = bad[:17] + map[bool]string{true: "1", false: "2"}[bad[17] != '1']
	header := []string{"姓名", "身份证号", "手机号", "所在社区", "所属队伍", "历史服务时长（小时）"}
	rows := [][]string{header,
		{"李一", testID(2), "13800000001", "410411001001", "管得宽志愿服务队", "120"},
		{"王二", bad, "", "", "", ""},
		{"张三", testID(2), "", "", "", ""},
		{"赵四", "990411199902300011", "", "", "", ""},
		{"钱五", testID(3), "", "月亮社区", "", ""},
		{"孙六", testID(1), "", "", "", ""}, // the fixture's volunteer
		{"周七", testID(4), "123", "", "", ""},
		{"吴八", testID(6), "", "", "", "很多"},
		{"郑九", testID(7), "", "", "", ""},
	}
	rep, err := f.s.Import(ctx, f.office, workbook(t, rows))
	if err != nil {
		t.Fatal(err)
	}
	cat := i18n.MustLoad("zh-CN")
	var got []string
	for _, e := range rep.Errors {
		got = append(got, fmt.Sprintf("%d %s", e.Row, cat.T(e.Code, e.Args...)))
	}
	want := []string{"3 身份证号校验位不对，请核对是否抄错", "4 身份证号与第 2 行重复", "5 身份证号中的出生日期不存在",
		"6 辖区内没有叫「月亮社区」的社区或街道", fmt.Sprintf("7 身份证号已登记（志愿者编号 %d）", f.volunteer), "8 手机号格式不对",
		"9 历史服务时长应为 0 到 20000 之间的小时数"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || rep.Imported != 0 || rep.Duplicates != 2 {
		t.Fatalf("import report:\n%s\nwant\n%s\n%+v", strings.Join(got, "\n"), strings.Join(want, "\n"), rep)
	}
	if _, total, _ := f.s.List(ctx, f.office, volunteer.Filter{}); total != 1 {
		t.Fatalf("a refused import wrote volunteers: %d", total)
	}
	// The good rows alone import, with their team and historical hours.
	rep, err = f.s.Import(ctx, f.office, workbook(t, [][]string{header, rows[1], rows[9]}))
	if err != nil || rep.Imported != 2 || len(rep.Errors) != 0 {
		t.Fatalf("clean import: %+v %v", rep, err)
	}
	list, total, _ := f.s.List(ctx, f.office, volunteer.Filter{Query: testID(2)})
	if total != 1 || list[0].Minutes != 120*60 || list[0].Star != 1 || list[0].Gender != "f" || list[0].BirthDate != "1982-03-12" {
		t.Fatalf("imported volunteer: %+v", list)
	}
	if n, _ := f.s.Members(ctx, f.leader, f.team); len(n) != 2 {
		t.Fatalf("team members after import: %d", len(n))
	}
	// The team leader cannot import for the district.
	if _, err := f.s.Import(ctx, f.leader, workbook(t, [][]string{header, rows[9]})); code(t, err) != "volunteer.forbidden" {
		t.Fatalf("leader import: %v", err)
	}
}

func TestCertificatePDF(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	x := f.activity(t)
	if _, err := f.s.SignUpFor(ctx, f.vol, x.ID); err != nil {
		t.Fatal(err)
	}
	f.advance(4 * time.Hour)
	if err := f.s.Record(ctx, f.leader, volunteer.Attendance{ActivityID: x.ID, VolunteerID: f.volunteer, Mark: volunteer.Attended, Minutes: -1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Confirm(ctx, f.leader, x.ID); err != nil {
		t.Fatal(err)
	}
	id, err := f.s.Apply(ctx, f.vol, 0, "2026-01-01", "2026-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if got := code(t, f.s.DecideCertificate(ctx, f.office, id, "issue")); got != "volunteer.certificate_wrong_state" {
		t.Fatalf("issued before accepted: %q", got)
	}
	if got := code(t, f.s.DecideCertificate(ctx, f.vol, id, "accept")); got != "volunteer.forbidden" {
		t.Fatalf("volunteer accepted their own: %q", got)
	}
	for _, step := range []string{"accept", "issue"} {
		if err := f.s.DecideCertificate(ctx, f.office, id, step); err != nil {
			t.Fatal(err)
		}
	}
	c, err := f.s.Certificate(ctx, f.vol, id)
	if err != nil || c.State != volunteer.CertIssued || c.Minutes != 120 || !strings.HasPrefix(c.Number, "志证〔2026〕") {
		t.Fatalf("certificate: %+v %v", c, err)
	}
	pub, err := f.s.Verify(ctx, c.VerifyCode)
	if err != nil || pub.Number != c.Number || pub.MaskedName() != "周*愿" || pub.IDMasked != "" {
		t.Fatalf("verify: %+v %v", pub, err)
	}
	wrong := []byte(c.VerifyCode)
	wrong[0] ^= 1
	for _, bad := range []string{string(wrong), "", "x", c.Number} {
		if _, err := f.s.Verify(ctx, bad); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("Verify(%q) = %v", bad, err)
		}
	}
	cat := i18n.MustLoad("zh-CN")
	var buf bytes.Buffer
	if err := f.s.WritePDF(ctx, &buf, c, "https://wm.example.gov.cn/v/c/"+c.VerifyCode, cat.T); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("/Subtype /Image")) {
		t.Error("the PDF has no verification QR code")
	}
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{"志愿服务证明", "周志愿", "累计服务时长2小时", c.Number, "清洁家园", c.VerifyCode, pii.MaskID(testID(1))} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, testID(1)) {
		t.Error("the PDF shows the whole ID number")
	}
}

// pdfText reads a PDF's text with poppler's pdftotext, white space
// removed; missing, the test skips, except under CI (as internal/pdfdoc).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not installed, and CI=true: install poppler-utils")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	file := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

func TestScopeOfLists(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	// A second team elsewhere, with its own volunteer.
	other, err := f.s.CreateTeam(ctx, f.office, volunteer.TeamInput{Name: "党员先锋队", Kind: "党员先锋", RegionCode: "410411002"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Register(ctx, f.office, volunteer.Input{Name: "外队员", IDNumber: testID(30), RegionCode: "410411002", TeamID: other}); err != nil {
		t.Fatal(err)
	}
	count := func(a access.Actor) (int, string) {
		_, n, err := f.s.List(ctx, a, volunteer.Filter{})
		return n, code(t, err)
	}
	if n, _ := count(f.office); n != 2 {
		t.Errorf("office sees %d", n)
	}
	if n, _ := count(f.leader); n != 1 {
		t.Errorf("team leader sees %d", n)
	}
	if _, c := count(f.vol); c != "volunteer.forbidden" {
		t.Errorf("volunteer lists: %q", c)
	}
	if _, err := f.s.Get(ctx, f.leader, f.volunteer+1); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("leader read another team's volunteer: %v", err)
	}
	if _, err := f.s.Get(ctx, f.vol, f.volunteer); err != nil {
		t.Errorf("volunteer reads themselves: %v", err)
	}
	// Registering needs the data key.
	keyless := *f.s
	keyless.Key = nil
	if _, err := keyless.Register(ctx, f.office, volunteer.Input{Name: "无密钥", IDNumber: testID(31)}); code(t, err) != "volunteer.no_data_key" {
		t.Errorf("registered without a key: %v", err)
	}
	// Duplicates by ID number are refused, whoever registers.
	if _, err := f.s.Register(ctx, f.office, volunteer.Input{Name: "重复者", IDNumber: testID(30)}); code(t, err) != "volunteer.duplicate_id" {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := f.s.SignUp(ctx, volunteer.Input{Name: "重复者", IDNumber: testID(30), Phone: "13800000000", TeamID: f.team}); code(t, err) != "volunteer.duplicate_id" {
		t.Errorf("public duplicate: %v", err)
	}
}

// TestFiguresMatchTheLedger: the figures, read from the daily and monthly
// tallies, add up to the ledger's own sums for periods that start and end
// anywhere in a month, and follow corrections.
func TestFiguresMatchTheLedger(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	sys := access.System()
	var acts []volunteer.SeedActivity
	day := time.Date(2025, 10, 30, 9, 0, 0, 0, volunteer.Loc())
	for i := range 40 {
		st := day.AddDate(0, 0, i*11)
		acts = append(acts, volunteer.SeedActivity{ActivityInput: volunteer.ActivityInput{Title: "清洁家园", Kind: []string{"clean", "traffic"}[i%2],
			TeamID: f.team, RegionCode: "410411001001", Lng: 113.32, Lat: 33.73, RadiusM: 100, StartsAt: st, EndsAt: st.Add(time.Duration(60+i) * time.Minute),
			Quota: 5}, Confirm: true, Attendees: []volunteer.SeedAttendee{{VolunteerID: f.volunteer}}})
	}
	if err := f.s.SeedActivities(ctx, sys, acts); err != nil {
		t.Fatal(err)
	}
	ledger := func(from, to string) int64 {
		var m int64
		if err := f.app.DB.QueryRow(ctx, "SELECT COALESCE(SUM(minutes), 0) FROM volunteer_hours WHERE served_on >= ? AND served_on <= ?", from, to).Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	check := func(label string) {
		for _, p := range [][2]string{{"2025-01-01", "2026-12-31"}, {"2025-11-01", "2025-11-30"}, {"2025-11-15", "2026-02-14"},
			{"2025-12-31", "2026-01-01"}, {"2026-03-09", "2026-03-09"}, {"2026-01-01", "2026-06-30"}, {"2025-10-30", "2027-01-01"}} {
			k, err := f.s.Figures(ctx, f.office, "410411", p[0], p[1])
			if err != nil {
				t.Fatal(err)
			}
			var months, kinds int64
			for _, c := range k.ByMonth {
				months += c.Minutes
			}
			for _, c := range k.ByKind {
				kinds += c.Minutes
			}
			if want := ledger(p[0], p[1]); k.Minutes != want || months != want || kinds != want {
				t.Errorf("%s %v: figures %d (months %d, types %d), ledger %d", label, p, k.Minutes, months, kinds, want)
			}
		}
	}
	check("seeded")
	x, err := f.s.Activities(ctx, f.office, volunteer.ActivityFilter{Mine: true, Limit: 1})
	if err != nil || len(x) != 1 {
		t.Fatal(x, err)
	}
	if err := f.s.Correct(ctx, f.office, volunteer.Correction{ActivityID: x[0].ID, VolunteerID: f.volunteer, Minutes: 5, Reason: "核实"}); err != nil {
		t.Fatal(err)
	}
	check("corrected")
	if _, err := f.s.Recompute(ctx); err != nil {
		t.Fatal(err)
	}
	check("recomputed")
}
