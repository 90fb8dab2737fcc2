package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// VolunteerDeps are what LoadVolunteers writes through.
type VolunteerDeps struct {
	Volunteers *volunteer.Store
	Org        *org.Store
	Regions    *region.Store
}

// VolunteerReport says what LoadVolunteers made.
type VolunteerReport struct {
	Stations, Teams, Volunteers, Activities int
}

// DemoID is a valid-form ID number of the demo's test range: province 99
// does not exist, so none of them can be a real person's. Different seqs
// (below five million) give different numbers whatever the birth dates.
func DemoID(seq int, birth time.Time, male bool) string {
	n := seq % 500 * 2
	if male {
		n++
	}
	first := fmt.Sprintf("99%04d%s%03d", seq/500%10000, birth.Format("20060102"), n)
	c, _ := pii.CheckDigit(first)
	return first + string(c)
}

var teamKinds = []string{"党员先锋", "文明交通", "文明劝导", "敬老助残", "理论宣讲", "文化惠民", "清洁家园", "支部联建"}

var teamNames = []string{"党员先锋", "支部联建", "紫荆树", "管得宽", "红马甲", "银发先锋", "青春志愿", "巾帼", "好邻居", "文明交通"}

var activityTitles = map[string][]string{
	"clean":    {"志愿服务星期六·清洁家园", "背街小巷环境整治", "小区楼道清理"},
	"traffic":  {"文明交通劝导", "斑马线礼让劝导", "校园周边交通护学"},
	"persuade": {"文明劝导·不文明行为随手拍", "公园文明游园劝导", "农贸市场文明劝导"},
	"elderly":  {"敬老院探访", "独居老人帮扶", "助残义诊"},
	"lecture":  {"党的创新理论宣讲", "社会主义核心价值观宣讲", "文明城市创建知识宣讲"},
	"culture":  {"广场文化惠民演出", "社区书屋读书会", "非遗进社区"},
}

// LoadVolunteers gives the demo district its civilization-practice
// stations (the district centre, ten street 所, a 站 in every community),
// 30 teams, about 2,000 volunteers, a year of activities with check-ins
// and confirmed hours — with historical hours from the national platform,
// so that every star level is present — a few certificates and an open
// publicity. It runs once: a district with volunteer data is left alone.
func LoadVolunteers(ctx context.Context, d VolunteerDeps, now time.Time) (VolunteerReport, error) {
	var rep VolunteerReport
	s := d.Volunteers
	if has, err := s.HasData(ctx); err != nil || has {
		return rep, err
	}
	if !s.HasKey() {
		return rep, fmt.Errorf("demo volunteers: %w", pii.ErrNoKey)
	}
	officeCred, err := d.Org.FindCredentials(ctx, "office")
	if err != nil {
		return rep, err
	}
	office, _, err := d.Org.Actor(ctx, officeCred.UserID)
	if err != nil {
		return rep, err
	}
	leaderCred, err := d.Org.FindCredentials(ctx, "shequ")
	if err != nil {
		return rep, err
	}
	volCred, err := d.Org.FindCredentials(ctx, "volunteer")
	if err != nil {
		return rep, err
	}
	sys := access.System()
	realNow := s.Now
	defer func() { s.Now = realNow }()
	clock := now
	s.Now = func() time.Time { return clock }

	streets, err := Streets(ctx, d.Regions)
	if err != nil {
		return rep, err
	}
	place := func(r region.Region, i int) geo.Point {
		if r.Boundary != "" {
			if mp, err := geo.ParseGeoJSON([]byte(r.Boundary)); err == nil {
				b := mp.BBox()
				return geo.Point{Lng: (b.MinLng + b.MaxLng) / 2, Lat: (b.MinLat + b.MaxLat) / 2}
			}
		}
		c := Center()
		return geo.Point{Lng: c.Lng + float64(i%7)*0.004, Lat: c.Lat + float64(i%5)*0.003}
	}
	// Stations.
	centre := Center()
	centreID, err := s.CreateStation(ctx, sys, volunteer.StationInput{Name: "湛河区新时代文明实践中心", Level: volunteer.LevelDistrict,
		RegionCode: District, Address: "湛河区人民政府东侧", Lng: centre.Lng, Lat: centre.Lat, HasPlace: true})
	if err != nil {
		return rep, err
	}
	rep.Stations++
	type stationRef struct {
		id     int64
		region region.Region
		street int
	}
	var streetStations, communityStations []stationRef
	named := map[string]bool{}
	for i, st := range streets {
		p := place(st.Region, i)
		id, err := s.CreateStation(ctx, sys, volunteer.StationInput{Name: st.Name + "新时代文明实践所", Level: volunteer.LevelStreet,
			RegionCode: st.Code, Address: st.Name + "办事处", Lng: p.Lng, Lat: p.Lat, HasPlace: true})
		if err != nil {
			return rep, err
		}
		streetStations = append(streetStations, stationRef{id, st.Region, i})
		rep.Stations++
		for j, c := range st.Communities {
			p := place(c, j)
			unit, _ := org.UnitIDByCode(ctx, d.Org.DB, c.Code)
			name := c.Name + "新时代文明实践站"
			if named[name] { // two villages of one name in different streets
				name = st.Name + name
			}
			named[name] = true
			id, err := s.CreateStation(ctx, sys, volunteer.StationInput{Name: name, Level: volunteer.LevelCommunity,
				RegionCode: c.Code, UnitID: unit, Address: c.Name + "党群服务中心", Lng: p.Lng, Lat: p.Lat, HasPlace: true})
			if err != nil {
				return rep, err
			}
			communityStations = append(communityStations, stationRef{id, c, i})
			rep.Stations++
		}
	}
	_ = centreID
	// 30 teams: one per street 所, and 20 at community stations; the
	// demo's community handler (shequ) leads the first community's team.
	type teamRef struct {
		id     int64
		region string
		place  geo.Point
		st     int64
	}
	var teams []teamRef
	for i := range 30 {
		var ref stationRef
		if i < len(streetStations) {
			ref = streetStations[i]
		} else {
			ref = communityStations[(i-len(streetStations))*len(communityStations)/20]
		}
		if i == 10 {
			ref = communityStations[0]
		}
		name := fmt.Sprintf("%s%s志愿服务队", ref.region.Name, teamNames[i%len(teamNames)])
		if named[name] {
			name = fmt.Sprintf("%s%s第%d志愿服务队", ref.region.Name, teamNames[i%len(teamNames)], i+1)
		}
		named[name] = true
		in := volunteer.TeamInput{Name: name,
			Kind: teamKinds[i%len(teamKinds)], StationID: ref.id, RegionCode: ref.region.Code}
		if i == 10 {
			in.LeaderID = leaderCred.UserID
		}
		id, err := s.CreateTeam(ctx, sys, in)
		if err != nil {
			return rep, err
		}
		teams = append(teams, teamRef{id, ref.region.Code, place(ref.region, i), ref.id})
		rep.Teams++
	}
	// About 2,000 volunteers over the communities; a few dozen with
	// history from the national platform, enough for every star level.
	rng := rand.New(rand.NewPCG(2026, 12))
	namer := NewNamer(2026, 12)
	var communities []region.Region
	for _, st := range streets {
		communities = append(communities, st.Communities...)
	}
	history := []int64{1620, 1510, 1180, 1020, 760, 640, 420, 330, 310, 180, 140, 120, 105}
	vols := make([]volunteer.SeedVolunteer, 0, 2000)
	for i := range 2000 {
		birth := time.Date(1950+rng.IntN(55), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		c := communities[i%len(communities)]
		team := teams[i%len(teams)]
		v := volunteer.SeedVolunteer{Input: volunteer.Input{Name: namer.Person(), IDNumber: DemoID(i, birth, rng.IntN(2) == 0),
			Phone: fmt.Sprintf("139%08d", 10000000+i), RegionCode: c.Code, Skills: []string{"", "急救", "摄影", "书法", "法律咨询", "心理疏导", "驾驶"}[rng.IntN(7)],
			Political: []string{"群众", "中共党员", "共青团员", "群众"}[rng.IntN(4)], JoinedOn: now.AddDate(-rng.IntN(6), -rng.IntN(12), 0).Format("2006-01-02")},
			Teams: []int64{team.id}}
		if i%97 == 5 {
			v.Teams = append(v.Teams, teams[(i+7)%len(teams)].id) // some are in two teams
		}
		if i < len(history) {
			v.HistoryMinutes = history[i] * 60
		}
		if i == 0 {
			v.Name, v.UserID, v.Teams, v.HistoryMinutes = "周志愿", volCred.UserID, []int64{teams[10].id}, 86*60
			v.Phone, v.RegionCode = "13900000005", communities[0].Code
		}
		vols = append(vols, v)
	}
	ids, err := s.SeedVolunteers(ctx, sys, vols)
	if err != nil {
		return rep, err
	}
	rep.Volunteers = len(ids)
	byTeam := map[int64][]int64{}
	for i, v := range vols {
		for _, t := range v.Teams {
			byTeam[t] = append(byTeam[t], ids[i])
		}
	}
	// A year of activities: every team every other Saturday morning (志愿
	// 服务星期六), 8 to 16 of its members checked in; the last ones coming.
	kinds := []string{"clean", "traffic", "persuade", "elderly", "lecture", "culture"}
	loc := volunteer.Loc()
	day := now.In(loc)
	saturday := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, loc)
	for saturday.Weekday() != time.Saturday {
		saturday = saturday.AddDate(0, 0, -1)
	}
	var acts []volunteer.SeedActivity
	for w := 52; w >= -2; w-- {
		start := saturday.AddDate(0, 0, -7*w)
		for ti, t := range teams {
			if (w+ti)%2 != 0 {
				continue
			}
			kind := kinds[(2*ti+w+52)%len(kinds)]
			titles := activityTitles[kind]
			st := start.Add(time.Duration(ti%3) * time.Hour)
			x := volunteer.SeedActivity{ActivityInput: volunteer.ActivityInput{Title: titles[(w+52)%len(titles)], Kind: kind, TeamID: t.id,
				StationID: t.st, RegionCode: t.region, Address: "实践站门前集合", Lng: t.place.Lng, Lat: t.place.Lat, RadiusM: 300,
				StartsAt: st, EndsAt: st.Add(2 * time.Hour), Quota: 20}, Confirm: st.Add(3 * time.Hour).Before(now)}
			past := x.Confirm
			if ti == 10 && w == 2 {
				x.Confirm = false // the leader's (shequ) last activity waits for its hours to be confirmed
			}
			if past {
				members := byTeam[t.id]
				n := min(len(members), 8+rng.IntN(9))
				for _, k := range rng.Perm(len(members))[:n] {
					at := volunteer.SeedAttendee{VolunteerID: members[k]}
					if rng.IntN(10) > 0 { // most check in with the code; some are recorded by hand
						in := st.Add(time.Duration(rng.IntN(20)-10) * time.Minute)
						at.CheckinAt, at.CheckoutAt = in, st.Add(2*time.Hour+time.Duration(rng.IntN(20)-15)*time.Minute)
						at.Lng, at.Lat = t.place.Lng+(rng.Float64()-0.5)*0.002, t.place.Lat+(rng.Float64()-0.5)*0.002
					}
					x.Attendees = append(x.Attendees, at)
				}
			} else if ti == 10 {
				x.Attendees = []volunteer.SeedAttendee{{VolunteerID: ids[0]}} // 周志愿 signed up for the next one
				x.Attendees[0].CheckinAt = time.Time{}
			}
			acts = append(acts, x)
		}
	}
	if err := s.SeedActivities(ctx, sys, acts); err != nil {
		return rep, err
	}
	rep.Activities = len(acts)
	// Three people signed up on the public form for the leader's team.
	for i, name := range []string{"陈热心", "林晓雨", "黄志强"} {
		birth := time.Date(1995+i, time.Month(3+i), 10+i, 0, 0, 0, 0, time.UTC)
		if _, err := s.SignUp(ctx, volunteer.Input{Name: name, IDNumber: DemoID(2000+i, birth, i != 1), Phone: fmt.Sprintf("1370000000%d", i),
			TeamID: teams[10].id, Skills: "摄影"}); err != nil {
			return rep, fmt.Errorf("demo sign-up: %w", err)
		}
	}
	// A few certificates, applied for and issued by the office; one
	// waiting to be accepted.
	year := now.In(loc).Format("2006")
	for i, vid := range ids[:5] {
		cid, err := s.Apply(ctx, office, vid, now.AddDate(-1, 0, 1).In(loc).Format("2006-01-02"), now.In(loc).Format("2006-01-02"))
		if err != nil {
			return rep, err
		}
		if i == 4 {
			continue
		}
		if err := s.DecideCertificate(ctx, office, cid, "accept"); err != nil {
			return rep, fmt.Errorf("demo certificate: %w", err)
		}
		if err := s.DecideCertificate(ctx, office, cid, "issue"); err != nil && !noHours(err) {
			return rep, fmt.Errorf("demo certificate: %w", err)
		}
	}
	// The stars of the top two are confirmed; an open publicity lists the
	// quarter's new levels and outstanding volunteers.
	for _, vid := range ids[1:3] {
		v, err := s.Get(ctx, office, vid)
		if err != nil {
			return rep, err
		}
		for level := 1; level <= v.Star; level++ {
			if err := s.ConfirmStar(ctx, office, vid, level, volunteer.CertCity); err != nil {
				return rep, fmt.Errorf("demo star: %w", err)
			}
		}
	}
	if _, err := s.CreatePublicity(ctx, office, volunteer.PublicityInput{Title: year + " 年星级志愿者和优秀志愿者公示",
		PeriodFrom: now.AddDate(0, -3, 0).In(loc).Format("2006-01-02"), PeriodTo: now.In(loc).Format("2006-01-02"), Days: 7, Top: 10}); err != nil {
		return rep, err
	}
	return rep, nil
}

// noHours reports whether err refuses a certificate for a period without
// hours (a demo volunteer who served only before it).
func noHours(err error) bool {
	var e *apperr.Error
	return errors.As(err, &e) && e.Code == "volunteer.certificate_no_hours"
}
