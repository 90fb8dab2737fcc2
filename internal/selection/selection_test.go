package selection_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/selection"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

type fixture struct {
	app                       *servertest.App
	s                         *selection.Store
	now                       *atomic.Pointer[time.Time]
	office, street, community access.Actor
	other                     access.Actor // a community of another street
}

func (f *fixture) advance(d time.Duration) {
	next := f.now.Load().Add(d)
	f.now.Store(&next)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	app := servertest.New(t)
	f := &fixture{app: app, s: app.Selections, now: &atomic.Pointer[time.Time]{}}
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, selection.Loc())
	f.now.Store(&start)
	f.s.Now = func() time.Time { return *f.now.Load() }
	f.office, f.street, f.community = servertest.Actor(t, app, "office"), servertest.Actor(t, app, "handler"), servertest.Actor(t, app, "shequ")
	f.other = f.community
	f.other.Region = "410411002001"
	return f
}

func (f *fixture) kind(t *testing.T, code string) selection.Kind {
	t.Helper()
	k, err := f.s.KindByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (f *fixture) round(t *testing.T, code, region, opens, closes string, quota int) int64 {
	t.Helper()
	id, err := f.s.CreateRound(context.Background(), f.office, selection.RoundInput{KindID: f.kind(t, code).ID, PeriodLabel: "2026年度",
		RegionCode: region, OpensOn: opens, ClosesOn: closes, Quota: quota})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// wantCode fails unless err is an apperr with the code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

func TestRoundStatesAndRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	k := f.kind(t, "star_household")
	if k.Sheet != selection.SheetStars || len(k.Criteria) != 5 || strings.Join(k.Levels, ",") != "community,street,office" {
		t.Fatalf("star household kind %+v", k)
	}
	round := f.round(t, "star_household", "410411", "2026-12-01", "2026-12-20", 0)
	stars := map[int64]int{k.Criteria[0].ID: 1, k.Criteria[1].ID: 1, k.Criteria[3].ID: 1}
	in := selection.NominationInput{RoundID: round, Name: "张建国", RegionCode: "410411001001", Address: "电力社区3号楼", Contact: "13912345678", Scores: stars}
	id, err := f.s.Nominate(ctx, f.community, in)
	if err != nil {
		t.Fatal(err)
	}

	// Refusals of nomination.
	_, err = f.s.Nominate(ctx, f.community, in)
	wantCode(t, "second nomination", err, "selection.duplicate_candidate")
	out := in
	out.Name, out.RegionCode = "李四", "410411002001"
	_, err = f.s.Nominate(ctx, f.community, out)
	wantCode(t, "candidate outside the community", err, "selection.outside_area")
	street := f.round(t, "civilized_family", "410411001", "2026-12-01", "2026-12-20", 0)
	_, err = f.s.Nominate(ctx, f.office, selection.NominationInput{RoundID: street, Name: "王五", RegionCode: "410411002001"})
	wantCode(t, "candidate outside the round's area", err, "selection.outside_area")
	later := f.round(t, "civilized_family", "410411", "2026-12-10", "2026-12-20", 0)
	_, err = f.s.Nominate(ctx, f.community, selection.NominationInput{RoundID: later, Name: "王五", RegionCode: "410411001001"})
	wantCode(t, "before the period", err, "selection.outside_period")
	bad := in
	bad.Name, bad.Scores = "赵六", map[int64]int{k.Criteria[0].ID: 2}
	_, err = f.s.Nominate(ctx, f.community, bad)
	wantCode(t, "a star worth two", err, "selection.score_invalid")
	self := selection.NominationInput{RoundID: round, Name: "孙七", RegionCode: "410411001001"}
	_, err = f.s.Nominate(ctx, access.Actor{}, self)
	wantCode(t, "self-declaration without a contact", err, "selection.contact_required")
	self.Contact = "13800001111"
	selfID, err := f.s.Nominate(ctx, access.Actor{}, self)
	if err != nil {
		t.Fatal(err)
	}

	// Review level by level.
	err = f.s.Review(ctx, f.office, id, "approve", "")
	wantCode(t, "office before the street", err, "selection.review_out_of_order")
	err = f.s.Review(ctx, f.street, selfID, "approve", "")
	wantCode(t, "street before the community", err, "selection.review_out_of_order")
	err = f.s.Review(ctx, f.community, id, "approve", "")
	wantCode(t, "community again", err, "selection.already_reviewed")
	err = f.s.Review(ctx, f.other, selfID, "approve", "")
	wantCode(t, "another community", err, "selection.forbidden")
	err = f.s.Review(ctx, f.community, selfID, "reject", "")
	wantCode(t, "reject without a comment", err, "selection.comment_required")
	if err := f.s.Review(ctx, f.community, selfID, "reject", "经核实不符合条件"); err != nil {
		t.Fatal(err)
	}
	err = f.s.Review(ctx, f.street, selfID, "approve", "")
	wantCode(t, "a rejected nomination", err, "selection.already_decided")
	if err := f.s.Review(ctx, f.street, id, "approve", "同意"); err != nil {
		t.Fatal(err)
	}
	err = f.s.StartPublicity(ctx, f.office, round, 5)
	wantCode(t, "publicity with none approved", err, "selection.none_approved")
	if err := f.s.Review(ctx, f.office, id, "approve", "同意"); err != nil {
		t.Fatal(err)
	}
	noms, err := f.s.Nominations(ctx, f.office, round)
	if err != nil {
		t.Fatal(err)
	}
	if len(noms) != 2 || noms[0].State != selection.NomApproved || noms[0].Score != 3 || len(noms[0].Reviews) != 3 || noms[0].Reviews[0].Comment != "recommended" {
		t.Fatalf("nominations %+v", noms)
	}

	// 公示 and its window.
	err = f.s.StartPublicity(ctx, f.street, round, 5)
	wantCode(t, "the street opens the publicity", err, "selection.forbidden")
	if err := f.s.StartPublicity(ctx, f.office, round, 5); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Nominate(ctx, f.community, selection.NominationInput{RoundID: round, Name: "周八", RegionCode: "410411001001"})
	wantCode(t, "nomination during the publicity", err, "selection.outside_period")
	r, _ := f.s.PublicRound(ctx, round)
	entries, err := f.s.PublicEntries(ctx, r)
	if err != nil || len(entries) != 1 || entries[0].PublicName() != "张*国" {
		t.Fatalf("public entries %+v %v", entries, err)
	}
	if err := f.s.Object(ctx, round, id, "该户存在违章搭建", "13700002222"); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Award(ctx, f.office, round)
	wantCode(t, "award during the publicity", err, "selection.publicity_not_over")
	f.advance(5*24*time.Hour - time.Minute)
	if err := f.s.Object(ctx, round, 0, "一分钟前仍可提出异议", ""); err != nil {
		t.Fatal(err)
	}
	f.advance(time.Minute)
	err = f.s.Object(ctx, round, 0, "公示期结束后的异议", "")
	wantCode(t, "objection after the period", err, "selection.objections_closed")
	_, err = f.s.Award(ctx, f.office, round)
	wantCode(t, "award with open objections", err, "selection.objections_open")
	objs, err := f.s.Objections(ctx, f.office, round)
	if err != nil || len(objs) != 2 || objs[0].Contact != "13700002222" {
		t.Fatalf("objections %+v %v", objs, err)
	}
	leader := servertest.Actor(t, f.app, "leader")
	if lo, _ := f.s.Objections(ctx, leader, round); len(lo) != 2 || lo[0].Contact != "137****2222" {
		t.Fatalf("the leader sees the contact %+v", lo)
	}
	for _, o := range objs {
		err = f.s.Resolve(ctx, f.office, round, o.ID, false, "")
		wantCode(t, "resolution without a reason", err, "selection.reason_required")
		if err := f.s.Resolve(ctx, f.office, round, o.ID, false, "经核实已拆除"); err != nil {
			t.Fatal(err)
		}
	}
	err = f.s.Resolve(ctx, f.office, round, objs[0].ID, false, "再次答复")
	wantCode(t, "second resolution", err, "selection.objection_resolved")
	n, err := f.s.Award(ctx, f.office, round)
	if err != nil || n != 1 {
		t.Fatalf("award: %d %v", n, err)
	}

	// The certificate's number.
	c, err := f.s.Certificate(ctx, f.office, id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Number, "2026-") {
		t.Fatalf("number %q", c.Number)
	}
	if v, err := f.s.Verify(ctx, strings.ToLower(c.Number)); err != nil || v.ID != id {
		t.Fatalf("verify %q: %+v %v", c.Number, v, err)
	}
	wrong := c.Number[:len(c.Number)-1] + string("AB"[map[bool]int{true: 1}[strings.HasSuffix(c.Number, "A")]])
	_, err = f.s.Verify(ctx, wrong)
	wantCode(t, "a wrong number", err, "selection.certificate_not_found")
	roll, err := f.s.HonourRoll(ctx, "410411001")
	if err != nil || len(roll) != 1 || roll[0].KindName != "星级文明户" {
		t.Fatalf("honour roll %+v %v", roll, err)
	}

	// Revocation, shown on the record.
	err = f.s.Revoke(ctx, f.office, id, "")
	wantCode(t, "revocation without a reason", err, "selection.reason_required")
	if err := f.s.Revoke(ctx, f.office, id, "发现弄虚作假"); err != nil {
		t.Fatal(err)
	}
	v, err := f.s.Verify(ctx, c.Number)
	if err != nil || v.State != selection.NomRevoked || v.RevokeReason != "发现弄虚作假" {
		t.Fatalf("revoked certificate %+v %v", v, err)
	}
	if roll, _ := f.s.HonourRoll(ctx, "410411"); len(roll) != 0 {
		t.Fatalf("revoked title on the honour roll %+v", roll)
	}
	err = f.s.Revoke(ctx, f.office, id, "再撤一次")
	wantCode(t, "second revocation", err, "selection.not_awarded")
}

type merchants map[int64]selection.MerchantRef

func (m merchants) Merchant(_ context.Context, id int64) (selection.MerchantRef, error) {
	if x, ok := m[id]; ok {
		return x, nil
	}
	return selection.MerchantRef{}, apperr.NotFound("merchant.not_found")
}

func TestMerchantCandidatesQuotaAndTitles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	k := f.kind(t, "honest_merchant")
	round := f.round(t, "honest_merchant", "410411", "2026-12-01", "2026-12-20", 1)
	// Without a directory (the server wires the merchants' one): by name
	// and credit code as text.
	f.s.Merchants = nil
	_, err := f.s.Nominate(ctx, f.street, selection.NominationInput{RoundID: round, MerchantID: 7, Name: "x", RegionCode: "410411001001"})
	wantCode(t, "merchant id without a directory", err, "selection.merchant_directory_off")
	text := selection.NominationInput{RoundID: round, Name: "老街烩面馆", CreditCode: "92410411MA44X1234K", RegionCode: "410411001001",
		Scores: map[int64]int{k.Criteria[0].ID: 28}}
	a, err := f.s.Nominate(ctx, f.street, text)
	if err != nil {
		t.Fatal(err)
	}
	text.Name = "老街烩面馆（分店）"
	_, err = f.s.Nominate(ctx, f.street, text)
	wantCode(t, "same credit code twice", err, "selection.duplicate_candidate")

	f.s.Merchants = merchants{7: {ID: 7, Name: "平价超市", CreditCode: "91410411MA40000001", RegionCode: "410411001002"}}
	_, err = f.s.Nominate(ctx, f.street, selection.NominationInput{RoundID: round, MerchantID: 8})
	wantCode(t, "unknown merchant", err, "selection.merchant_unknown")
	b, err := f.s.Nominate(ctx, f.street, selection.NominationInput{RoundID: round, MerchantID: 7})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{a, b} {
		if err := f.s.Review(ctx, f.office, id, "approve", ""); err != nil {
			t.Fatal(err)
		}
	}
	err = f.s.StartPublicity(ctx, f.office, round, 3)
	wantCode(t, "over the quota", err, "selection.over_quota")
	// The office cannot reject what it approved; a fresh round shows the
	// quota holding with one.
	round2 := f.round(t, "honest_merchant", "410411", "2026-12-01", "2026-12-20", 1)
	id, err := f.s.Nominate(ctx, f.street, selection.NominationInput{RoundID: round2, MerchantID: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.Review(ctx, f.office, id, "approve", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.s.StartPublicity(ctx, f.office, round2, 3); err != nil {
		t.Fatal(err)
	}
	if titles, _ := f.s.TitlesOf(ctx, selection.Merchant, 7); len(titles) != 0 {
		t.Fatalf("titles before the award %+v", titles)
	}
	f.advance(3 * 24 * time.Hour)
	if _, err := f.s.Award(ctx, f.office, round2); err != nil {
		t.Fatal(err)
	}
	titles, err := f.s.TitlesOf(ctx, selection.Merchant, 7)
	if err != nil || len(titles) != 1 || titles[0].Kind != "诚信商户" {
		t.Fatalf("titles %+v %v", titles, err)
	}
}

func TestUnitRecommendsAndSeesOnlyItsOwn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cg, err := org.UnitIDByCode(ctx, f.app.DB, "410411-cg")
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := f.app.Org.CreateUser(ctx, access.System(), org.UserInput{Username: "chengguan", DisplayName: "城管承办人", UnitID: cg,
		Roles: []access.Role{access.RoleHandler}, Password: "wenming-chengguan-2026"})
	if err != nil {
		t.Fatal(err)
	}
	dept := servertest.Actor(t, f.app, u.Username)
	round := f.round(t, "moral_model", "410411", "2026-12-01", "2026-12-20", 0)
	if _, err := f.s.Nominate(ctx, f.community, selection.NominationInput{RoundID: round, Name: "钱好人", RegionCode: "410411001001"}); err != nil {
		t.Fatal(err)
	}
	id, err := f.s.Nominate(ctx, dept, selection.NominationInput{RoundID: round, Name: "环卫工人孙师傅", RegionCode: "410411002001"})
	if err != nil {
		t.Fatal(err)
	}
	noms, err := f.s.Nominations(ctx, dept, round)
	if err != nil || len(noms) != 1 || noms[0].ID != id || noms[0].Source != "unit" || noms[0].Passed != 0 {
		t.Fatalf("the unit's view %+v %v", noms, err)
	}
	err = f.s.Review(ctx, dept, id, "approve", "")
	wantCode(t, "a unit reviews", err, "selection.forbidden")
	err = f.s.Review(ctx, f.street, id, "approve", "")
	wantCode(t, "another street reviews", err, "selection.forbidden")
}
