package demo

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/merchant"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/site"
)

// MerchantDeps are the stores the demo's merchants go through.
type MerchantDeps struct {
	CaseDeps
	Merchants *merchant.Store
	Sites     *site.Store
}

// MerchantReport says what LoadMerchants made.
type MerchantReport struct {
	Merchants, Signed, Cases, Linked, Rounds int
}

// The demo's shop kinds: business type and the words shop names end in.
var demoShops = []struct {
	kind  string
	names []string
}{
	{"餐饮", []string{"烩面馆", "胡辣汤", "烧烤店", "快餐店", "饺子馆", "米线店", "小吃店", "羊肉汤馆"}},
	{"零售", []string{"便利店", "超市", "烟酒店", "五金店", "文具店", "服装店", "鞋店", "手机店"}},
	{"服务", []string{"理发店", "洗衣店", "药店", "眼镜店", "照相馆", "维修部"}},
}

// The stalls of a market.
var demoStalls = []struct {
	kind  string
	names []string
}{
	{"果蔬", []string{"蔬菜摊", "水果摊", "干菜摊"}},
	{"肉禽水产", []string{"鲜肉摊", "水产摊", "禽蛋摊"}},
	{"粮油副食", []string{"粮油店", "调料摊", "豆制品摊"}},
}

var demoBrands = []string{"老王", "鑫源", "福满", "好运来", "金凤", "永兴", "惠民", "家乐", "红星", "聚福", "同心", "万家", "顺心", "和美", "德盛", "兴隆", "老李", "张记", "刘家", "豫香"}

// LoadMerchants puts a few hundred merchants along the demo district's
// commercial street (湛河北路美食街), its main roads (沿街门店) and in its two
// markets (集贸市场), with frontages drawn along the street or as radii,
// about 60% with a signed commitment; plays six months of cases at their
// frontages (门前三包 categories) through the ledger, links them, and
// confirms six months of red and black flags, one change with its reason
// among them, leaving this month's proposal to the office. It does
// nothing when merchants exist.
func LoadMerchants(ctx context.Context, d MerchantDeps, now time.Time) (MerchantReport, error) {
	var rep MerchantReport
	has, err := d.Merchants.Any(ctx)
	if err != nil || has {
		return rep, err
	}
	office, err := officeActor(ctx, d.CaseDeps)
	if err != nil {
		return rep, err
	}
	rng := rand.New(rand.NewPCG(410411, 13))
	namer := NewNamer(410411, 13)
	scans, err := commitmentScans(ctx, d.CaseDeps)
	if err != nil {
		return rep, err
	}
	sites, err := merchantSites(ctx, d.Sites)
	if err != nil {
		return rep, err
	}
	type made struct {
		id    int64
		place geo.Point
		bad   bool
	}
	var all []made
	seq := 0
	add := func(in merchant.Input) error {
		seq++
		in.Operator, in.Phone = namer.Person(), fmt.Sprintf("1390001%04d", seq)
		if rng.Float64() < 0.7 {
			first := fmt.Sprintf("92410411MA%07d", 1000000+seq)[:17]
			c, _ := pii.CreditCheckChar(first)
			in.CreditCode = first + string(c)
		}
		if rng.Float64() < 0.6 {
			in.CommitmentKey = merchant.PhotoKey(scans[seq%len(scans)])
			in.CommitmentOn = now.AddDate(0, -7, -rng.IntN(60)).Format("2006-01-02")
		}
		m, err := d.Merchants.Create(ctx, office, in)
		if err != nil {
			// A place that falls outside every drawn community is skipped.
			return nil
		}
		rep.Merchants++
		if m.Signed() {
			rep.Signed++
		}
		all = append(all, made{id: m.ID, place: geo.Point{Lng: m.Lng, Lat: m.Lat}, bad: rng.Float64() < 0.05})
		return nil
	}
	taken := map[string]bool{}
	shopName := func() (string, string) {
		for try := 0; ; try++ {
			k := demoShops[rng.IntN(len(demoShops))]
			name := demoBrands[rng.IntN(len(demoBrands))] + k.names[rng.IntN(len(k.names))]
			if try >= 20 {
				name += fmt.Sprintf("（%d 分店）", try)
			}
			if !taken[name] {
				taken[name] = true
				return name, k.kind
			}
		}
	}
	for _, s := range sites {
		switch {
		case len(s.line) >= 2:
			// Shops every 12 m along the commercial street (every 25 m
			// along a main road) on both sides, 8 m off the centre line;
			// each answers for 12 m of pavement in front of it (a line,
			// 5 m either side), or, for one in three, a radius.
			step := 25.0
			if s.commercial {
				step = 12
			}
			road, _, _ := strings.Cut(s.name, "（")
			for i, sp := range alongLine(s.line, step) {
				for k, side := range []float64{1, -1} {
					at := offset(sp.p, sp.dir, 8*side)
					name, kind := shopName()
					in := merchant.Input{Name: name, BusinessType: kind, Address: fmt.Sprintf("%s %d 号", road, 2*i+k+1), Lng: at.Lng, Lat: at.Lat}
					if s.commercial {
						in.SiteID = s.id
					}
					if rng.IntN(3) == 0 {
						in.FrontageKind, in.FrontageMeters = merchant.FrontRadius, 10
					} else {
						a, b := along(at, sp.dir, -6), along(at, sp.dir, 6)
						in.FrontageKind, in.FrontageMeters = merchant.FrontLine, 5
						in.FrontageJSON = fmt.Sprintf(`{"type":"LineString","coordinates":[[%f,%f],[%f,%f]]}`, a.Lng, a.Lat, b.Lng, b.Lat)
					}
					if rng.IntN(4) == 0 {
						in.Duties = []string{"hygiene", "order", "greening", "facilities", "appearance"} // 门前五包
					}
					if err := add(in); err != nil {
						return rep, err
					}
				}
			}
		default:
			// A market's stalls on a grid of 6 m around its point, each
			// answering for the 5 m square of its stall.
			for i := range 40 {
				e, n := float64(i%8-4)*6, float64(i/8-2)*6
				at := moveBy(s.point, e, n)
				k := demoStalls[rng.IntN(len(demoStalls))]
				name := fmt.Sprintf("%s%s（%d 号）", string([]rune(namer.Person())[:1]), k.names[rng.IntN(len(k.names))], i+1)
				sq := []geo.Point{moveBy(at, -2.5, -2.5), moveBy(at, 2.5, -2.5), moveBy(at, 2.5, 2.5), moveBy(at, -2.5, 2.5), moveBy(at, -2.5, -2.5)}
				coords := make([][2]float64, len(sq))
				for j, q := range sq {
					coords[j] = [2]float64{q.Lng, q.Lat}
				}
				poly, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": [][][2]float64{coords}})
				in := merchant.Input{Name: name, BusinessType: k.kind, Address: s.address, Lng: at.Lng, Lat: at.Lat, SiteID: s.id,
					FrontageKind: merchant.FrontPolygon, FrontageJSON: string(poly), Duties: []string{"hygiene", "order"}}
				if err := add(in); err != nil {
					return rep, err
				}
			}
		}
	}
	if len(all) == 0 {
		return rep, nil
	}

	// Six months of cases at the frontages, most at the few careless ones.
	cfg, err := d.Merchants.Config(ctx)
	if err != nil {
		return rep, err
	}
	p := &player{d: d.CaseDeps, rng: rand.New(rand.NewPCG(410411, 1313)), actors: map[int64]access.Actor{}}
	if err := p.prepare(ctx); err != nil {
		return rep, err
	}
	p.subs = slices.DeleteFunc(p.subs, func(s category.Sub) bool { return !slices.Contains(cfg.Categories, s.Code) })
	var bad []made
	for _, m := range all {
		if m.bad {
			bad = append(bad, m)
		}
	}
	p.spot = func() (problem.ReportInput, string) {
		m := all[rng.IntN(len(all))]
		if len(bad) > 0 && rng.Float64() < 0.8 {
			m = bad[rng.IntN(len(bad))]
		}
		at := moveBy(m.place, rng.Float64()*4-2, rng.Float64()*4-2)
		return problem.ReportInput{Lng: at.Lng, Lat: at.Lat, HasPlace: true}, "商户门前"
	}
	realNow := d.Problems.Now
	defer func() { d.Problems.Now = realNow }()
	const days, n = 183, 300
	start := now.AddDate(0, 0, -days)
	for i := range n {
		day := start.Add(time.Duration(p.rng.IntN(days)) * 24 * time.Hour)
		at := time.Date(day.Year(), day.Month(), day.Day(), 8+p.rng.IntN(10), p.rng.IntN(60), 0, 0, day.Location())
		if at.After(now) {
			continue
		}
		if err := p.play(ctx, at, now); err != nil {
			return rep, fmt.Errorf("demo merchant case %d: %w", i+1, err)
		}
		rep.Cases++
	}
	d.Problems.Now = realNow
	link, err := d.Merchants.Backfill(ctx)
	if err != nil {
		return rep, err
	}
	rep.Linked = link.Linked

	// Six months of flags, confirmed; the office moved one red flag, with
	// its reason, three months ago.
	month := merchant.Month(now)
	for k := 6; k >= 1; k-- {
		mo := month
		for range k {
			mo = merchant.PrevMonth(mo)
		}
		groups, err := d.Merchants.ProposeAll(ctx, District, mo)
		if err != nil {
			return rep, err
		}
		keys := make([]merchant.GroupKey, 0, len(groups))
		for g := range groups {
			keys = append(keys, g)
		}
		slices.SortFunc(keys, func(a, b merchant.GroupKey) int {
			return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Code, b.Code))
		})
		for i, g := range keys {
			if k == 3 && i == 0 {
				scores := groups[g]
				for j := len(scores) - 1; j >= 0; j-- {
					if scores[j].Proposed == "" && scores[j].Signed {
						err := d.Merchants.ChangeFlag(ctx, office, mo, g, merchant.ChangeInput{MerchantID: scores[j].MerchantID, Kind: merchant.Red,
							Reason: "该户主动清扫门前、劝导占道经营，群众来信表扬，经复核增授红旗"})
						if err != nil {
							return rep, err
						}
						break
					}
				}
			}
			if err := d.Merchants.Confirm(ctx, office, mo, g); err != nil {
				return rep, fmt.Errorf("demo flags %s %s: %w", mo, g, err)
			}
			rep.Rounds++
		}
	}
	return rep, nil
}

func officeActor(ctx context.Context, d CaseDeps) (access.Actor, error) {
	c, err := d.Org.FindCredentials(ctx, "office")
	if err != nil {
		return access.Actor{}, fmt.Errorf("demo user office: %w", err)
	}
	a, _, err := d.Org.Actor(ctx, c.UserID)
	return a, err
}

// demoMerchantSite is a site merchants line up along or gather in.
type demoMerchantSite struct {
	id         int64
	name       string
	address    string
	line       []geo.Point
	point      geo.Point
	commercial bool // a 商业大街 (merchants belong to it); a main road's shops belong to their street
}

func merchantSites(ctx context.Context, st *site.Store) ([]demoMerchantSite, error) {
	var out []demoMerchantSite
	for _, t := range []string{"commercial_street", "main_road", "market"} {
		err := st.Each(ctx, access.System(), site.Filter{Type: t, State: "active"}, func(x site.Site) error {
			if !x.HasPlace {
				return nil
			}
			s := demoMerchantSite{id: x.ID, name: x.Name, address: x.Address, point: geo.Point{Lng: x.Lng, Lat: x.Lat}, commercial: t != "main_road"}
			if x.GeometryType == site.GeomLineString {
				var g struct {
					Coordinates [][2]float64 `json:"coordinates"`
				}
				if err := json.Unmarshal([]byte(x.Geometry), &g); err == nil {
					for _, c := range g.Coordinates {
						s.line = append(s.line, geo.Point{Lng: c[0], Lat: c[1]})
					}
				}
			}
			if t != "market" && len(s.line) < 2 {
				return nil
			}
			out = append(out, s)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

type linePoint struct {
	p   geo.Point
	dir [2]float64 // unit vector along the line, in metres east and north
}

// alongLine is a point every step metres along the line, with the
// line's direction there.
func alongLine(line []geo.Point, step float64) []linePoint {
	var out []linePoint
	carry := step / 2
	for i := 1; i < len(line); i++ {
		a, b := line[i-1], line[i]
		kx := 111195 * math.Cos(a.Lat*math.Pi/180)
		dx, dy := (b.Lng-a.Lng)*kx, (b.Lat-a.Lat)*111195
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		dir := [2]float64{dx / l, dy / l}
		for d := carry; d < l; d += step {
			out = append(out, linePoint{p: moveBy(a, dir[0]*d, dir[1]*d), dir: dir})
			carry = d + step - l
		}
	}
	return out
}

func moveBy(p geo.Point, east, north float64) geo.Point {
	return geo.Point{Lng: p.Lng + east/(111195*math.Cos(p.Lat*math.Pi/180)), Lat: p.Lat + north/111195}
}

// offset moves p m metres to the left of the direction (negative: right).
func offset(p geo.Point, dir [2]float64, m float64) geo.Point { return moveBy(p, -dir[1]*m, dir[0]*m) }

// along moves p m metres along the direction.
func along(p geo.Point, dir [2]float64, m float64) geo.Point { return moveBy(p, dir[0]*m, dir[1]*m) }

// commitmentScans draws a few "scans" of a signed 门前三包责任书: a sheet of
// paper with lines of text and a red seal.
func commitmentScans(ctx context.Context, d CaseDeps) ([]string, error) {
	var out []string
	for seed := range 4 {
		img := image.NewRGBA(image.Rect(0, 0, 420, 594))
		for y := 0; y < 594; y++ {
			for x := 0; x < 420; x++ {
				c := color.RGBA{250, 248, 240, 255}
				if y > 60 && y < 480 && (y-60)%24 < 3 && x > 40 && x < 380-(y*7+seed*13)%90 {
					c = color.RGBA{70, 70, 80, 255}
				}
				if dx, dy := float64(x-320), float64(y-520); math.Hypot(dx, dy) < 38 && math.Hypot(dx, dy) > 32 {
					c = color.RGBA{200, 30, 30, 255}
				}
				img.Set(x, y, c)
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
			return nil, err
		}
		ph, err := d.Media.Ingest(ctx, &buf, fmt.Sprintf("责任书-%d.jpg", seed+1))
		if err != nil {
			return nil, err
		}
		out = append(out, ph.Hash)
	}
	return out, nil
}
