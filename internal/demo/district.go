package demo

// The district both generators build: the demo (Load, a few hundred cases
// played through the real stores) and internal/synth (the same district at
// a city's scale, written in bulk). What they share is here, so that the
// synthetic city is the demo grown, not a second copy of it.

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// District is the demo district's code.
const District = "410411"

// Center is roughly the middle of 湛河区 (WGS-84), where the generated
// boundaries are drawn.
func Center() geo.Point { return geo.Point{Lng: 113.33, Lat: 33.70} }

// Street is a street or township of the district with its communities.
type Street struct {
	region.Region
	Communities []region.Region
}

// Streets reads the district's streets and their communities, in code
// order. The regions must have been imported (region.DemoSources).
func Streets(ctx context.Context, rs *region.Store) ([]Street, error) {
	streets, _, err := rs.Children(ctx, District, 0, region.MaxLimit)
	if err != nil {
		return nil, fmt.Errorf("streets of %s: %w", District, err)
	}
	out := make([]Street, len(streets))
	for i, st := range streets {
		cs, _, err := rs.Children(ctx, st.Code, 0, region.MaxLimit)
		if err != nil {
			return nil, fmt.Errorf("communities of %s: %w", st.Code, err)
		}
		out[i] = Street{Region: st, Communities: cs}
	}
	return out, nil
}

// The codes of the units others hang from.
const (
	UnitCityOffice = "4104-office"
	UnitGov        = "410411-gov"
	UnitOffice     = "410411-office"
)

// CoreUnits are the units every generated district has: the city's and
// the district's offices (创文办), the district government and a
// department for each line of org.Lines but "other".
func CoreUnits() []org.SeedUnit {
	unit := func(code, name string, kind org.UnitKind, region, parent string) org.SeedUnit {
		return org.SeedUnit{UnitInput: org.UnitInput{Code: code, Name: name, Kind: kind, RegionCode: region}, ParentCode: parent}
	}
	dept := func(code, name, line string) org.SeedUnit {
		u := unit(code, name, org.KindDepartment, District, UnitGov)
		u.Line = line
		return u
	}
	return []org.SeedUnit{
		unit(UnitCityOffice, "平顶山市文明办（市创文办）", org.KindOffice, "4104", ""),
		unit(UnitGov, "湛河区人民政府", org.KindOther, District, ""),
		unit(UnitOffice, "湛河区文明办（区创文办）", org.KindOffice, District, UnitCityOffice),
		dept("410411-cg", "湛河区城市管理局", "urban_management"),
		dept("410411-scjg", "湛河区市场监督管理局", "market_regulation"),
		dept("410411-jj", "平顶山市公安局交通管理支队湛河大队", "traffic_police"),
		dept("410411-ga", "平顶山市公安局湛河分局", "public_security"),
		dept("410411-zj", "湛河区住房和城乡建设局", "housing"),
		dept("410411-yl", "湛河区园林绿化中心", "landscaping"),
		dept("410411-jy", "湛河区教育局", "education"),
		dept("410411-wj", "湛河区卫生健康委员会", "health"),
		dept("410411-jt", "湛河区交通运输局", "transport"),
		dept("410411-sthj", "平顶山市生态环境局湛河分局", "ecology"),
		dept("410411-wl", "湛河区文化广电和旅游局", "culture_tourism"),
		dept("410411-sw", "湛河区商务局", "commerce"),
		dept("410411-mz", "湛河区民政局", "civil_affairs"),
		dept("410411-sl", "湛河区水利局", "water"),
	}
}

// TerritorialUnits are the territorial units of the streets: each street's
// office (or township government) under the district government, followed
// by its communities' committees. Their codes are their regions'.
func TerritorialUnits(streets []Street) []org.SeedUnit {
	var out []org.SeedUnit
	for _, st := range streets {
		out = append(out, org.SeedUnit{UnitInput: org.UnitInput{Code: st.Code, Name: OfficeName(st.Name),
			Kind: org.KindTerritorial, RegionCode: st.Code}, ParentCode: UnitGov})
		for _, c := range st.Communities {
			out = append(out, org.SeedUnit{UnitInput: org.UnitInput{Code: c.Code, Name: c.Name,
				Kind: org.KindTerritorial, RegionCode: c.Code}, ParentCode: st.Code})
		}
	}
	return out
}

// OfficeName turns a street or township into the name of its government.
func OfficeName(street string) string {
	if r := []rune(street); len(r) > 0 && (r[len(r)-1] == '乡' || r[len(r)-1] == '镇') {
		return street + "人民政府"
	}
	return street + "办事处"
}

// AddContacts gives the units made-up heads and liaisons, in list order,
// with numbers in a range no real subscriber uses in the demo.
func AddContacts(units []org.SeedUnit) {
	sur, given := Surnames(), GivenNames()
	for i := range units {
		n := i + 1
		u := &units[i].UnitInput
		u.HeadName = sur[n%len(sur)] + given[n%len(given)]
		u.LiaisonName = sur[(n*7+3)%len(sur)] + given[(n*3+1)%len(given)]
		u.HeadPhone, u.LiaisonPhone = fmt.Sprintf("1380000%04d", n%10000), fmt.Sprintf("1390000%04d", (n+100)%10000)
	}
}

// Surnames are common Chinese surnames, for made-up people.
func Surnames() []string {
	return []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗",
		"梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕"}
}

// GivenNames are common given names, for made-up people.
func GivenNames() []string {
	return []string{"建国", "红梅", "志强", "秀英", "海涛", "丽娟", "国庆", "晓燕", "卫东", "春华", "伟", "芳", "娜", "敏", "静",
		"磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "振华", "玉兰", "文博", "思远"}
}

// Namer makes up people's names, deterministically from a seed and a
// stream.
type Namer struct {
	rng            *rand.Rand
	surname, given []string
}

// NewNamer returns a Namer drawing from its own random stream.
func NewNamer(seed int64, stream uint64) *Namer {
	return &Namer{rng: rand.New(rand.NewPCG(uint64(seed), stream)), surname: Surnames(), given: GivenNames()}
}

// Person is a made-up full name.
func (n *Namer) Person() string {
	return n.surname[n.rng.IntN(len(n.surname))] + n.given[n.rng.IntN(len(n.given))]
}

// BoundaryJSON writes a GeoJSON MultiPolygon with every coordinate in full
// precision, so that the stored boundary is exactly the generated one and
// a point generated inside it is located inside it.
func BoundaryJSON(mp geo.MultiPolygon) string { return string(geo.MultiPolygonJSON(mp, -1)) }
