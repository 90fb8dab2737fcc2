package site

import (
	"context"
	"fmt"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/org"
)

// demoSite is one site of the demo district (平顶山市湛河区). Places are
// plausible, not surveyed: they fall inside the district's illustrative
// community boundaries, so each site finds its community and the
// community's territorial unit.
type demoSite struct {
	typ, name, address string
	lng, lat           float64
	geometry           string // GeoJSON for roads, alleys and areas; "" for a point
	dept               string // code of the line department
	sponsor            string // code of the sponsor unit, "" for none
	leader             string
}

func demoSites() []demoSite {
	line := func(pts ...[2]float64) string { return encode(GeomLineString, pts) }
	area := func(pts ...[2]float64) string {
		ring := append(pts, pts[0])
		return encode(GeomPolygon, [][][2]float64{ring})
	}
	return []demoSite{
		{typ: "practice_center", name: "湛河区新时代文明实践中心", address: "湛河区开源路与湛河北路交叉口东北角", lng: 113.3262, lat: 33.7151, dept: "410411-wl", sponsor: "410411-cz", leader: "刘副区长"},
		{typ: "practice_center", name: "马庄街道新时代文明实践所", address: "马庄街道建设路南侧", lng: 113.3085, lat: 33.7312, dept: "410411-wl"},
		{typ: "gov_hall", name: "湛河区政务服务中心", address: "湛河区姚孟大道 88 号", lng: 113.3318, lat: 33.6985, dept: "410411-scjg", sponsor: "410411-cz", leader: "王副区长"},
		{typ: "bank", name: "中国工商银行平顶山建设路支行", address: "建设路与开源路交叉口西南角", lng: 113.3201, lat: 33.7298, dept: "410411-scjg"},
		{typ: "bank", name: "平顶山农商银行湛河支行", address: "湛河北路 126 号", lng: 113.3335, lat: 33.7142, dept: "410411-scjg"},
		{typ: "window_unit", name: "湛河区不动产登记服务大厅", address: "姚孟大道与轻工路交叉口", lng: 113.3402, lat: 33.6941, dept: "410411-zj"},
		{typ: "window_unit", name: "湛河区供电营业厅", address: "开源路中段 56 号", lng: 113.3247, lat: 33.7203, dept: "410411-sw", sponsor: "410411-gd", leader: "张主任"},
		{typ: "bus_stop", name: "建设路开源路口公交站", address: "建设路与开源路交叉口东侧", lng: 113.3222, lat: 33.7306, dept: "410411-jt"},
		{typ: "bus_stop", name: "湛河北路曙光街口公交站", address: "湛河北路与曙光街交叉口", lng: 113.3051, lat: 33.7133, dept: "410411-jt"},
		{typ: "bus_stop", name: "姚孟大道轻工路口公交站", address: "姚孟大道与轻工路交叉口北侧", lng: 113.3415, lat: 33.6958, dept: "410411-jt"},
		{typ: "toilet", name: "湛河北路滨河公厕", address: "湛河北路滨河游园内", lng: 113.3168, lat: 33.7118, dept: "410411-cg"},
		{typ: "toilet", name: "开源路南段公厕", address: "开源路与南环路交叉口南 50 米", lng: 113.3259, lat: 33.7002, dept: "410411-cg"},
		{typ: "square", name: "湛河区市民广场", address: "开源路与湛河北路交叉口西侧", lng: 113.3228, lat: 33.7140, dept: "410411-cg", sponsor: "410411-cz", leader: "刘副区长",
			geometry: area([2]float64{113.3215, 33.7134}, [2]float64{113.3241, 33.7134}, [2]float64{113.3241, 33.7147}, [2]float64{113.3215, 33.7147})},
		{typ: "hotel", name: "湛河宾馆", address: "湛河北路 201 号", lng: 113.3372, lat: 33.7155, dept: "410411-wl"},
		{typ: "park", name: "湛河滨河公园", address: "湛河北岸，开源路至曙光街段", lng: 113.3130, lat: 33.7105, dept: "410411-yl", sponsor: "410411-gd", leader: "张主任",
			geometry: area([2]float64{113.3080, 33.7096}, [2]float64{113.3190, 33.7100}, [2]float64{113.3192, 33.7112}, [2]float64{113.3082, 33.7109})},
		{typ: "park", name: "九里山森林公园", address: "九里山街道南侧", lng: 113.3480, lat: 33.6712, dept: "410411-yl"},
		{typ: "community", name: "电力社区", address: "马庄街道电力小区", lng: 113.3045, lat: 33.7285, dept: "410411-mz"},
		{typ: "community", name: "姚电社区", address: "姚孟街道姚电生活区", lng: 113.3350, lat: 33.6870, dept: "410411-mz"},
		{typ: "construction_site", name: "湛河北路东段改造工程工地", address: "湛河北路与建设路连接段", lng: 113.3455, lat: 33.7168, dept: "410411-zj"},
		{typ: "scenic_spot", name: "白龟湖湿地（湛河区段）", address: "湛河区西部湖滨", lng: 113.3020, lat: 33.6905, dept: "410411-wl"},
		{typ: "school", name: "湛河区实验小学", address: "轻工路中段", lng: 113.3378, lat: 33.7032, dept: "410411-jy", sponsor: "410411-cz", leader: "王副区长"},
		{typ: "school", name: "湛河区第一中学", address: "南环路东段 18 号", lng: 113.3186, lat: 33.6988, dept: "410411-jy"},
		{typ: "mall", name: "开源路商业广场", address: "开源路与建设路交叉口东南角", lng: 113.3238, lat: 33.7276, dept: "410411-sw"},
		{typ: "hospital", name: "湛河区人民医院", address: "建设路东段 302 号", lng: 113.3412, lat: 33.7289, dept: "410411-wj", sponsor: "410411-gd", leader: "张主任"},
		{typ: "hospital", name: "湛河区妇幼保健院", address: "姚孟大道北段", lng: 113.3302, lat: 33.6921, dept: "410411-wj"},
		{typ: "culture_venue", name: "湛河区图书馆", address: "湛河北路文化街口", lng: 113.3290, lat: 33.7166, dept: "410411-wl"},
		{typ: "intersection", name: "建设路与开源路交叉口", address: "建设路与开源路交叉口", lng: 113.3213, lat: 33.7302, dept: "410411-jj"},
		{typ: "intersection", name: "姚孟大道与南环路交叉口", address: "姚孟大道与南环路交叉口", lng: 113.3323, lat: 33.7008, dept: "410411-jj"},
		{typ: "back_alley", name: "铁南街背街小巷", address: "马庄街道铁南街", lng: 113.3120, lat: 33.7255, dept: "410411-cg",
			geometry: line([2]float64{113.3102, 33.7251}, [2]float64{113.3121, 33.7255}, [2]float64{113.3140, 33.7258})},
		{typ: "back_alley", name: "光明路背街小巷", address: "九里山街道光明路", lng: 113.3440, lat: 33.6822, dept: "410411-cg",
			geometry: line([2]float64{113.3428, 33.6815}, [2]float64{113.3441, 33.6822}, [2]float64{113.3453, 33.6830})},
		{typ: "commercial_street", name: "湛河北路美食街", address: "湛河北路中段", lng: 113.3305, lat: 33.7150, dept: "410411-sw",
			geometry: line([2]float64{113.3280, 33.7147}, [2]float64{113.3305, 33.7150}, [2]float64{113.3330, 33.7152})},
		{typ: "main_road", name: "建设路（湛河区段）", address: "建设路，曙光街至东环路", lng: 113.3250, lat: 33.7305, dept: "410411-cg", sponsor: "410411-cz", leader: "刘副区长",
			geometry: line([2]float64{113.3040, 33.7300}, [2]float64{113.3150, 33.7303}, [2]float64{113.3250, 33.7305}, [2]float64{113.3380, 33.7302}, [2]float64{113.3480, 33.7298})},
		{typ: "main_road", name: "开源路（湛河区段）", address: "开源路，建设路至南环路", lng: 113.3240, lat: 33.7150, dept: "410411-cg",
			geometry: line([2]float64{113.3225, 33.7300}, [2]float64{113.3235, 33.7200}, [2]float64{113.3245, 33.7100}, [2]float64{113.3255, 33.7005})},
		{typ: "main_road", name: "姚孟大道", address: "姚孟大道，湛河南岸至姚孟电厂", lng: 113.3350, lat: 33.6900, dept: "410411-cg",
			geometry: line([2]float64{113.3310, 33.7050}, [2]float64{113.3330, 33.6950}, [2]float64{113.3360, 33.6850}, [2]float64{113.3390, 33.6760})},
		{typ: "urban_rural_fringe", name: "曹镇乡城乡结合部（平郏路沿线）", address: "曹镇乡平郏路两侧", lng: 113.3530, lat: 33.6650, dept: "410411-cg"},
		{typ: "market", name: "湛河农贸市场", address: "湛河北路与曙光街交叉口南", lng: 113.3062, lat: 33.7121, dept: "410411-scjg", sponsor: "410411-cz", leader: "王副区长"},
		{typ: "market", name: "轻工路农贸市场", address: "轻工路与姚孟大道交叉口东", lng: 113.3426, lat: 33.6975, dept: "410411-scjg"},
		{typ: "residential_compound", name: "电力小区", address: "马庄街道电力小区", lng: 113.3050, lat: 33.7278, dept: "410411-zj",
			geometry: area([2]float64{113.3038, 33.7270}, [2]float64{113.3062, 33.7270}, [2]float64{113.3062, 33.7287}, [2]float64{113.3038, 33.7287})},
		{typ: "residential_compound", name: "阳光苑小区", address: "姚孟街道阳光苑", lng: 113.3386, lat: 33.6895, dept: "410411-zj"},
		{typ: "township", name: "曹镇乡政府驻地", address: "曹镇乡集镇中心", lng: 113.3560, lat: 33.6690, dept: "410411-mz"},
		{typ: "bus", name: "2 路公交车（建设路线）", address: "平顶山公交公司湛河车队", dept: "410411-jt"},
		{typ: "taxi", name: "湛河区巡游出租车", address: "湛河区出租车服务站", dept: "410411-jt"},
	}
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
		switch {
		case d.geometry != "":
			in.Geometry = d.geometry
		case d.lng != 0:
			in.Geometry = PointGeoJSON(d.lng, d.lat)
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
