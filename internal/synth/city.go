package synth

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/routing"
)

// city is everything the case generator draws from: places, units, people,
// categories and the routing of each category at each community.
type city struct {
	db   *db.DB
	opts Options
	cal  *calendar.Calendar

	district []demo.Street
	streets  []street
	comms    []community
	grids    []grid
	gridCum  []float64 // cumulative grid weights, for weighted choice
	index    *geo.Index

	cats   []cat
	catCum []float64

	unitIDs      map[string]int64 // by unit code
	passwordHash string           // of Password, shared by every account
	handlerOf    map[int64]int64  // unit id → its handler's user id
	office       []int64          // users of the district office who file and dispatch
	inspectors   []int64
	reporters    []int64 // signed-in users who report through 随手拍

	routes [][]route // by category index, then community index

	timeline timeline
	states   chooser[problem.State]
	sources  chooser[problem.Source]
	phrases  [][]string // by category index
}

type street struct {
	code, name string
}

type community struct {
	code, name string
	street     int // index into city.streets
}

type grid struct {
	code  string
	comm  int // index into city.comms
	shape geo.MultiPolygon
	box   geo.BBox
}

type cat struct {
	id          int64
	code, name  string
	limitAmount int
	limitUnit   calendar.Unit
	owner       string
	weight      float64
}

// route is where a case of one category at one community goes: the unit
// routing decides, and the unit the office picks by hand when that unit
// returns the case.
type route struct {
	unit, handler       int64
	note                string // stored route note, "by|detail"
	noteJSON            string // the note as a JSON string, for event data
	unitJSON, altJSON   string // the units' names as JSON strings
	altUnit, altHandler int64
}

// synthHasher is deliberately cheap: the accounts are synthetic.
func synthHasher() password.Params { return password.Params{Memory: 64, Time: 1, Threads: 1} }

// loadRegions imports the demo district (idempotent) and reads its streets
// and communities.
func (c *city) loadRegions(ctx context.Context) error {
	rs := &region.Store{DB: c.db}
	if _, err := rs.Import(ctx, region.DemoSources()); err != nil {
		return fmt.Errorf("import demo regions: %w", err)
	}
	var err error
	if c.district, err = demo.Streets(ctx, rs); err != nil {
		return err
	}
	for si, st := range c.district {
		c.streets = append(c.streets, street{code: st.Code, name: st.Name})
		for _, cm := range st.Communities {
			c.comms = append(c.comms, community{code: cm.Code, name: cm.Name, street: si})
		}
	}
	if len(c.comms) == 0 {
		return fmt.Errorf("district %s has no communities", District)
	}
	c.opts.progress(StageRegions, len(c.streets)+len(c.comms), len(c.streets)+len(c.comms))
	return nil
}

// maxGridsPerCommunity: grid codes have three digits after the community's.
const maxGridsPerCommunity = 999

// makeGrids draws the grids: geo.SyntheticGrids cells of about 140 m,
// consecutive (so spatially close) cells under the same community.
func (c *city) makeGrids(ctx context.Context, rep *Report) error {
	n, nc := c.opts.Grids, len(c.comms)
	if n > nc*maxGridsPerCommunity {
		return fmt.Errorf("%d grids do not fit in %d communities (at most %d each)", n, nc, maxGridsPerCommunity)
	}
	// 0.2° holds 20,000 cells of about 140 m; keep that size at any count.
	span := 0.2 * math.Sqrt(float64(n)/20000)
	cells := geo.SyntheticGrids(c.opts.Seed, n, demo.Center(), span)
	rng := rand.New(rand.NewPCG(uint64(c.opts.Seed), streamGrids))
	c.grids = make([]grid, n)
	c.gridCum = make([]float64, n)
	areas := make([]geo.Area, n)
	serial := make([]int, nc)
	sum := 0.0
	for i, cell := range cells {
		ci := i * nc / n
		serial[ci]++
		g := grid{code: fmt.Sprintf("%s%03d", c.comms[ci].code, serial[ci]), comm: ci, shape: cell.Shape, box: cell.Shape.BBox()}
		c.grids[i] = g
		areas[i] = geo.Area{Code: g.code, Level: int(region.Grid), Shape: g.shape}
		// Problems cluster: a few busy grids (markets, schools, old
		// estates) report many times more than quiet ones.
		sum += math.Exp(0.9 * rng.NormFloat64())
		c.gridCum[i] = sum
	}
	c.index = geo.NewIndex(areas)

	const chunk = 2000
	for from := 0; from < n; from += chunk {
		to := min(n, from+chunk)
		rows := make([]region.SeedGrid, 0, to-from)
		for i := from; i < to; i++ {
			g := c.grids[i]
			serialNo, _ := strconv.Atoi(g.code[len(g.code)-3:])
			rows = append(rows, region.SeedGrid{Code: g.code, Name: fmt.Sprintf("%s第%d网格", shortCommunity(c.comms[g.comm].name), serialNo),
				Community: c.comms[g.comm].code, Boundary: demo.BoundaryJSON(g.shape),
				MinLng: g.box.MinLng, MinLat: g.box.MinLat, MaxLng: g.box.MaxLng, MaxLat: g.box.MaxLat})
		}
		if err := region.SeedGrids(ctx, c.db, rows, c.opts.End); err != nil {
			return err
		}
		c.opts.progress(StageGrids, to, n)
	}
	rep.Grids = n
	return nil
}

// shortCommunity drops the committee suffix: 电力社区居民委员会 → 电力社区.
func shortCommunity(name string) string {
	for _, suffix := range []string{"居民委员会", "村民委员会", "委员会"} {
		if s, ok := strings.CutSuffix(name, suffix); ok {
			return s
		}
	}
	return name
}

// structuralUnits are the units every generated city has: the demo
// district's core and territorial units, with the codes and names the demo
// uses (so demo.Load finds them and adds nothing).
func (c *city) structuralUnits() []org.SeedUnit {
	return append(demo.CoreUnits(), demo.TerritorialUnits(c.district)...)
}

// extraUnits tops the units up to n with sponsor units (包保单位), property
// companies and grid workstations, none of which routing picks by default.
func (c *city) extraUnits(n int) []org.SeedUnit {
	if n <= 0 {
		return nil
	}
	unit := func(code, name string, kind org.UnitKind, parent, region string) org.SeedUnit {
		return org.SeedUnit{UnitInput: org.UnitInput{Code: code, Name: name, Kind: kind, RegionCode: region}, ParentCode: parent}
	}
	rng := rand.New(rand.NewPCG(uint64(c.opts.Seed), streamUnits))
	bureaus, brands := sponsorBureaus(), propertyBrands()
	stations := min(n*3/10, len(c.grids))
	sponsors := (n - stations) * 4 / 7
	props := n - stations - sponsors
	out := make([]org.SeedUnit, 0, n)
	for i := range sponsors {
		cm := c.comms[i%len(c.comms)]
		b := bureaus[(i/len(c.comms)+i)%len(bureaus)]
		out = append(out, unit(fmt.Sprintf("synth-sp-%04d", i+1), b+"（包保"+shortCommunity(cm.name)+"）",
			org.KindSponsor, demo.UnitGov, cm.code))
	}
	for i := range props {
		cm := c.comms[rng.IntN(len(c.comms))]
		out = append(out, unit(fmt.Sprintf("synth-pm-%04d", i+1),
			"平顶山市"+brands[rng.IntN(len(brands))]+"物业服务有限公司"+shortCommunity(cm.name)+"项目部",
			org.KindProperty, "", cm.code))
	}
	// Workstations in grids spread evenly over the district.
	for i := range stations {
		g := c.grids[i*len(c.grids)/stations]
		serialNo, _ := strconv.Atoi(g.code[len(g.code)-3:])
		cm := c.comms[g.comm]
		out = append(out, unit("synth-gw-"+g.code, fmt.Sprintf("%s第%d网格工作站", shortCommunity(cm.name), serialNo),
			org.KindOther, cm.code, g.code))
	}
	return out
}

// makeOrg creates the units and the people who act in the cases.
func (c *city) makeOrg(ctx context.Context, rep *Report) error {
	units := c.structuralUnits()
	units = append(units, c.extraUnits(c.opts.Units-len(units))...)
	demo.AddContacts(units)
	var err error
	if c.unitIDs, _, err = org.SeedUnits(ctx, c.db, units, c.opts.End); err != nil {
		return err
	}
	if rep.Units, err = org.CountUnits(ctx, c.db); err != nil {
		return err
	}
	c.opts.progress(StageUnits, len(units), len(units))

	inspectors := min(40, max(5, c.opts.Units/25))
	users := []userRow{
		{UserAdmin, "系统管理员（合成）", demo.UnitOffice, access.RoleAdmin},
		{UserOffice, "王创文", demo.UnitOffice, access.RoleOffice},
		{"synth-office-2", "李文明", demo.UnitOffice, access.RoleOffice},
		{"synth-office-3", "张督办", demo.UnitOffice, access.RoleOffice},
		{UserLeader, "赵区长", demo.UnitGov, access.RoleLeader},
	}
	names := demo.NewNamer(c.opts.Seed, streamUsers)
	for i := range inspectors {
		users = append(users, userRow{fmt.Sprintf("synth-insp-%02d", i+1), names.Person(), demo.UnitOffice, access.RoleInspector})
	}
	for _, u := range units {
		if u.Kind == org.KindDepartment || u.Kind == org.KindTerritorial {
			users = append(users, userRow{handlerName(u.Code), names.Person(), u.Code, access.RoleHandler})
		}
	}
	ids, err := c.insertUsers(ctx, users)
	if err != nil {
		return err
	}
	rep.Users = len(users)
	c.handlerOf = map[int64]int64{}
	for _, u := range users {
		id := ids[u.username]
		switch u.role {
		case access.RoleOffice:
			c.office = append(c.office, id)
		case access.RoleInspector:
			c.inspectors = append(c.inspectors, id)
			c.reporters = append(c.reporters, id)
		case access.RoleHandler:
			c.handlerOf[c.unitIDs[u.unit]] = id
			c.reporters = append(c.reporters, id)
		}
	}
	return nil
}

func handlerName(unitCode string) string { return "synth-h-" + unitCode }

type userRow struct {
	username, display, unit string
	role                    access.Role
}

// insertUsers creates the users not there yet (by username) with their
// role, and returns every one's id. They all share Password, hashed once.
func (c *city) insertUsers(ctx context.Context, users []userRow) (map[string]int64, error) {
	if c.passwordHash == "" {
		hash, err := password.Hash(Password, synthHasher())
		if err != nil {
			return nil, err
		}
		c.passwordHash = hash
	}
	seed := make([]org.SeedUser, len(users))
	for i, u := range users {
		unit, ok := c.unitIDs[u.unit]
		if !ok {
			return nil, fmt.Errorf("user %s: unknown unit %s", u.username, u.unit)
		}
		seed[i] = org.SeedUser{Username: u.username, DisplayName: u.display, UnitID: unit, Roles: []access.Role{u.role},
			PasswordHash: c.passwordHash}
	}
	return org.SeedUsers(ctx, c.db, seed, c.opts.End)
}

// categoryWeights says how often each sub-category is reported, relative
// to 1 for those not listed: litter, street vending, parking and small ads
// dominate every city's ledger.
func categoryWeights() map[string]float64 {
	return map[string]float64{
		"SR01": 12, "SR02": 8, "SR03": 5, "SR05": 4, "JM01": 10, "JM02": 6, "JM03": 4, "JM04": 8, "JM05": 3,
		"JT01": 6, "JT02": 9, "JT03": 5, "SS01": 3, "SS02": 4, "SS03": 3, "WM01": 3, "WM02": 4,
		"XQ01": 6, "XQ02": 4, "XQ03": 5, "GY01": 2, "GD02": 2, "SC01": 2,
	}
}

// loadCategories installs the default catalogue and reads the usable
// sub-categories.
func (c *city) loadCategories(ctx context.Context, rep *Report) error {
	cs := category.New(c.db)
	if _, err := cs.EnsureDefaults(ctx); err != nil {
		return fmt.Errorf("default categories: %w", err)
	}
	tree, err := cs.Tree(ctx, false)
	if err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	weights := categoryWeights()
	sum := 0.0
	for _, top := range tree {
		for _, s := range top.Subs {
			w := weights[s.Code]
			if w == 0 {
				w = 1
			}
			sum += w
			c.cats = append(c.cats, cat{id: s.ID, code: s.Code, name: s.Name, limitAmount: s.Limit.Amount,
				limitUnit: s.Limit.Unit, owner: string(s.Owner), weight: w})
			c.catCum = append(c.catCum, sum)
		}
	}
	if len(c.cats) == 0 {
		return fmt.Errorf("no usable category")
	}
	rep.Categories = len(c.cats)
	return nil
}

// owners gives routing the owner rule of the categories read.
type owners map[int64]string

func (o owners) OwnerRule(_ context.Context, id int64) (string, error) {
	r, ok := o[id]
	if !ok {
		return "", fmt.Errorf("unknown category %d", id)
	}
	return r, nil
}

// routeAll asks the real router where each category goes in each
// community. Without routing rules the answer depends only on the owner
// rule, so it is asked once per owner rule and community; with rules, once
// per category and community.
func (c *city) routeAll(ctx context.Context) error {
	own := owners{}
	for _, ct := range c.cats {
		own[ct.id] = ct.owner
	}
	router := &routing.Store{DB: c.db, Owners: own, Now: time.Now}
	rules, err := routing.HasEnabledRules(ctx, c.db)
	if err != nil {
		return err
	}
	type key struct {
		owner string
		cat   int64
		comm  int
	}
	memo := map[key]route{}
	c.routes = make([][]route, len(c.cats))
	for i, ct := range c.cats {
		c.routes[i] = make([]route, len(c.comms))
		for j, cm := range c.comms {
			k := key{owner: ct.owner, comm: j}
			if rules {
				k = key{cat: ct.id, comm: j}
			}
			r, ok := memo[k]
			if !ok {
				d, err := router.Decide(ctx, ct.id, cm.code)
				if err != nil {
					return fmt.Errorf("route %s at %s: %w", ct.code, cm.code, err)
				}
				r = route{unit: d.UnitID, note: d.Note()}
				raw, _ := json.Marshal(r.note)
				r.noteJSON = string(raw)
				// A returned case is redispatched by hand: to the street
				// office when the community sent it back, else to the
				// community.
				r.altUnit = c.unitIDs[cm.code]
				if d.By == routing.ByTerritory {
					r.altUnit = c.unitIDs[c.streets[cm.street].code]
				}
				memo[k] = r
			}
			c.routes[i][j] = r
		}
	}
	return c.ensureHandlers(ctx)
}

// ensureHandlers gives every unit that cases go to a handler, for units a
// routing rule picked that have none, and fills the routes' handlers.
func (c *city) ensureHandlers(ctx context.Context) error {
	missing := map[int64]bool{}
	for _, rs := range c.routes {
		for _, r := range rs {
			for _, u := range []int64{r.unit, r.altUnit} {
				if _, ok := c.handlerOf[u]; !ok && u != 0 {
					missing[u] = true
				}
			}
		}
	}
	if len(missing) > 0 {
		byID, err := org.UnitCodes(ctx, c.db, slices.Collect(maps.Keys(missing)))
		if err != nil {
			return err
		}
		var codes []string
		for id := range missing {
			code, ok := byID[id]
			if !ok {
				return fmt.Errorf("unit %d not found", id)
			}
			c.unitIDs[code] = id
			codes = append(codes, code)
		}
		slices.Sort(codes) // map order must not decide who gets which name
		names := demo.NewNamer(c.opts.Seed, streamUsers+1)
		var users []userRow
		for _, code := range codes {
			users = append(users, userRow{handlerName(code), names.Person(), code, access.RoleHandler})
		}
		ids, err := c.insertUsers(ctx, users)
		if err != nil {
			return err
		}
		for _, u := range users {
			c.handlerOf[c.unitIDs[u.unit]] = ids[u.username]
		}
	}
	names, err := c.unitNames(ctx)
	if err != nil {
		return err
	}
	for i := range c.routes {
		for j := range c.routes[i] {
			r := &c.routes[i][j]
			r.handler, r.altHandler = c.handlerOf[r.unit], c.handlerOf[r.altUnit]
			r.unitJSON, r.altJSON = names[r.unit], names[r.altUnit]
		}
	}
	return nil
}

// unitNames reads the names of the units cases go to as JSON strings, as
// dispatch events record them.
func (c *city) unitNames(ctx context.Context) (map[int64]string, error) {
	var ids []int64
	for _, rs := range c.routes {
		for _, r := range rs {
			ids = append(ids, r.unit, r.altUnit)
		}
	}
	names, err := org.UnitNames(ctx, c.db, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(names))
	for id, name := range names {
		raw, err := json.Marshal(name)
		if err != nil {
			return nil, fmt.Errorf("unit names: %w", err)
		}
		out[id] = string(raw)
	}
	return out, nil
}
