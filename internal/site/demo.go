package site

import (
	"context"
	"fmt"
	"math"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// demoSite is one site of the demo district (平顶山市湛河区). Its place is
// not surveyed: it is put inside the illustrative boundary of the
// community its name and address belong to (demo.DrawLayout), at an
// offset in metres from a point inside that community, so the site, its
// community and its street always agree.
type demoSite struct {
	typ, name, address string
	community          string     // region code of the community it lies in; "" for no place
	at                 [2]float64 // east and north of the community's inside point, in metres
	line, area         [][2]float64
	dept               string // code of the line department
	sponsor            string // code of the sponsor unit, "" for none
	leader             string
}

func demoSites() []demoSite {
	pts := func(p ...[2]float64) [][2]float64 { return p }
	box := func(w, h float64) [][2]float64 {
		return pts([2]float64{-w, -h}, [2]float64{w, -h}, [2]float64{w, h}, [2]float64{-w, h})
	}
	const (
		dianli   = "410411001001" // 马庄街道电力社区
		pinggao  = "410411001002" // 马庄街道平高社区
		yanhe    = "410411001003" // 马庄街道沿河路社区
		manan    = "410411001004" // 马庄街道马南社区
		huaxi    = "410411001005" // 马庄街道华西社区
		tienan   = "410411001007" // 马庄街道铁南社区
		jianxing = "410411002001" // 南环路街道建兴社区
		gongjiao = "410411002002" // 南环路街道公交社区
		gongyuan = "410411002003" // 南环路街道公园社区
		chezhan  = "410411002004" // 南环路街道车站社区
		guangdon = "410411002005" // 南环路街道光东社区
		hebin    = "410411002006" // 南环路街道河滨社区
		dongfeng = "410411002007" // 南环路街道东风社区
		chengz   = "410411002008" // 南环路街道程庄社区
		longteng = "410411002009" // 南环路街道龙腾社区
		yaodian  = "410411003001" // 姚孟街道姚电社区
		yangguan = "410411003002" // 姚孟街道阳光苑社区
		mingdu   = "410411003003" // 姚孟街道名都社区
		yaomeng  = "410411003202" // 姚孟街道姚孟村
		shannan  = "410411004001" // 九里山街道山南社区
		guangmin = "410411004005" // 九里山街道光明社区
		zhannan  = "410411005001" // 轻工路街道湛南社区
		qinyuan  = "410411005002" // 轻工路街道沁园社区
		gongxue  = "410411005003" // 轻工路街道工学院社区
		beidu    = "410411007201" // 北渡街道北渡村
		caobei   = "410411200201" // 曹镇乡曹北村
	)
	return []demoSite{
		{typ: "practice_center", name: "湛河区新时代文明实践中心", address: "南环路街道开源路与湛河北路交叉口东北角", community: gongyuan, at: [2]float64{150, 120}, dept: "410411-wl", sponsor: "410411-cz", leader: "刘副区长"},
		{typ: "practice_center", name: "马庄街道新时代文明实践所", address: "马庄街道建设路南侧", community: pinggao, dept: "410411-wl"},
		{typ: "gov_hall", name: "湛河区政务服务中心", address: "姚孟街道姚孟大道 88 号", community: mingdu, dept: "410411-scjg", sponsor: "410411-cz", leader: "王副区长"},
		{typ: "bank", name: "中国工商银行平顶山建设路支行", address: "马庄街道建设路与开源路交叉口西南角", community: huaxi, at: [2]float64{-160, -120}, dept: "410411-scjg"},
		{typ: "bank", name: "平顶山农商银行湛河支行", address: "南环路街道湛河北路 126 号", community: hebin, at: [2]float64{200, 150}, dept: "410411-scjg"},
		{typ: "window_unit", name: "湛河区不动产登记服务大厅", address: "轻工路街道姚孟大道与轻工路交叉口", community: zhannan, dept: "410411-zj"},
		{typ: "window_unit", name: "湛河区供电营业厅", address: "南环路街道开源路中段 56 号", community: chezhan, at: [2]float64{-150, 200}, dept: "410411-sw", sponsor: "410411-gd", leader: "张主任"},
		{typ: "bus_stop", name: "建设路开源路口公交站", address: "马庄街道建设路与开源路交叉口东侧", community: huaxi, at: [2]float64{60, 20}, dept: "410411-jt"},
		{typ: "bus_stop", name: "湛河北路曙光街口公交站", address: "南环路街道湛河北路与曙光街交叉口", community: guangdon, at: [2]float64{-200, 160}, dept: "410411-jt"},
		{typ: "bus_stop", name: "姚孟大道轻工路口公交站", address: "轻工路街道姚孟大道与轻工路交叉口北侧", community: zhannan, at: [2]float64{40, 80}, dept: "410411-jt"},
		{typ: "toilet", name: "湛河北路滨河公厕", address: "南环路街道湛河北路滨河游园内", community: gongyuan, at: [2]float64{-220, -160}, dept: "410411-cg"},
		{typ: "toilet", name: "开源路南段公厕", address: "南环路街道开源路与南环路交叉口南 50 米", community: chengz, dept: "410411-cg"},
		{typ: "square", name: "湛河区市民广场", address: "南环路街道开源路与湛河北路交叉口西侧", community: gongyuan, area: box(120, 70), dept: "410411-cg", sponsor: "410411-cz", leader: "刘副区长"},
		{typ: "hotel", name: "湛河宾馆", address: "南环路街道湛河北路 201 号", community: dongfeng, dept: "410411-wl"},
		{typ: "park", name: "湛河滨河公园", address: "南环路街道湛河北岸，开源路至曙光街段", community: hebin, area: pts([2]float64{-450, -60}, [2]float64{450, -40}, [2]float64{460, 70}, [2]float64{-440, 50}), dept: "410411-yl", sponsor: "410411-gd", leader: "张主任"},
		{typ: "park", name: "九里山森林公园", address: "九里山街道南侧", community: shannan, dept: "410411-yl"},
		{typ: "community", name: "电力社区", address: "马庄街道电力小区", community: dianli, at: [2]float64{-150, 100}, dept: "410411-mz"},
		{typ: "community", name: "姚电社区", address: "姚孟街道姚电生活区", community: yaodian, dept: "410411-mz"},
		{typ: "construction_site", name: "湛河北路东段改造工程工地", address: "南环路街道湛河北路与建设路连接段", community: longteng, dept: "410411-zj"},
		{typ: "scenic_spot", name: "白龟湖湿地（湛河区段）", address: "北渡街道白龟湖湖滨", community: beidu, dept: "410411-wl"},
		{typ: "school", name: "湛河区实验小学", address: "轻工路街道轻工路中段", community: qinyuan, dept: "410411-jy", sponsor: "410411-cz", leader: "王副区长"},
		{typ: "school", name: "湛河区第一中学", address: "南环路街道南环路东段 18 号", community: jianxing, dept: "410411-jy"},
		{typ: "mall", name: "开源路商业广场", address: "马庄街道开源路与建设路交叉口东南角", community: huaxi, at: [2]float64{150, -140}, dept: "410411-sw"},
		{typ: "hospital", name: "湛河区人民医院", address: "马庄街道建设路东段 302 号", community: manan, dept: "410411-wj", sponsor: "410411-gd", leader: "张主任"},
		{typ: "hospital", name: "湛河区妇幼保健院", address: "姚孟街道姚孟大道北段", community: mingdu, at: [2]float64{200, 180}, dept: "410411-wj"},
		{typ: "culture_venue", name: "湛河区图书馆", address: "南环路街道湛河北路文化街口", community: gongjiao, dept: "410411-wl"},
		{typ: "intersection", name: "建设路与开源路交叉口", address: "马庄街道建设路与开源路交叉口", community: huaxi, at: [2]float64{0, 0}, dept: "410411-jj"},
		{typ: "intersection", name: "姚孟大道与南环路交叉口", address: "姚孟街道姚孟大道与南环路交叉口", community: mingdu, at: [2]float64{-180, -150}, dept: "410411-jj"},
		{typ: "back_alley", name: "铁南街背街小巷", address: "马庄街道铁南街", community: tienan, line: pts([2]float64{-180, -40}, [2]float64{0, 0}, [2]float64{180, 30}), dept: "410411-cg"},
		{typ: "back_alley", name: "光明路背街小巷", address: "九里山街道光明路", community: guangmin, line: pts([2]float64{-120, -70}, [2]float64{0, 0}, [2]float64{115, 80}), dept: "410411-cg"},
		{typ: "commercial_street", name: "湛河北路美食街", address: "南环路街道湛河北路中段", community: guangdon, at: [2]float64{150, -100}, line: pts([2]float64{-230, -30}, [2]float64{0, 0}, [2]float64{230, 20}), dept: "410411-sw"},
		{typ: "main_road", name: "建设路（湛河区段）", address: "马庄街道建设路，曙光街至东环路", community: yanhe, line: pts([2]float64{-500, -5}, [2]float64{-250, 0}, [2]float64{0, 0}, [2]float64{250, -3}, [2]float64{500, -8}), dept: "410411-cg", sponsor: "410411-cz", leader: "刘副区长"},
		{typ: "main_road", name: "开源路（湛河区段）", address: "南环路街道开源路，湛河北路至南环路", community: chezhan, line: pts([2]float64{10, -450}, [2]float64{0, -150}, [2]float64{-5, 150}, [2]float64{-15, 450}), dept: "410411-cg"},
		{typ: "main_road", name: "姚孟大道", address: "姚孟街道姚孟大道，湛河南岸至姚孟电厂", community: yaomeng, line: pts([2]float64{-40, 450}, [2]float64{-10, 150}, [2]float64{20, -150}, [2]float64{50, -450}), dept: "410411-cg"},
		{typ: "urban_rural_fringe", name: "曹镇乡城乡结合部（平郏路沿线）", address: "曹镇乡平郏路两侧", community: caobei, at: [2]float64{-200, 150}, dept: "410411-cg"},
		{typ: "market", name: "湛河农贸市场", address: "南环路街道湛河北路与曙光街交叉口南", community: guangdon, at: [2]float64{-180, -160}, dept: "410411-scjg", sponsor: "410411-cz", leader: "王副区长"},
		{typ: "market", name: "轻工路农贸市场", address: "轻工路街道轻工路与姚孟大道交叉口东", community: gongxue, dept: "410411-scjg"},
		{typ: "residential_compound", name: "电力小区", address: "马庄街道电力小区", community: dianli, at: [2]float64{100, -80}, area: box(110, 90), dept: "410411-zj"},
		{typ: "residential_compound", name: "阳光苑小区", address: "姚孟街道阳光苑", community: yangguan, dept: "410411-zj"},
		{typ: "township", name: "曹镇乡政府驻地", address: "曹镇乡集镇中心", community: caobei, at: [2]float64{150, -120}, dept: "410411-mz"},
		{typ: "bus", name: "2 路公交车（建设路线）", address: "平顶山公交公司湛河车队", dept: "410411-jt"},
		{typ: "taxi", name: "湛河区巡游出租车", address: "湛河区出租车服务站", dept: "410411-jt"},
	}
}

// place puts a demo site inside its community's outline: its point at the
// offset from the outline's inside point, its line or area around that
// point. An offset that would leave the community is halved until it does
// not, so the site never lands in a neighbour.
func (d demoSite) place(shape geo.MultiPolygon) (string, bool) {
	in, ok := geo.InteriorPoint(shape)
	if !ok {
		return "", false
	}
	move := func(p geo.Point, east, north float64) geo.Point {
		return geo.Point{Lng: p.Lng + east/(111_320*math.Cos(p.Lat*math.Pi/180)), Lat: p.Lat + north/111_320}
	}
	offsets := append([][2]float64{{0, 0}}, d.line...)
	offsets = append(offsets, d.area...)
	for scale := 1.0; scale > 0.01; scale /= 2 {
		at := move(in, d.at[0]*scale, d.at[1]*scale)
		pts := make([][2]float64, 0, len(offsets))
		inside := true
		for _, o := range offsets {
			p := move(at, o[0]*scale, o[1]*scale)
			if !shape.Contains(p) {
				inside = false
				break
			}
			pts = append(pts, [2]float64{p.Lng, p.Lat})
		}
		if !inside {
			continue
		}
		switch {
		case len(d.line) > 0:
			return encode(GeomLineString, pts[1:]), true
		case len(d.area) > 0:
			ring := append(pts[1:], pts[1])
			return encode(GeomPolygon, [][][2]float64{ring}), true
		}
		return PointGeoJSON(at.Lng, at.Lat), true
	}
	return PointGeoJSON(in.Lng, in.Lat), true
}

// indexLocator adapts a spatial index to Locator, for callers without the
// server's cached one.
type indexLocator struct{ ix *geo.Index }

func (l indexLocator) Locate(_ context.Context, lng, lat float64) (string, bool, error) {
	code, ok := l.ix.Locate(geo.Point{Lng: lng, Lat: lat})
	return code, ok, nil
}

// DemoSites creates the demo district's sites — about forty, of most
// built-in types, with codes S410411-0001 upwards — each linked to the
// territorial unit of its community and to its line department, some with
// a sponsor unit and leader. It expects the demo district, its units
// (demo.Load) and the built-in site types; a site whose type or
// department is missing is left out. Sites whose code exists are kept as
// they are, so running it again changes nothing. It returns how many sites
// it created.
func DemoSites(ctx context.Context, st *Store) (int, error) {
	loc := st.Locator
	if loc == nil {
		ix, err := geo.LoadIndex(ctx, st.DB)
		if err != nil {
			return 0, err
		}
		loc = indexLocator{ix}
	}
	withLoc := *st
	withLoc.Locator = loc
	sys := access.System()
	unitID := func(code string) (int64, error) {
		if code == "" {
			return 0, nil
		}
		return org.UnitIDByCode(ctx, st.DB, code)
	}
	shapes, err := communityShapes(ctx, st.DB)
	if err != nil {
		return 0, err
	}
	var types = map[string]bool{}
	list, err := st.Types(ctx, false)
	if err != nil {
		return 0, err
	}
	for _, t := range list {
		types[t.Code] = true
	}
	made := 0
	for i, d := range demoSites() {
		code := fmt.Sprintf("S410411-%04d", i+1)
		var n int
		if err := st.DB.QueryRow(ctx, "SELECT COUNT(*) FROM site WHERE code = ?", code).Scan(&n); err != nil {
			return made, fmt.Errorf("demo site %s: %w", code, err)
		}
		if n > 0 || !types[d.typ] {
			continue
		}
		dept, err := unitID(d.dept)
		if err != nil {
			return made, err
		}
		sponsor, err := unitID(d.sponsor)
		if err != nil {
			return made, err
		}
		in := Input{Code: code, Name: d.name, TypeCode: d.typ, Address: d.address, DepartmentUnitID: dept,
			SponsorUnitID: sponsor, SponsorLeader: d.leader, RegionCode: "410411"}
		if d.community != "" {
			in.RegionCode = d.community
			if shape, ok := shapes[d.community]; ok {
				in.Geometry, _ = d.place(shape)
			}
		}
		in.HeadName, in.HeadPhone, in.LiaisonName, in.LiaisonPhone = demoContact(i)
		if _, err := withLoc.Create(ctx, sys, in); err != nil {
			return made, fmt.Errorf("demo site %s %s: %w", code, d.name, err)
		}
		made++
	}
	return made, nil
}

// demoContact makes up a head and a liaison with numbers in a range no
// real subscriber uses in the demo.
func demoContact(i int) (string, string, string, string) {
	surnames := []rune("陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐")
	given := []string{"文明", "建华", "丽萍", "国强", "秀兰", "志刚", "海燕", "春生", "玉梅", "新民"}
	head := string(surnames[i%len(surnames)]) + given[i%len(given)]
	liaison := string(surnames[(i*7+5)%len(surnames)]) + given[(i*3+2)%len(given)]
	return head, fmt.Sprintf("1370000%04d", i+1), liaison, fmt.Sprintf("1360000%04d", i+1)
}

// communityShapes reads the stored community outlines the demo sites are
// placed in.
func communityShapes(ctx context.Context, c db.Conn) (map[string]geo.MultiPolygon, error) {
	list, err := region.Boundaries(ctx, c)
	if err != nil {
		return nil, err
	}
	out := map[string]geo.MultiPolygon{}
	for _, b := range list {
		if b.Level != region.Community {
			continue
		}
		if mp, err := geo.ParseGeoJSON([]byte(b.GeoJSON)); err == nil {
			out[b.Code] = mp
		}
	}
	return out, nil
}
