// Package demo loads a real district, 平顶山市湛河区 (410411), with its
// streets and communities, a realistic set of units and one user per role,
// so that a newcomer sees a working platform at once. Loading twice keeps
// what is there.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// District is the demo district's code.
const District = "410411"

// Account is a demo user's sign-in, printed for the newcomer.
type Account struct {
	Role     access.Role
	Username string
	Password string
	Unit     string
}

// Report says what Load did.
type Report struct {
	Regions region.ImportReport
	Units   int // created this time
	Users   int // created this time
	// Boundaries counts the illustrative community boundaries drawn.
	Boundaries int
	Accounts   []Account
}

// Load imports the district's regions and creates the units and users that
// do not exist yet.
func Load(ctx context.Context, regions *region.Store, o *org.Store) (Report, error) {
	var rep Report
	var err error
	if rep.Regions, err = regions.Import(ctx, region.DemoSources()); err != nil {
		return rep, fmt.Errorf("import demo regions: %w", err)
	}
	sys := access.System()
	ids := map[string]int64{}
	add := func(in org.UnitInput, parentCode string) error {
		in.ParentID = ids[parentCode]
		id, created, err := ensureUnit(ctx, o, sys, in)
		if err != nil {
			return fmt.Errorf("demo unit %s: %w", in.Name, err)
		}
		ids[in.Code] = id
		if created {
			rep.Units++
		}
		return nil
	}
	contact := newContacts()
	for _, u := range fixedUnits() {
		u.in.HeadName, u.in.HeadPhone, u.in.LiaisonName, u.in.LiaisonPhone = contact()
		if err := add(u.in, u.parent); err != nil {
			return rep, err
		}
	}
	streets, _, err := regions.Children(ctx, District, 0, 1000)
	if err != nil {
		return rep, err
	}
	var allCommunities []region.Region
	for _, st := range streets {
		in := org.UnitInput{Code: st.Code, Name: officeName(st), Kind: org.KindTerritorial, RegionCode: st.Code}
		in.HeadName, in.HeadPhone, in.LiaisonName, in.LiaisonPhone = contact()
		if err := add(in, "410411-gov"); err != nil {
			return rep, err
		}
		communities, _, err := regions.Children(ctx, st.Code, 0, 1000)
		if err != nil {
			return rep, err
		}
		allCommunities = append(allCommunities, communities...)
		for _, c := range communities {
			in := org.UnitInput{Code: c.Code, Name: c.Name, Kind: org.KindTerritorial, RegionCode: c.Code}
			in.HeadName, in.HeadPhone, in.LiaisonName, in.LiaisonPhone = contact()
			if err := add(in, st.Code); err != nil {
				return rep, err
			}
		}
	}
	if rep.Boundaries, err = drawBoundaries(ctx, regions.DB, allCommunities); err != nil {
		return rep, err
	}
	for _, acc := range accounts() {
		unitCode := acc.unit
		created, err := ensureUser(ctx, o, sys, org.UserInput{
			Username: acc.Username, DisplayName: acc.name, UnitID: ids[unitCode], Roles: []access.Role{acc.Role},
			Password: acc.Password, Phone: acc.phone,
		})
		if err != nil {
			return rep, fmt.Errorf("demo user %s: %w", acc.Username, err)
		}
		if created {
			rep.Users++
		}
		unit, err := o.GetUnit(ctx, sys, ids[unitCode])
		if err != nil {
			return rep, err
		}
		acc.Account.Unit = unit.Name
		rep.Accounts = append(rep.Accounts, acc.Account)
	}
	return rep, nil
}

// officeName turns a street or township into the name of its government.
func officeName(st region.Region) string {
	if r := []rune(st.Name); len(r) > 0 && (r[len(r)-1] == '乡' || r[len(r)-1] == '镇') {
		return st.Name + "人民政府"
	}
	return st.Name + "办事处"
}

func ensureUnit(ctx context.Context, o *org.Store, sys access.Actor, in org.UnitInput) (int64, bool, error) {
	existing, _, err := o.ListUnits(ctx, sys, org.UnitFilter{Query: in.Code, Limit: 50})
	if err != nil {
		return 0, false, err
	}
	for _, u := range existing {
		if u.Code == in.Code {
			return u.ID, false, nil
		}
	}
	u, err := o.CreateUnit(ctx, sys, in)
	if err != nil {
		return 0, false, err
	}
	return u.ID, true, nil
}

func ensureUser(ctx context.Context, o *org.Store, sys access.Actor, in org.UserInput) (bool, error) {
	_, _, err := o.CreateUser(ctx, sys, in)
	var e *apperr.Error
	if errors.As(err, &e) && e.Code == "org.user_taken" {
		return false, nil
	}
	return err == nil, err
}

type fixedUnit struct {
	in     org.UnitInput
	parent string
}

func fixedUnits() []fixedUnit {
	dept := func(code, name, line string) fixedUnit {
		return fixedUnit{org.UnitInput{Code: code, Name: name, Kind: org.KindDepartment, Line: line, RegionCode: District}, "410411-gov"}
	}
	return []fixedUnit{
		{org.UnitInput{Code: "4104-office", Name: "平顶山市文明办（市创文办）", Kind: org.KindOffice, RegionCode: "4104"}, ""},
		{org.UnitInput{Code: "410411-gov", Name: "湛河区人民政府", Kind: org.KindOther, RegionCode: District}, ""},
		{org.UnitInput{Code: "410411-office", Name: "湛河区文明办（区创文办）", Kind: org.KindOffice, RegionCode: District}, "4104-office"},
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
		{org.UnitInput{Code: "410411-cz", Name: "湛河区财政局（包保单位）", Kind: org.KindSponsor, RegionCode: District}, "410411-gov"},
		{org.UnitInput{Code: "410411-gd", Name: "湛河供电中心（包保单位）", Kind: org.KindSponsor, RegionCode: District}, ""},
		{org.UnitInput{Code: "410411-wy", Name: "湛河区示范物业服务有限公司（演示）", Kind: org.KindProperty, RegionCode: District}, ""},
		{org.UnitInput{Code: "410411-public", Name: "湛河区市民（公众）", Kind: org.KindOther, RegionCode: District}, ""},
	}
}

type account struct {
	Account
	name, unit, phone string
}

// accounts are the demo users, one per role, with fixed demo passwords.
func accounts() []account {
	a := func(role access.Role, name, unit, phone string) account {
		user := string(role)
		return account{Account: Account{Role: role, Username: user, Password: "wenming-" + user + "-2026"}, name: name, unit: unit, phone: phone}
	}
	return []account{
		a(access.RoleAdmin, "系统管理员", "410411-office", ""),
		a(access.RoleOffice, "王创文", "410411-office", "13900000001"),
		a(access.RoleLeader, "李区长", "410411-gov", "13900000002"),
		a(access.RoleHandler, "赵承办", "410411001", "13900000003"),
		{Account: Account{Role: access.RoleHandler, Username: "shequ", Password: "wenming-shequ-2026"}, name: "钱社区", unit: "410411001001", phone: "13900000007"},
		a(access.RoleInspector, "孙督导", "410411-office", "13900000004"),
		a(access.RoleVolunteer, "周志愿", "410411001001", "13900000005"),
		a(access.RoleCitizen, "吴市民", "410411-public", "13900000006"),
	}
}

// newContacts hands out made-up heads and liaisons with numbers in a range
// no real subscriber uses in the demo.
func newContacts() func() (string, string, string, string) {
	surnames := []rune("张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗")
	given := []string{"建国", "红梅", "志强", "秀英", "海涛", "丽娟", "国庆", "晓燕", "卫东", "春华"}
	n := 0
	return func() (string, string, string, string) {
		n++
		head := string(surnames[n%len(surnames)]) + given[n%len(given)]
		liaison := string(surnames[(n*7+3)%len(surnames)]) + given[(n*3+1)%len(given)]
		return head, fmt.Sprintf("1380000%04d", n), liaison, fmt.Sprintf("1390000%04d", n+100)
	}
}
