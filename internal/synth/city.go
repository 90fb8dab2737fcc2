package synth

import (
	"context"
	"encoding/json"
	"fmt"
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

	streets []street
	comms   []community
	grids   []grid
	gridCum []float64 // cumulative grid weights, for weighted choice
	index   *geo.Index

	cats   []cat
	catCum []float64

	unitIDs    map[string]int64 // by unit code
	handlerOf  map[int64]int64  // unit id → its handler's user id
	office     []int64          // users of the district office who file and dispatch
	inspectors []int64
	reporters  []int64 // signed-in users who report through 随手拍

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

// districtCenter is roughly the middle of 湛河区 (WGS-84), as in the demo.
var districtCenter = geo.Point{Lng: 113.33, Lat: 33.70}

// synthHasher is deliberately cheap: the accounts are synthetic, and
// hundreds of them are made at once.
func synthHasher() password.Params { return password.Params{Memory: 64, Time: 1, Threads: 1} }

// loadRegions imports the demo district (idempotent) and reads its streets
// and communities.
func (c *city) loadRegions(ctx context.Context) error {
	rs := &region.Store{DB: c.db}
	if _, err := rs.Import(ctx, region.DemoSources()); err != nil {
		return fmt.Errorf("import demo regions: %w", err)
	}
	rows, err := c.db.Query(ctx, `SELECT code, name, level FROM region WHERE code >= ? AND code < ? AND level IN (?, ?) ORDER BY code`,
		District, "410412", int(region.Street), int(region.Community))
	if err != nil {
		return fmt.Errorf("read district: %w", err)
	}
	defer rows.Close()
	streetIdx := map[string]int{}
	for rows.Next() {
		var code, name string
		var level region.Level
		if err := rows.Scan(&code, &name, &level); err != nil {
			return fmt.Errorf("read district: %w", err)
		}
		if level == region.Street {
			streetIdx[code] = len(c.streets)
			c.streets = append(c.streets, street{code: code, name: name})
			continue
		}
		si, ok := streetIdx[region.ParentOf(code)]
		if !ok {
			return fmt.Errorf("community %s without its street", code)
		}
		c.comms = append(c.comms, community{code: code, name: name, street: si})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read district: %w", err)
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
	cells := geo.SyntheticGrids(c.opts.Seed, n, districtCenter, span)
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

	grids := newTable("region", "", "code", "name", "level", "parent_code", "boundary",
		"min_lng", "min_lat", "max_lng", "max_lat", "created_at", "updated_at")
	now := db.Millis(c.opts.End)
	const chunk = 2000
	for from := 0; from < n; from += chunk {
		to := min(n, from+chunk)
		args := make([]any, 0, (to-from)*len(grids.cols))
		for i := from; i < to; i++ {
			g := c.grids[i]
			serialNo, _ := strconv.Atoi(g.code[len(g.code)-3:])
			args = append(args, g.code, fmt.Sprintf("%s第%d网格", shortCommunity(c.comms[g.comm].name), serialNo), int(region.Grid),
				c.comms[g.comm].code, boundaryJSON(g.shape), g.box.MinLng, g.box.MinLat, g.box.MaxLng, g.box.MaxLat, now, now)
		}
		if err := c.db.InTx(ctx, func(tx *db.Tx) error { return grids.insert(ctx, tx, args) }); err != nil {
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

// boundaryJSON writes a GeoJSON MultiPolygon with every coordinate in full
// precision, so that the stored boundary is exactly the generated one and
// a point generated inside a grid is located in that grid.
func boundaryJSON(mp geo.MultiPolygon) string {
	b := make([]byte, 0, 1024)
	b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
	for i, pg := range mp {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, ring := range pg {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for k, p := range ring {
				if k > 0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				b = strconv.AppendFloat(b, p.Lng, 'g', -1, 64)
				b = append(b, ',')
				b = strconv.AppendFloat(b, p.Lat, 'g', -1, 64)
				b = append(b, ']')
			}
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	b = append(b, "]}"...)
	return string(b)
}

// unitRow is a unit to create; parent names the parent unit by code.
type unitRow struct {
	code, name, kind, line, parent, region string
}

// structuralUnits are the units every generated city has, with the codes
// and names the demo uses (so demo.Load finds them and adds nothing).
func (c *city) structuralUnits() []unitRow {
	dept := func(code, name, line string) unitRow {
		return unitRow{code: code, name: name, kind: string(org.KindDepartment), line: line, parent: "410411-gov", region: District}
	}
	out := []unitRow{
		{code: "4104-office", name: "平顶山市文明办（市创文办）", kind: string(org.KindOffice), region: "4104"},
		{code: "410411-gov", name: "湛河区人民政府", kind: string(org.KindOther), region: District},
		{code: "410411-office", name: "湛河区文明办（区创文办）", kind: string(org.KindOffice), parent: "4104-office", region: District},
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
	for _, s := range c.streets {
		out = append(out, unitRow{code: s.code, name: s.name + "办事处", kind: string(org.KindTerritorial), parent: "410411-gov", region: s.code})
	}
	for _, cm := range c.comms {
		out = append(out, unitRow{code: cm.code, name: cm.name, kind: string(org.KindTerritorial), parent: c.streets[cm.street].code, region: cm.code})
	}
	return out
}

// extraUnits tops the units up to n with sponsor units (包保单位), property
// companies and grid workstations, none of which routing picks by default.
func (c *city) extraUnits(n int) []unitRow {
	if n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(uint64(c.opts.Seed), streamUnits))
	bureaus, brands := sponsorBureaus(), propertyBrands()
	stations := min(n*3/10, len(c.grids))
	sponsors := (n - stations) * 4 / 7
	props := n - stations - sponsors
	out := make([]unitRow, 0, n)
	for i := range sponsors {
		cm := c.comms[i%len(c.comms)]
		b := bureaus[(i/len(c.comms)+i)%len(bureaus)]
		out = append(out, unitRow{code: fmt.Sprintf("synth-sp-%04d", i+1), name: b + "（包保" + shortCommunity(cm.name) + "）",
			kind: string(org.KindSponsor), parent: "410411-gov", region: cm.code})
	}
	for i := range props {
		cm := c.comms[rng.IntN(len(c.comms))]
		out = append(out, unitRow{code: fmt.Sprintf("synth-pm-%04d", i+1),
			name: "平顶山市" + brands[rng.IntN(len(brands))] + "物业服务有限公司" + shortCommunity(cm.name) + "项目部",
			kind: string(org.KindProperty), region: cm.code})
	}
	// Workstations in grids spread evenly over the district.
	for i := range stations {
		g := c.grids[i*len(c.grids)/stations]
		serialNo, _ := strconv.Atoi(g.code[len(g.code)-3:])
		cm := c.comms[g.comm]
		out = append(out, unitRow{code: "synth-gw-" + g.code, name: fmt.Sprintf("%s第%d网格工作站", shortCommunity(cm.name), serialNo),
			kind: string(org.KindOther), parent: cm.code, region: g.code})
	}
	return out
}

// makeOrg creates the units and the people who act in the cases.
func (c *city) makeOrg(ctx context.Context, rep *Report) error {
	units := c.structuralUnits()
	units = append(units, c.extraUnits(c.opts.Units-len(units))...)
	if err := c.insertUnits(ctx, units); err != nil {
		return err
	}
	if err := c.db.QueryRow(ctx, "SELECT COUNT(*) FROM unit").Scan(&rep.Units); err != nil {
		return fmt.Errorf("count units: %w", err)
	}
	c.opts.progress(StageUnits, len(units), len(units))

	inspectors := min(40, max(5, c.opts.Units/25))
	users := []userRow{
		{UserAdmin, "系统管理员（合成）", "410411-office", access.RoleAdmin},
		{UserOffice, "王创文", "410411-office", access.RoleOffice},
		{"synth-office-2", "李文明", "410411-office", access.RoleOffice},
		{"synth-office-3", "张督办", "410411-office", access.RoleOffice},
		{UserLeader, "赵区长", "410411-gov", access.RoleLeader},
	}
	names := newNamer(c.opts.Seed, streamUsers)
	for i := range inspectors {
		users = append(users, userRow{fmt.Sprintf("synth-insp-%02d", i+1), names.person(), "410411-office", access.RoleInspector})
	}
	for _, u := range units {
		if u.kind == string(org.KindDepartment) || u.kind == string(org.KindTerritorial) {
			users = append(users, userRow{handlerName(u.code), names.person(), u.code, access.RoleHandler})
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

// insertUnits creates the units that do not exist yet, parents before
// children, and records every unit's id by code.
func (c *city) insertUnits(ctx context.Context, units []unitRow) error {
	t := newTable("unit", " ON CONFLICT (code) DO NOTHING", "code", "name", "kind", "line", "parent_id", "region_code",
		"head_name", "head_phone", "liaison_name", "liaison_phone", "created_at", "updated_at")
	names := newNamer(c.opts.Seed, streamContacts)
	now := db.Millis(c.opts.End)
	c.unitIDs = map[string]int64{}
	done := make([]bool, len(units))
	return c.db.InTx(ctx, func(tx *db.Tx) error {
		for left := len(units); left > 0; {
			var args []any
			var batch []string
			for i, u := range units {
				if done[i] {
					continue
				}
				parent, ok := int64(0), true
				if u.parent != "" {
					parent, ok = c.unitIDs[u.parent]
				}
				if !ok {
					continue // its parent comes in this round
				}
				done[i] = true
				left--
				// Made-up numbers in one block, as the demo does.
				args = append(args, u.code, u.name, u.kind, u.line, nullInt(parent), u.region,
					names.person(), fmt.Sprintf("1370000%04d", i%10000), names.person(), fmt.Sprintf("1360000%04d", i%10000), now, now)
				batch = append(batch, u.code)
			}
			if len(batch) == 0 {
				return fmt.Errorf("units with unknown parents")
			}
			if err := t.insert(ctx, tx, args); err != nil {
				return err
			}
			if err := readIDs(ctx, tx, "unit", "code", batch, c.unitIDs); err != nil {
				return err
			}
		}
		return nil
	})
}

type userRow struct {
	username, display, unit string
	role                    access.Role
}

// insertUsers creates the users not there yet (by username) with their
// role, and returns every one's id.
func (c *city) insertUsers(ctx context.Context, users []userRow) (map[string]int64, error) {
	t := newTable("app_user", " ON CONFLICT (username) DO NOTHING", "username", "display_name", "unit_id", "password_hash",
		"created_at", "updated_at")
	roles := newTable("user_role", " ON CONFLICT (user_id, role) DO NOTHING", "user_id", "role")
	now := db.Millis(c.opts.End)
	ids := map[string]int64{}
	err := c.db.InTx(ctx, func(tx *db.Tx) error {
		args := make([]any, 0, len(users)*len(t.cols))
		names := make([]string, 0, len(users))
		for _, u := range users {
			unit, ok := c.unitIDs[u.unit]
			if !ok {
				return fmt.Errorf("user %s: unknown unit %s", u.username, u.unit)
			}
			hash, err := password.Hash(Password, synthHasher())
			if err != nil {
				return err
			}
			args = append(args, u.username, u.display, unit, hash, now, now)
			names = append(names, u.username)
		}
		if err := t.insert(ctx, tx, args); err != nil {
			return err
		}
		if err := readIDs(ctx, tx, "app_user", "username", names, ids); err != nil {
			return err
		}
		args = args[:0]
		for _, u := range users {
			args = append(args, ids[u.username], string(u.role))
		}
		return roles.insert(ctx, tx, args)
	})
	return ids, err
}

// readIDs reads the ids of rows of table whose column key is in keys.
func readIDs(ctx context.Context, c db.Conn, table, key string, keys []string, into map[string]int64) error {
	const step = 500
	for from := 0; from < len(keys); from += step {
		part := keys[from:min(len(keys), from+step)]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		rows, err := c.Query(ctx, "SELECT "+key+", id FROM "+table+" WHERE "+key+" IN ("+db.Placeholders(len(part))+")", args...)
		if err != nil {
			return fmt.Errorf("read %s ids: %w", table, err)
		}
		for rows.Next() {
			var k string
			var id int64
			if err := rows.Scan(&k, &id); err != nil {
				rows.Close()
				return fmt.Errorf("read %s ids: %w", table, err)
			}
			into[k] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read %s ids: %w", table, err)
		}
	}
	for _, k := range keys {
		if _, ok := into[k]; !ok {
			return fmt.Errorf("%s %s was not written", table, k)
		}
	}
	return nil
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
	var rules int
	if err := c.db.QueryRow(ctx, "SELECT COUNT(*) FROM routing_rule WHERE enabled = TRUE").Scan(&rules); err != nil {
		return fmt.Errorf("count routing rules: %w", err)
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
			if rules > 0 {
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
		var codes []string
		for id := range missing {
			var code string
			if err := c.db.QueryRow(ctx, "SELECT code FROM unit WHERE id = ?", id).Scan(&code); err != nil {
				return fmt.Errorf("unit %d: %w", id, err)
			}
			c.unitIDs[code] = id
			codes = append(codes, code)
		}
		slices.Sort(codes) // map order must not decide who gets which name
		names := newNamer(c.opts.Seed, streamUsers+1)
		var users []userRow
		for _, code := range codes {
			users = append(users, userRow{handlerName(code), names.person(), code, access.RoleHandler})
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

// unitNames reads every unit's name as a JSON string, as dispatch events
// record it.
func (c *city) unitNames(ctx context.Context) (map[int64]string, error) {
	rows, err := c.db.Query(ctx, "SELECT id, name FROM unit")
	if err != nil {
		return nil, fmt.Errorf("unit names: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("unit names: %w", err)
		}
		raw, err := json.Marshal(name)
		if err != nil {
			return nil, fmt.Errorf("unit names: %w", err)
		}
		out[id] = string(raw)
	}
	return out, rows.Err()
}

// namer makes up people's names, deterministically.
type namer struct {
	rng     *rand.Rand
	surname []string
	given   []string
}

func newNamer(seed int64, stream uint64) *namer {
	return &namer{rng: rand.New(rand.NewPCG(uint64(seed), stream)), surname: surnames(), given: givenNames()}
}

func (n *namer) person() string {
	return n.surname[n.rng.IntN(len(n.surname))] + n.given[n.rng.IntN(len(n.given))]
}
