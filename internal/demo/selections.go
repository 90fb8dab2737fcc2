package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/holder"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/selection"
	"github.com/wenming-civic/wenming/internal/site"
)

// SelectionDeps are what LoadSelections writes through.
type SelectionDeps struct {
	Selections *selection.Store
	Holders    *holder.Store
	Org        *org.Store
	Regions    *region.Store
	Sites      *site.Store
}

// SelectionReport says what LoadSelections made.
type SelectionReport struct {
	Rounds, Nominations, Awarded, Holders int
}

// creditCode completes a 17-character base with its GB 32100 check
// character.
func creditCode(base string) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, c := range base {
		sum += strings.IndexRune(chars, c) * weights[i]
	}
	return base + string(chars[(31-sum%31)%31])
}

// LoadSelections gives the demo a 星级文明户 round in 公示 (households
// recommended by 电力社区 and by the office, reviewed level by level, one
// rejected by the street, one self-declaration waiting), an awarded
// 诚信商户 round of last quarter with its honour roll (merchants by name
// and credit code), and street chiefs of the road sites, a river chief of
// a drawn section and area leaders of streets and communities. It does
// nothing when a round exists.
func LoadSelections(ctx context.Context, d SelectionDeps, now time.Time) (SelectionReport, error) {
	var rep SelectionReport
	sys := access.System()
	if rounds, err := d.Selections.Rounds(ctx, sys); err != nil || len(rounds) > 0 {
		return rep, err
	}
	office, err := demoActor(ctx, d.Org, "office")
	if err != nil {
		return rep, err
	}
	street, err := demoActor(ctx, d.Org, "handler")
	if err != nil {
		return rep, err
	}
	community, err := demoActor(ctx, d.Org, "shequ")
	if err != nil {
		return rep, err
	}
	streets, err := Streets(ctx, d.Regions)
	if err != nil {
		return rep, err
	}

	// The 星级文明户 round, in 公示 now.
	star, err := d.Selections.KindByCode(ctx, "star_household")
	if err != nil {
		return rep, err
	}
	day := func(t time.Time) string { return t.In(selection.Loc()).Format("2006-01-02") }
	r1, err := d.Selections.CreateRound(ctx, office, selection.RoundInput{KindID: star.ID, PeriodLabel: fmt.Sprintf("%d年度", now.Year()),
		RegionCode: District, OpensOn: day(now.AddDate(0, 0, -20)), ClosesOn: day(now.AddDate(0, 0, 10))})
	if err != nil {
		return rep, err
	}
	rep.Rounds++
	starsOf := func(n int) map[int64]int {
		m := map[int64]int{}
		for i := 0; i < n && i < len(star.Criteria); i++ {
			m[star.Criteria[i].ID] = 1
		}
		return m
	}
	families := []string{"张建国", "李秀兰", "王德福", "刘桂芝", "陈志强", "杨淑珍", "赵永红", "黄丽华", "周明亮", "吴凤英"}
	for i, name := range families {
		in := selection.NominationInput{RoundID: r1, Name: name, Contact: fmt.Sprintf("1390000%04d", 2100+i), Scores: starsOf(5 - i%3),
			Deeds: "家庭和睦，孝老爱亲，积极参与社区志愿服务和文明创建。"}
		by, reviewers := community, []access.Actor{street, office}
		if i < 5 {
			in.RegionCode, in.Address = "410411001001", fmt.Sprintf("电力社区%d号楼", 1+i)
		} else {
			st := streets[i%len(streets)]
			in.RegionCode, in.Address = st.Communities[0].Code, st.Communities[0].Name+fmt.Sprintf("%d号院", i)
			by, reviewers = office, []access.Actor{office}
		}
		id, err := d.Selections.Nominate(ctx, by, in)
		if err != nil {
			return rep, fmt.Errorf("demo nomination %s: %w", name, err)
		}
		rep.Nominations++
		if i == 4 {
			if err := d.Selections.Review(ctx, street, id, "reject", "该户门前三包落实不到位，暂不推荐"); err != nil {
				return rep, err
			}
			continue
		}
		for _, a := range reviewers {
			if err := d.Selections.Review(ctx, a, id, "approve", "同意"); err != nil {
				return rep, fmt.Errorf("demo review: %w", err)
			}
		}
	}
	if _, err := d.Selections.Nominate(ctx, access.Actor{}, selection.NominationInput{RoundID: r1, Name: "孙桂英", RegionCode: "410411001001",
		Address: "电力社区8号楼", Contact: "13900002199", Scores: starsOf(3), Deeds: "自主申报：热心邻里互助。"}); err != nil {
		return rep, err
	}
	rep.Nominations++
	if err := d.Selections.StartPublicity(ctx, office, r1, 7); err != nil {
		return rep, err
	}
	if err := d.Selections.Object(ctx, r1, 0, "建议公示名单同时公布各户获评星级的具体事迹。", "13700001234"); err != nil {
		return rep, err
	}

	// The 诚信商户 round of last quarter, awarded, on a clock in the past.
	past := *d.Selections
	clock := now.AddDate(0, -3, 0)
	past.Now = func() time.Time { return clock }
	honest, err := past.KindByCode(ctx, "honest_merchant")
	if err != nil {
		return rep, err
	}
	r2, err := past.CreateRound(ctx, office, selection.RoundInput{KindID: honest.ID, PeriodLabel: fmt.Sprintf("%d年第%d季度", clock.Year(), (int(clock.Month())+2)/3),
		RegionCode: District, OpensOn: day(clock), ClosesOn: day(clock.AddDate(0, 0, 15))})
	if err != nil {
		return rep, err
	}
	rep.Rounds++
	shops := []string{"老街烩面馆", "平价惠民超市", "湛河鲜果行", "福寿堂大药房", "诚信五金店", "好邻居便利店", "建设路粮油店", "美食街李记烧烤", "开源路眼镜店"}
	for i, name := range shops {
		pts := map[int64]int{}
		for j, c := range honest.Criteria {
			pts[c.ID] = c.Points - (i+j)%4
		}
		st := streets[i%len(streets)]
		in := selection.NominationInput{RoundID: r2, Name: name, CreditCode: creditCode(fmt.Sprintf("92410411MA4%06d", 31000+i*7)),
			RegionCode: "410411001001", Address: "马庄街道" + name, Scores: pts, Deeds: "明码标价，诚信经营，全年无投诉。"}
		by := street
		if i >= 5 { // the other streets' shops, recommended by the office
			in.RegionCode, in.Address, by = st.Communities[0].Code, st.Name+name, office
		}
		id, err := past.Nominate(ctx, by, in)
		if err != nil {
			return rep, fmt.Errorf("demo merchant %s: %w", name, err)
		}
		rep.Nominations++
		if err := past.Review(ctx, office, id, "approve", "同意"); err != nil {
			return rep, err
		}
	}
	if err := past.StartPublicity(ctx, office, r2, 7); err != nil {
		return rep, err
	}
	clock = clock.AddDate(0, 0, 8)
	n, err := past.Award(ctx, office, r2)
	if err != nil {
		return rep, err
	}
	rep.Awarded = n

	// Responsibility holders: a street chief for each road site, a river
	// chief of a drawn section, area leaders of streets and communities.
	sites, _, err := d.Sites.List(ctx, sys, site.Filter{Region: District, Limit: 200})
	if err != nil {
		return rep, err
	}
	termFrom, termTo := fmt.Sprintf("%d-01-01", now.Year()-1), fmt.Sprintf("%d-12-31", now.Year()+1)
	chiefs := 0
	var river string
	for _, x := range sites {
		if x.TypeCode == "commercial_street" && river == "" && x.GeometryType == "LineString" {
			river = x.Geometry
		}
		road := false
		for _, t := range holder.RoadTypes() {
			road = road || x.TypeCode == t
		}
		if !road || chiefs >= 6 {
			continue
		}
		chiefs++
		unit := x.TerritorialUnitID
		if unit == 0 {
			unit = office.UnitID
		}
		uid, err := demoUser(ctx, d.Org, fmt.Sprintf("jiezhang%02d", chiefs), fmt.Sprintf("%s街长", x.Name), unit, fmt.Sprintf("1390000%04d", 3000+chiefs))
		if err != nil {
			return rep, err
		}
		if _, err := d.Holders.Create(ctx, office, holder.Input{UserID: uid, Kind: holder.StreetChief, Title: strings.TrimSuffix(x.Name, "（湛河区段）") + "街长",
			TermFrom: termFrom, TermTo: termTo, Sites: []int64{x.ID}}); err != nil {
			return rep, fmt.Errorf("demo street chief: %w", err)
		}
		rep.Holders++
	}
	leader, err := demoActor(ctx, d.Org, "leader")
	if err != nil {
		return rep, err
	}
	if river != "" {
		uid, err := demoUser(ctx, d.Org, "hezhang01", "湛河河长", leader.UnitID, "13900003101")
		if err != nil {
			return rep, err
		}
		if _, err := d.Holders.Create(ctx, office, holder.Input{UserID: uid, Kind: holder.RiverChief, Title: "湛河（湛河北路段）河长",
			TermFrom: termFrom, TermTo: termTo, Lines: []holder.LineInput{{Name: "湛河湛河北路段", GeoJSON: river, BufferM: 80}}}); err != nil {
			return rep, fmt.Errorf("demo river chief: %w", err)
		}
		rep.Holders++
	}
	for i, st := range streets {
		if i >= 4 {
			break
		}
		uid := leader.UserID
		if i > 0 {
			if uid, err = demoUser(ctx, d.Org, fmt.Sprintf("baopian%02d", i), st.Name+"联点领导", leader.UnitID, fmt.Sprintf("1390000%04d", 3200+i)); err != nil {
				return rep, err
			}
		}
		in := holder.Input{UserID: uid, Kind: holder.AreaLeader, Title: st.Name + "联点包片", TermFrom: termFrom, TermTo: termTo, Regions: []string{st.Code}}
		if i == 0 {
			in.Regions = append(in.Regions, "410411002")
			in.Title = "马庄、南环路街道联点包片"
		}
		if _, err := d.Holders.Create(ctx, office, in); err != nil {
			return rep, fmt.Errorf("demo area leader: %w", err)
		}
		rep.Holders++
	}
	return rep, nil
}

// demoUser creates (or finds) a leader account for a holder.
func demoUser(ctx context.Context, o *org.Store, username, name string, unitID int64, phone string) (int64, error) {
	if c, err := o.FindCredentials(ctx, username); err == nil {
		return c.UserID, nil
	}
	u, _, err := o.CreateUser(ctx, access.System(), org.UserInput{Username: username, DisplayName: name, UnitID: unitID,
		Roles: []access.Role{access.RoleLeader}, Password: "wenming-" + username + "-2026", Phone: phone})
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code == "org.user_taken" {
			c, err := o.FindCredentials(ctx, username)
			return c.UserID, err
		}
		return 0, fmt.Errorf("demo holder user %s: %w", username, err)
	}
	return u.ID, nil
}
