package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// TestVolunteerPagesByRole opens every volunteer page as each role: who
// may, sees it in Chinese; who may not, is refused.
func TestVolunteerPagesByRole(t *testing.T) {
	t.Parallel()
	app := volunteerApp(t)
	office := app.SignedIn(t, "office")
	vid, tid, aid := volunteerSetup(t, app, office)
	office.Get("/volunteers/stations")
	if res := office.Post("/volunteers/stations", url.Values{"name": {"湛河区新时代文明实践中心"}, "level": {"district"}, "region": {"410411"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("station: %d\n%s", res.Status, res.Body)
	}
	tests := []struct {
		role, path string
		status     int
		want       string
	}{
		{"office", "/volunteers", http.StatusOK, "注册志愿者"},
		{"office", "/volunteers/list", http.StatusOK, "990***********"},
		{"office", "/volunteers/stations", http.StatusOK, "湛河区新时代文明实践中心"},
		{"office", "/volunteers/teams", http.StatusOK, "紫荆树志愿服务队"},
		{"office", "/volunteers/teams/" + tid, http.StatusOK, "周*愿"},
		{"office", "/volunteers/activities", http.StatusOK, "文明交通劝导"},
		{"office", "/volunteers/activities/" + aid, http.StatusOK, "出示签到码"},
		{"office", "/volunteers/" + vid, http.StatusOK, "139****0005"},
		{"office", "/volunteers/stars", http.StatusOK, "星级认定"},
		{"office", "/volunteers/certificates", http.StatusOK, "志愿服务证明"},
		{"office", "/volunteers/publicity", http.StatusOK, "发起公示"},
		{"office", "/volunteers/import", http.StatusOK, "导入志愿者名册"},
		{"leader", "/volunteers", http.StatusOK, "注册志愿者"},
		{"office", "/dashboard", http.StatusOK, `id="volunteer-panel"`},
		{"office", "/volunteers?region=410411001", http.StatusOK, `<option value="410411001" selected>`},
		{"office", "/volunteers?region=410402", http.StatusOK, `data-kpi="registered">1<`}, // outside the area: the whole area
		{"shequ", "/volunteers/teams/" + tid, http.StatusOK, "紫荆树志愿服务队"},
		{"shequ", "/volunteers/list", http.StatusOK, "周*愿"},
		{"volunteer", "/volunteers", http.StatusSeeOther, ""},
		{"volunteer", "/volunteers/me", http.StatusOK, "累计服务时长"},
		{"volunteer", "/volunteers/list", http.StatusForbidden, ""},
		{"volunteer", "/volunteers/activities/" + aid + "/code", http.StatusForbidden, ""},
		{"handler", "/volunteers/teams/" + tid, http.StatusNotFound, ""},
		{"handler", "/volunteers/" + vid, http.StatusNotFound, ""},
		{"citizen", "/volunteers/me", http.StatusOK, "还不是登记的志愿者"},
	}
	browsers := map[string]*servertest.Browser{"office": office}
	for _, tc := range tests {
		b := browsers[tc.role]
		if b == nil {
			b = app.SignedIn(t, tc.role)
			browsers[tc.role] = b
		}
		res := b.Get(tc.path)
		if res.Status != tc.status || !strings.Contains(res.Body, tc.want) {
			t.Errorf("%s %s: %d, want %d with %q", tc.role, tc.path, res.Status, tc.status, tc.want)
		}
	}
	// A station run by the street office (赵承办's unit): its staff run its
	// activities; the community's handler does not.
	office.Get("/volunteers/stations")
	if res := office.Post("/volunteers/stations", url.Values{"name": {"湖滨路街道新时代文明实践所"}, "level": {"street"}, "region": {"410411001"},
		"unit": {"410411001"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("street station: %d\n%s", res.Status, res.Body)
	}
	if res := office.Post("/volunteers/stations", url.Values{"name": {"无名所"}, "level": {"street"}, "region": {"410411001"},
		"unit": {"no-such-unit"}}); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "没有这个单位编码") {
		t.Fatalf("station of an unknown unit: %d", res.Status)
	}
	stations, err := app.Volunteers.Stations(context.Background(), servertest.Actor(t, app, "handler"))
	if err != nil || len(stations) != 1 {
		t.Fatalf("the street's stations: %+v %v", stations, err)
	}
	street := browsers["handler"]
	street.Get("/volunteers/activities")
	starts := app.Now().In(volunteer.Loc()).Add(48 * time.Hour).Format("2006-01-02T15:04")
	res := street.Post("/volunteers/activities", url.Values{"title": {"理论宣讲进社区"}, "kind": {"lecture"}, "station": {servertest.Itoa(stations[0].ID)},
		"starts_at": {starts}, "minutes": {"90"}, "lng": {"113.31"}, "lat": {"33.72"}, "radius": {"100"}, "quota": {"30"}, "weeks": {"4"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("station activity: %d\n%s", res.Status, res.Body)
	}
	mine := street.Get("/volunteers/activities?mine=1")
	if n := strings.Count(mine.Body, "理论宣讲进社区"); n != 4 {
		t.Errorf("the street sees %d of its 4 weekly activities", n)
	}
	if r := street.Get(res.Location + "/code"); r.Status != http.StatusOK {
		t.Errorf("station staff's code page: %d", r.Status)
	}
	if r := browsers["shequ"].Get(res.Location + "/code"); r.Status != http.StatusForbidden {
		t.Errorf("another unit's code page: %d", r.Status)
	}
	// The team leader adds a registered volunteer by ID number; a number
	// not registered is refused.
	leaderB := browsers["shequ"]
	leaderB.Get("/volunteers/teams/" + tid)
	if r := leaderB.Post("/volunteers/teams/"+tid+"/members", url.Values{"id_number": {testID(51)}}); r.Status != http.StatusBadRequest ||
		!strings.Contains(r.Body, "还没有注册") {
		t.Errorf("unregistered number: %d", r.Status)
	}
	id3, err := app.Volunteers.Register(context.Background(), servertest.Actor(t, app, "office"), volunteer.Input{Name: "郑队员", IDNumber: testID(52),
		RegionCode: "410411002"})
	if err != nil {
		t.Fatal(err)
	}
	if r := leaderB.Post("/volunteers/teams/"+tid+"/members", url.Values{"id_number": {testID(52)}}); r.Status != http.StatusSeeOther {
		t.Errorf("add member: %d\n%s", r.Status, r.Body)
	}
	servertest.MustContain(t, leaderB.Get("/volunteers/teams/"+tid).Body, `data-member="`+servertest.Itoa(id3)+`"`, "郑*员")
	// The office ties a volunteer to an account; then it is their page.
	id2, err := app.Volunteers.Register(context.Background(), servertest.Actor(t, app, "office"), volunteer.Input{Name: "吴市民", IDNumber: testID(50),
		RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	office.Get("/volunteers/" + servertest.Itoa(id2))
	if r := office.Post("/volunteers/accounts/"+servertest.Itoa(id2), url.Values{"username": {"nobody"}}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown account: %d", r.Status)
	}
	if r := office.Post("/volunteers/accounts/"+servertest.Itoa(id2), url.Values{"username": {"volunteer"}}); r.Status != http.StatusConflict {
		t.Errorf("an account already tied: %d", r.Status)
	}
	if r := office.Post("/volunteers/accounts/"+servertest.Itoa(id2), url.Values{"username": {"citizen"}}); r.Status != http.StatusSeeOther {
		t.Errorf("tie account: %d", r.Status)
	}
	servertest.MustContain(t, browsers["citizen"].Get("/volunteers/me").Body, "吴市民", "累计服务时长")
	// Lists never show the whole phone or ID number.
	list := office.Get("/volunteers/list")
	servertest.MustNotContain(t, list.Body, testID(1), "13900000005")
	// The export is masked too.
	res = office.Get("/volunteers/export.xlsx")
	x, err := excelize.OpenReader(bytes.NewReader([]byte(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Sheet1")
	if len(rows) != 4 || rows[1][0] != "周*愿" || rows[1][1] != "990***********"+testID(1)[14:] || rows[1][4] != "139****0005" {
		t.Fatalf("export rows: %v", rows)
	}
}

func TestVolunteerPublicSignupApprovedByLeader(t *testing.T) {
	t.Parallel()
	app := volunteerApp(t)
	office := app.SignedIn(t, "office")
	_, tid, _ := volunteerSetup(t, app, office)
	anon := app.Browser(t)
	anon.Get("/public/volunteers/signup")
	form := url.Values{"name": {"吴热心"}, "id_number": {testID(40)}, "phone": {"13812345678"}, "team": {tid}}
	bad := url.Values{"name": {"吴热心"}, "id_number": {testID(40)[:17] + "0"}, "phone": {"13812345678"}, "team": {tid}}
	if testID(40)[17] == '0' {
		bad.Set("id_number", testID(40)[:17]+"1")
	}
	if res := anon.Post("/public/volunteers/signup", bad); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "校验位不对") {
		t.Fatalf("bad ID: %d", res.Status)
	}
	if res := anon.Post("/public/volunteers/signup", form); res.Status != http.StatusSeeOther {
		t.Fatalf("sign-up: %d\n%s", res.Status, res.Body)
	}
	if res := anon.Post("/public/volunteers/signup", form); res.Status != http.StatusConflict || !strings.Contains(res.Body, "已登记") {
		t.Fatalf("second sign-up: %d", res.Status)
	}
	leader := app.SignedIn(t, "shequ")
	wb := leader.Get("/")
	servertest.MustContain(t, wb.Body, `data-kind="volunteer/signups" data-count="1"`)
	page := leader.Get("/volunteers/teams/" + tid)
	m := regexp.MustCompile(`data-member="(\d+)" data-state="pending"`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no pending member:\n%s", page.Body)
	}
	// Someone who does not run the team cannot approve.
	other := app.SignedIn(t, "handler")
	other.Get("/")
	if res := other.Post("/volunteers/teams/"+tid+"/decide", url.Values{"volunteer": {m[1]}, "decision": {"approve"}}); res.Status != http.StatusNotFound {
		t.Fatalf("outsider approved: %d", res.Status)
	}
	if res := leader.Post("/volunteers/teams/"+tid+"/decide", url.Values{"volunteer": {m[1]}, "decision": {"approve"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", res.Status, res.Body)
	}
	v, err := app.Volunteers.Get(context.Background(), servertest.Actor(t, app, "office"), servertest.MustAtoi(t, m[1]))
	if err != nil || v.State != volunteer.StateActive || v.Gender == "" {
		t.Fatalf("approved volunteer: %+v %v", v, err)
	}
}

func TestVolunteerImportThroughThePage(t *testing.T) {
	t.Parallel()
	app := volunteerApp(t)
	office := app.SignedIn(t, "office")
	office.Get("/volunteers/import")
	tpl := office.Get("/volunteers/import/template.xlsx")
	if tpl.Status != http.StatusOK {
		t.Fatalf("template: %d", tpl.Status)
	}
	x, _ := excelize.OpenReader(bytes.NewReader([]byte(tpl.Body)))
	x.SetCellStr("Sheet1", "A3", "重复者")
	x.SetCellStr("Sheet1", "B3", "990411199001010018")
	var buf bytes.Buffer
	x.Write(&buf)
	res := office.Upload("/volunteers/import", "v.xlsx", nil, buf.Bytes())
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "第 3 行「身份证号」：身份证号与第 2 行重复") {
		t.Fatalf("import with a duplicate: %d\n%s", res.Status, res.Body)
	}
	// The template's own example row imports.
	res = office.Upload("/volunteers/import", "v.xlsx", nil, []byte(tpl.Body))
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `data-imported="1"`) {
		t.Fatalf("template import: %d\n%s", res.Status, res.Body)
	}
}

// TestVolunteerCertificateAndPublicity issues a certificate through the
// pages, checks it publicly, and runs a publicity with an objection.
func TestVolunteerCertificateAndPublicity(t *testing.T) {
	t.Parallel()
	app := volunteerApp(t)
	office, vol := app.SignedIn(t, "office"), app.SignedIn(t, "volunteer")
	vid, _, aid := volunteerSetup(t, app, office)
	ctx := context.Background()
	app.Volunteers.Stars = []int{1, 2, 3, 4, 5}
	vol.Get("/volunteers/activities/" + aid)
	vol.Post("/volunteers/activities/"+aid+"/signup", nil)
	office.Get("/volunteers/activities/" + aid)
	if res := office.Post("/volunteers/activities/"+aid+"/attendance", url.Values{"volunteer": {vid}, "mark": {"attended"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("attendance: %d\n%s", res.Status, res.Body)
	}
	app.Advance(4 * time.Hour)
	if res := office.Post("/volunteers/activities/"+aid+"/confirm", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.Status)
	}
	year := app.Now().In(volunteer.Loc()).Format("2006")
	vol.Get("/volunteers/me")
	if res := vol.Post("/volunteers/certificates", url.Values{"from": {year + "-01-01"}, "to": {year + "-12-31"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", res.Status, res.Body)
	}
	list := office.Get("/volunteers/certificates")
	m := regexp.MustCompile(`data-certificate="(\d+)" data-state="applied"`).FindStringSubmatch(list.Body)
	if m == nil {
		t.Fatalf("no application:\n%s", list.Body)
	}
	for _, step := range []string{"accept", "issue"} {
		if res := office.Post("/volunteers/certificates/"+m[1], url.Values{"action": {step}}); res.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", step, res.Status, res.Body)
		}
	}
	// The office's bulletin of the year has a 志愿服务 section.
	today := app.Now().In(volunteer.Loc()).Format("2006-01-02")
	draft := office.Get("/bulletins/preview?" + composeForm("410411", "custom", year+"-01-01", today).Encode())
	servertest.MustContain(t, draft.Body, "志愿服务", "注册志愿者 1 人", "紫荆树志愿服务队")
	pdf := vol.Get("/volunteers/certificates/" + m[1] + ".pdf")
	if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-") {
		t.Fatalf("pdf: %d", pdf.Status)
	}
	certs, err := app.Volunteers.Certificates(ctx, servertest.Actor(t, app, "office"), 0)
	if err != nil || len(certs) != 1 {
		t.Fatal(certs, err)
	}
	anon := app.Browser(t)
	ok := anon.Get("/v/c/" + certs[0].VerifyCode)
	servertest.MustContain(t, ok.Body, "真实有效", "周*愿", certs[0].Number, "<dd>2</dd>")
	servertest.MustNotContain(t, ok.Body, "周志愿", "990")
	if res := anon.Get("/v/c/aaaaaaaaaaaaaaaa"); res.Status != http.StatusNotFound || strings.Contains(res.Body, "周") {
		t.Fatalf("wrong code: %d", res.Status)
	}
	// The publicity lists the new star levels; anyone objects in time.
	office.Get("/volunteers/publicity")
	res := office.Post("/volunteers/publicity", url.Values{"title": {"第四季度星级志愿者公示"}, "from": {year + "-01-01"}, "to": {year + "-12-31"},
		"days": {"7"}, "top": {"5"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("publicity: %d\n%s", res.Status, res.Body)
	}
	pub := anon.Get(res.Location)
	servertest.MustContain(t, pub.Body, "二星志愿者", "优秀志愿者", "周*愿", "提出异议")
	if r := anon.Post(res.Location+"/objections", url.Values{"body": {"该志愿者当天并未到场。"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("objection: %d\n%s", r.Status, r.Body)
	}
	page := office.Get(res.Location)
	om := regexp.MustCompile(`data-objection="(\d+)"`).FindStringSubmatch(page.Body)
	if om == nil {
		t.Fatalf("no objection on the office's page")
	}
	id := strings.TrimPrefix(res.Location, "/public/volunteers/publicity/")
	if r := office.Post("/volunteers/publicity/"+id+"/resolve", url.Values{"objection": {om[1]}, "resolution": {"经核实签到记录，异议不成立"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("resolve: %d\n%s", r.Status, r.Body)
	}
	servertest.MustContain(t, office.Get(res.Location).Body, "异议不成立")
	app.Advance(8 * 24 * time.Hour)
	anon.Get(res.Location)
	if r := anon.Post(res.Location+"/objections", url.Values{"body": {"过了异议期再提。"}}); r.Status != http.StatusConflict {
		t.Fatalf("late objection: %d", r.Status)
	}
}
