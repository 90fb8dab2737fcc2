// Package demo loads a real district, 平顶山市湛河区 (410411), with its
// streets and communities, a realistic set of units and one user per role,
// so that a newcomer sees a working platform at once. Loading twice keeps
// what is there.
//
// The district itself (its units, made-up people, boundaries and words)
// is defined once, in district.go and words.go, for the demo and for
// internal/synth, which grows the same district to a city's volume.
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
	// Boundaries counts the illustrative boundaries drawn: the district's,
	// its streets' and their communities'.
	Boundaries int
	Accounts   []Account
}

// Load imports the district's regions and creates the units and users that
// do not exist yet. The units are seeded in one transaction
// (org.SeedUnits): nearly every HTTP test starts with Load.
func Load(ctx context.Context, regions *region.Store, o *org.Store) (Report, error) {
	var rep Report
	var err error
	if rep.Regions, err = regions.Import(ctx, region.DemoSources()); err != nil {
		return rep, fmt.Errorf("import demo regions: %w", err)
	}
	streets, err := Streets(ctx, regions)
	if err != nil {
		return rep, err
	}
	units := append(CoreUnits(), extraUnits()...)
	units = append(units, TerritorialUnits(streets)...)
	AddContacts(units)
	ids, created, err := org.SeedUnits(ctx, o.DB, units, o.Now())
	if err != nil {
		return rep, fmt.Errorf("demo units: %w", err)
	}
	rep.Units = created
	if rep.Boundaries, err = drawBoundaries(ctx, regions.DB, streets); err != nil {
		return rep, err
	}
	sys := access.System()
	accs := accounts()
	unitIDs := make([]int64, len(accs))
	for i, acc := range accs {
		unitIDs[i] = ids[acc.unit]
		created, err := ensureUser(ctx, o, sys, org.UserInput{
			Username: acc.Username, DisplayName: acc.name, UnitID: unitIDs[i], Roles: []access.Role{acc.Role},
			Password: acc.Password, Phone: acc.phone,
		})
		if err != nil {
			return rep, fmt.Errorf("demo user %s: %w", acc.Username, err)
		}
		if created {
			rep.Users++
		}
	}
	names, err := org.UnitNames(ctx, o.DB, unitIDs)
	if err != nil {
		return rep, err
	}
	for i, acc := range accs {
		acc.Account.Unit = names[unitIDs[i]]
		rep.Accounts = append(rep.Accounts, acc.Account)
	}
	return rep, nil
}

func ensureUser(ctx context.Context, o *org.Store, sys access.Actor, in org.UserInput) (bool, error) {
	_, _, err := o.CreateUser(ctx, sys, in)
	var e *apperr.Error
	if errors.As(err, &e) && e.Code == "org.user_taken" {
		return false, nil
	}
	return err == nil, err
}

// extraUnits are the demo's units beside the district's core: sponsors,
// a property company and the public's unit, under which citizens sign up.
func extraUnits() []org.SeedUnit {
	unit := func(code, name string, kind org.UnitKind, parent string) org.SeedUnit {
		return org.SeedUnit{UnitInput: org.UnitInput{Code: code, Name: name, Kind: kind, RegionCode: District}, ParentCode: parent}
	}
	return []org.SeedUnit{
		unit("410411-cz", "湛河区财政局（包保单位）", org.KindSponsor, UnitGov),
		unit("410411-gd", "湛河供电中心（包保单位）", org.KindSponsor, ""),
		unit("410411-wy", "湛河区示范物业服务有限公司（演示）", org.KindProperty, ""),
		unit("410411-public", "湛河区市民（公众）", org.KindOther, ""),
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
