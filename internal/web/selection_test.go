package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/selection"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var selRoundLoc = regexp.MustCompile(`^/selections/rounds/(\d+)$`)

// selClock puts the selections on a clock the test moves.
func selClock(app *servertest.App) func(time.Duration) {
	var now atomic.Pointer[time.Time]
	start := time.Now()
	now.Store(&start)
	app.Selections.Now = func() time.Time { return *now.Load() }
	return func(d time.Duration) {
		next := now.Load().Add(d)
		now.Store(&next)
	}
}

// selRound opens a round of a kind in 湛河区 as the office, taking
// nominations from today for ten days.
func selRound(t *testing.T, app *servertest.App, office *servertest.Browser, kind string) string {
	t.Helper()
	k, err := app.Selections.KindByCode(context.Background(), kind)
	if err != nil {
		t.Fatal(err)
	}
	today := app.Selections.Clock().In(selection.Loc())
	office.Get("/selections")
	res := office.Post("/selections/rounds", url.Values{"kind": {servertest.Itoa(k.ID)}, "period": {"2026年度"}, "region": {"410411"},
		"opens_on": {today.Format("2006-01-02")}, "closes_on": {today.AddDate(0, 0, 10).Format("2006-01-02")}})
	m := selRoundLoc.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create round: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	return m[1]
}

var selNomID = regexp.MustCompile(`data-nomination="(\d+)"`)

func TestSelectionRoundThroughPages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	advance := selClock(app)
	office, street, community := app.SignedIn(t, "office"), app.SignedIn(t, "handler"), app.SignedIn(t, "shequ")
	id := selRound(t, app, office, "star_household")
	k, _ := app.Selections.KindByCode(context.Background(), "star_household")
	path := "/selections/rounds/" + id

	community.Get(path)
	form := url.Values{"name": {"张建国"}, "region": {"410411001001"}, "address": {"电力社区3号楼2单元"}, "contact": {"13912345678"},
		"deeds": {"孝老爱亲，热心公益"}, "star_" + servertest.Itoa(k.Criteria[0].ID): {"1"}, "star_" + servertest.Itoa(k.Criteria[2].ID): {"1"}}
	if res := community.Post(path+"/nominations", form); res.Status != http.StatusSeeOther {
		t.Fatalf("nominate: %d\n%s", res.Status, res.Body)
	}
	for _, tc := range []struct {
		name   string
		edit   func(url.Values)
		status int
		want   string
	}{
		{"second nomination", func(url.Values) {}, http.StatusConflict, "不能重复申报"},
		{"outside the community", func(v url.Values) { v.Set("name", "李四"); v.Set("region", "410411002001") }, http.StatusBadRequest, "区域范围内"},
	} {
		v := url.Values{}
		for k, x := range form {
			v[k] = append([]string(nil), x...)
		}
		tc.edit(v)
		res := community.Post(path+"/nominations", v)
		if res.Status != tc.status || !strings.Contains(res.Body, tc.want) {
			t.Errorf("%s: %d, want %d with %q\n%s", tc.name, res.Status, tc.status, tc.want, res.Body)
		}
	}
	page := office.Get(path)
	m := selNomID.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no nomination on the round page\n%s", page.Body)
	}
	review := "/selections/nominations/" + m[1] + "/review"
	if res := office.Post(review, url.Values{"round": {id}, "decision": {"approve"}}); res.Status != http.StatusConflict || !strings.Contains(res.Body, "须逐级审核") {
		t.Errorf("office before the street: %d", res.Status)
	}
	servertest.MustContain(t, street.Get("/").Body, `data-kind="selection/review" data-count="1"`)
	servertest.MustContain(t, community.Get("/").Body, `data-kind="selection/review" data-count="0"`)
	street.Get(path)
	if res := street.Post(review, url.Values{"round": {id}, "decision": {"approve"}, "comment": {"同意"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("street approves: %d\n%s", res.Status, res.Body)
	}
	if res := office.Post(review, url.Values{"round": {id}, "decision": {"approve"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("office approves: %d\n%s", res.Status, res.Body)
	}
	if res := office.Post(path+"/publicity", url.Values{"days": {"7"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("publicity: %d\n%s", res.Status, res.Body)
	}

	// The public 公示: masked name, objection form, the period.
	anon := app.Browser(t)
	pub := anon.Get("/public/selections/rounds/" + id)
	servertest.MustContain(t, pub.Body, "张*国", "异议受理截至", `data-object`)
	servertest.MustNotContain(t, pub.Body, "张建国", "13912345678")
	if res := anon.Post("/public/selections/rounds/"+id+"/objections", url.Values{"nomination": {m[1]}, "body": {"该户有违章搭建未拆除"},
		"contact": {"13700002222"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("objection: %d\n%s", res.Status, res.Body)
	}
	page = office.Get(path)
	servertest.MustContain(t, page.Body, "该户有违章搭建未拆除", "13700002222")
	if res := office.Post(path+"/award", nil); res.Status != http.StatusConflict || !strings.Contains(res.Body, "公示期尚未结束") {
		t.Errorf("award during the publicity: %d", res.Status)
	}
	advance(7 * 24 * time.Hour)
	res := anon.Post("/public/selections/rounds/"+id+"/objections", url.Values{"body": {"公示期满后才提的异议"}})
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "公示期已结束") {
		t.Errorf("objection after the period: %d", res.Status)
	}
	objID := regexp.MustCompile(`data-objection="(\d+)"`).FindStringSubmatch(page.Body)
	servertest.MustContain(t, office.Get("/").Body, `data-kind="selection/award" data-count="1"`)
	if res := office.Post(path+"/award", nil); res.Status != http.StatusConflict || !strings.Contains(res.Body, "未答复") {
		t.Errorf("award with an open objection: %d", res.Status)
	}
	if res := office.Post(path+"/resolve", url.Values{"objection": {objID[1]}, "reason": {"经核实已于11月拆除"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("resolve: %d\n%s", res.Status, res.Body)
	}
	if res := office.Post(path+"/award", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("award: %d\n%s", res.Status, res.Body)
	}

	// Certificate, verification by number, honour roll.
	pdf := office.Get("/selections/nominations/" + m[1] + "/certificate.pdf")
	if pdf.Status != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("certificate: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
	}
	number := regexp.MustCompile(`/public/selections/certificates/([0-9A-Z-]+)`).FindStringSubmatch(anon.Get("/public/selections/rounds/" + id).Body)
	if number == nil {
		t.Fatal("no certificate number on the public page")
	}
	servertest.MustContain(t, anon.Get("/public/selections/certificates/"+number[1]).Body, "星级文明户", "张*国", "有效")
	wrong := anon.Get("/public/selections/certificates/" + number[1][:len(number[1])-4] + "ZZZZ")
	if wrong.Status != http.StatusNotFound || !strings.Contains(wrong.Body, "证书编号不存在") {
		t.Errorf("wrong number: %d", wrong.Status)
	}
	servertest.MustContain(t, anon.Get("/public/honours/410411").Body, "光荣榜", "张*国", number[1])
	servertest.MustContain(t, anon.Get("/public/selections").Body, `href="/public/selections/rounds/`+id+`"`)
	if res := office.Post("/selections/nominations/"+m[1]+"/revoke", url.Values{"round": {id}, "reason": {"发现弄虚作假"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.Status)
	}
	servertest.MustContain(t, anon.Get("/public/selections/certificates/"+number[1]).Body, "已撤销", "发现弄虚作假")
	servertest.MustNotContain(t, anon.Get("/public/honours/410411").Body, number[1])
}

func TestSelectionSelfDeclaration(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	selClock(app)
	office := app.SignedIn(t, "office")
	id := selRound(t, app, office, "good_people")
	anon := app.Browser(t)
	servertest.MustContain(t, anon.Get("/public/selections").Body, "身边好人")
	anon.Get("/public/selections/rounds/" + id + "/declare")
	res := anon.Post("/public/selections/rounds/"+id+"/declare", url.Values{"name": {"刘热心"}, "region": {"410411001001"}, "contact": {"13600003333"},
		"deeds": {"义务清扫小区十年"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("declare: %d\n%s", res.Status, res.Body)
	}
	res = anon.Post("/public/selections/rounds/"+id+"/declare", url.Values{"name": {"外省人"}, "region": {"110101001001"}, "contact": {"13600003334"}})
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "区域范围内") {
		t.Errorf("outside the area: %d", res.Status)
	}
	page := office.Get("/selections/rounds/" + id)
	servertest.MustContain(t, page.Body, "刘热心", "自主申报", "136****3333")
	// Nobody signed in reads the round's internal page, and a round in
	// nomination has no public page yet.
	if res := anon.Get("/selections/rounds/" + id); res.Status != http.StatusSeeOther {
		t.Errorf("anonymous round page: %d", res.Status)
	}
	if res := anon.Get("/public/selections/rounds/" + id); res.Status != http.StatusNotFound {
		t.Errorf("public page before the publicity: %d", res.Status)
	}
}

var holderLoc = regexp.MustCompile(`^/holders/(\d+)$`)

func TestHolderScopeThroughRouter(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.SignedIn(t, "office")
	c := servertest.DispatchedCase(t, app) // 电力社区 410411001001
	today := time.Now().Format("2006-01-02")
	office.Get("/holders")
	mk := func(user, title, regions, line string) string {
		t.Helper()
		kind := "area_leader"
		if line != "" {
			kind = "street_chief"
		}
		res := office.Post("/holders", url.Values{"kind": {kind}, "title": {title}, "user": {user}, "term_from": {today}, "term_to": {"2099-12-31"},
			"regions": {regions}, "line": {line}})
		m := holderLoc.FindStringSubmatch(res.Location)
		if m == nil {
			t.Fatalf("create holder: %d\n%s", res.Status, res.Body)
		}
		return m[1]
	}
	a := mk("leader", "电力社区联点领导", "410411001001", "")
	b := mk("inspector", "示范路街长", "", "[[113.300,33.730],[113.310,33.730]]")
	res := office.Post("/holders", url.Values{"kind": {"river_chief"}, "title": {"湛河河长"}, "user": {"leader"}, "term_from": {today},
		"term_to": {"2099-12-31"}, "regions": {"410411001"}})
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "河段线") {
		t.Errorf("river chief of a region: %d", res.Status)
	}

	leader, insp := app.SignedIn(t, "leader"), app.SignedIn(t, "inspector")
	own := leader.Get("/holders/" + a)
	servertest.MustContain(t, own.Body, "电力社区联点领导", c.Code, "data-report-card")
	if res := leader.Get("/holders/" + a + "?region=410411002"); !strings.Contains(res.Body, "没有问题") || strings.Contains(res.Body, c.Code) {
		t.Errorf("a region outside the holding shows cases")
	}
	if res := insp.Get("/holders/" + a); res.Status != http.StatusNotFound {
		t.Errorf("another holder's page: %d", res.Status)
	}
	if res := insp.Get("/holders/" + b); res.Status != http.StatusOK || strings.Contains(res.Body, c.Code) {
		t.Errorf("street chief's page: %d, shows the community's case: %v", res.Status, strings.Contains(res.Body, c.Code))
	}
	handler := app.SignedIn(t, "handler")
	if res := handler.Get("/holders/" + a); res.Status != http.StatusNotFound {
		t.Errorf("a handler reads a holder: %d", res.Status)
	}
	if res := handler.Get("/holders/cards"); res.Status != http.StatusForbidden {
		t.Errorf("a handler reads the cards: %d", res.Status)
	}
	cards := office.Get("/holders/cards")
	servertest.MustContain(t, cards.Body, "电力社区联点领导", "示范路街长", `data-card="`+a+`"`)
	servertest.MustContain(t, leader.Get("/holders").Body, "我的责任区", "电力社区联点领导")
}
