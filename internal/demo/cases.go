package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
)

// CaseDeps are the stores the demo's cases go through: the same ledger
// code as real work, so every figure the demo shows is computed.
type CaseDeps struct {
	DB         *db.DB
	Problems   *problem.Store
	Media      *media.Service
	Categories *category.Store
	Org        *org.Store
	Regions    *region.Store
}

// LoadCases plays about n cases over the last days before now through the
// life cycle — reported by inspectors, citizens and the 12345 hotline,
// filed, dispatched by the routing rules, accepted, some returned,
// extended, parked or failed on verification — with generated photos. It
// does nothing when the ledger already has cases.
func LoadCases(ctx context.Context, d CaseDeps, now time.Time, n, days int) (int, error) {
	has, err := problem.HasCases(ctx, d.DB)
	if err != nil || has {
		return 0, err
	}
	p := &player{d: d, rng: rand.New(rand.NewPCG(410411, uint64(n))), actors: map[int64]access.Actor{}}
	if err := p.prepare(ctx); err != nil {
		return 0, err
	}
	realNow := d.Problems.Now
	defer func() { d.Problems.Now = realNow }()
	start := now.AddDate(0, 0, -days)
	made := 0
	for i := 0; i < n; i++ {
		// Spread reports over the period, in the daytime.
		day := start.Add(time.Duration(p.rng.IntN(days)) * 24 * time.Hour)
		at := time.Date(day.Year(), day.Month(), day.Day(), 8+p.rng.IntN(10), p.rng.IntN(60), 0, 0, calendar.Shanghai())
		if at.After(now) {
			continue
		}
		if err := p.play(ctx, at, now); err != nil {
			return made, fmt.Errorf("demo case %d: %w", i+1, err)
		}
		made++
	}
	d.Problems.Now = func() time.Time { return now }
	if _, err := d.Problems.Escalate(ctx); err != nil {
		return made, err
	}
	return made, nil
}

type player struct {
	d           CaseDeps
	rng         *rand.Rand
	subs        []category.Sub
	phrases     map[string][]string // by category code
	communities []region.Region
	shapes      map[string]geo.MultiPolygon
	before      []string
	after       []string
	office      access.Actor
	inspector   access.Actor
	actors      map[int64]access.Actor // a handler per unit, made on demand
	handlerHash string
	last        int64
	// spot, when set, chooses each case's place instead of place.
	spot func() (problem.ReportInput, string)
}

func (p *player) prepare(ctx context.Context) error {
	tree, err := p.d.Categories.Tree(ctx, false)
	if err != nil {
		return err
	}
	for _, top := range tree {
		p.subs = append(p.subs, top.Subs...)
	}
	p.phrases = Phrases()
	streets, err := Streets(ctx, p.d.Regions)
	if err != nil {
		return err
	}
	p.shapes = map[string]geo.MultiPolygon{}
	for _, st := range streets {
		for _, c := range st.Communities {
			if c.Boundary != "" {
				if mp, err := geo.ParseGeoJSON([]byte(c.Boundary)); err == nil {
					p.shapes[c.Code] = mp
				}
			}
		}
		p.communities = append(p.communities, st.Communities...)
	}
	if p.office, err = p.actorByName(ctx, "office"); err != nil {
		return err
	}
	if p.inspector, err = p.actorByName(ctx, "inspector"); err != nil {
		return err
	}
	// Unit handlers made for the demo cannot sign in: their password is a
	// random one nobody knows, hashed once for all of them.
	pw, err := password.Generate()
	if err != nil {
		return err
	}
	if p.handlerHash, err = password.Hash(pw, p.d.Org.Hasher); err != nil {
		return err
	}
	for i := 0; i < 8; i++ {
		b, err := p.photo(ctx, i, true)
		if err != nil {
			return err
		}
		a, err := p.photo(ctx, i, false)
		if err != nil {
			return err
		}
		p.before, p.after = append(p.before, b), append(p.after, a)
	}
	return nil
}

func (p *player) actorByName(ctx context.Context, name string) (access.Actor, error) {
	c, err := p.d.Org.FindCredentials(ctx, name)
	if err != nil {
		return access.Actor{}, fmt.Errorf("demo user %s: %w", name, err)
	}
	a, _, err := p.d.Org.Actor(ctx, c.UserID)
	return a, err
}

// handler returns the unit's first handler, creating the unit's demo
// handler when it has none.
func (p *player) handler(ctx context.Context, unitID int64) (access.Actor, error) {
	if a, ok := p.actors[unitID]; ok {
		return a, nil
	}
	id, ok, err := org.FirstUserWithRole(ctx, p.d.DB, unitID, access.RoleHandler)
	if err != nil {
		return access.Actor{}, err
	}
	if !ok {
		name := fmt.Sprintf("demo-h%d", unitID)
		ids, err := org.SeedUsers(ctx, p.d.DB, []org.SeedUser{{Username: name, DisplayName: "承办人（演示）", UnitID: unitID,
			Roles: []access.Role{access.RoleHandler}, PasswordHash: p.handlerHash}}, time.Now())
		if err != nil {
			return access.Actor{}, fmt.Errorf("demo handler: %w", err)
		}
		id = ids[name]
	}
	a, _, err := p.d.Org.Actor(ctx, id)
	if err != nil {
		return access.Actor{}, err
	}
	p.actors[unitID] = a
	return a, nil
}

// photo draws a scene: "before" has heaps of clutter, "after" is clear.
func (p *player) photo(ctx context.Context, seed int, before bool) (string, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	img := image.NewRGBA(image.Rect(0, 0, 480, 360))
	for y := 0; y < 360; y++ {
		for x := 0; x < 480; x++ {
			c := color.RGBA{uint8(150 + y/6), uint8(170 + y/8), uint8(190 + seed*5), 255}
			if y > 200 { // pavement
				c = color.RGBA{uint8(120 + (x+y)%20), uint8(120 + (x+y)%20), 125, 255}
			}
			img.Set(x, y, c)
		}
	}
	if before {
		for k := 0; k < 12; k++ {
			x0, y0 := 40+rng.IntN(380), 210+rng.IntN(110)
			shade := color.RGBA{uint8(60 + rng.IntN(120)), uint8(40 + rng.IntN(80)), uint8(20 + rng.IntN(60)), 255}
			for y := y0; y < y0+20+rng.IntN(30) && y < 360; y++ {
				for x := x0; x < x0+30+rng.IntN(40) && x < 480; x++ {
					img.Set(x, y, shade)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		return "", err
	}
	ph, err := p.d.Media.Ingest(ctx, &buf, "demo.jpg")
	if err != nil {
		return "", err
	}
	return ph.Hash, nil
}

// place picks a community and a point inside its illustrative boundary.
func (p *player) place() (problem.ReportInput, string) {
	c := p.communities[p.rng.IntN(len(p.communities))]
	in := problem.ReportInput{RegionCode: c.Code}
	if mp, ok := p.shapes[c.Code]; ok {
		b := mp.BBox()
		for try := 0; try < 20; try++ {
			pt := geo.Point{Lng: b.MinLng + p.rng.Float64()*(b.MaxLng-b.MinLng), Lat: b.MinLat + p.rng.Float64()*(b.MaxLat-b.MinLat)}
			if mp.Contains(pt) {
				in.Lng, in.Lat, in.HasPlace = pt.Lng, pt.Lat, true
				break
			}
		}
	}
	return in, c.Name
}

func (p *player) play(ctx context.Context, at, now time.Time) error {
	sub := p.subs[p.rng.IntN(len(p.subs))]
	in, placeName := p.place()
	if p.spot != nil { // another part of the demo chooses where (a merchant's frontage)
		in, placeName = p.spot()
	}
	in.CategoryID = sub.ID
	in.Photos = []string{p.before[p.rng.IntN(len(p.before))]}
	in.Address = placeName + "附近"
	reporter := p.inspector
	switch r := p.rng.IntN(10); {
	case r < 5:
		in.Source = problem.SourceInspection
	case r < 7:
		in.Source = problem.SourceHotline
		reporter = p.office
		in.ReporterName, in.ReporterPhone = "市民", fmt.Sprintf("1390000%04d", 2000+p.rng.IntN(8000))
	case r < 9:
		in.Source = problem.SourceCitizen
		reporter = access.Actor{}
		in.Photos = nil
	default:
		in.Source = problem.SourceSnapshot
	}
	phrases := PhrasesOf(p.phrases, sub.Code, sub.Name)
	in.Description = phrases[p.rng.IntN(len(phrases))]
	clock := at
	p.d.Problems.Now = func() time.Time { return clock }
	c, err := p.d.Problems.Report(ctx, reporter, in)
	if err != nil {
		return err
	}
	step := func(a access.Actor, after time.Duration, mv problem.MoveInput) error {
		clock = clock.Add(after)
		if clock.After(now) {
			return errStop
		}
		next, err := p.d.Problems.Move(ctx, a, c.ID, mv)
		if err != nil {
			return fmt.Errorf("%s: %w", mv.Action, err)
		}
		c = next
		return nil
	}
	err = p.lifeCycle(ctx, func() *problem.Case { return c }, func() time.Time { return clock }, step)
	if err == errStop {
		err = nil
	}
	if c.State != problem.Rejected && c.State != problem.Duplicate {
		p.last = c.ID // later reports may be merged into this one
	}
	return err
}

var errStop = fmt.Errorf("the demo's present is reached")

// lifeCycle takes a case along one plausible path; cur is the case as it
// stands after the last move.
func (p *player) lifeCycle(ctx context.Context, cur func() *problem.Case, clock func() time.Time,
	step func(access.Actor, time.Duration, problem.MoveInput) error) error {
	c := cur()
	// Notes are chosen by the case's id, not drawn: the draws decide the
	// paths, and the same seed must keep giving the same ones.
	note := func(list []string) string {
		for i := range list {
			if n := list[(int(c.ID)+i)%len(list)]; n != "" {
				return n
			}
		}
		return "-"
	}
	r := p.rng.Float64()
	switch {
	case r < 0.04:
		return step(p.office, 40*time.Minute, problem.MoveInput{Action: problem.ActReject, Note: note(RejectNotes())})
	case r < 0.07 && p.last != 0:
		return step(p.office, 30*time.Minute, problem.MoveInput{Action: problem.ActMerge, DuplicateOf: p.last})
	case r < 0.12 && c.Source == problem.SourceInspection:
		return step(p.inspector, 5*time.Minute, problem.MoveInput{Action: problem.ActFixOnSpot, Note: note(RectifyNotes()),
			Photos: []string{p.after[p.rng.IntN(len(p.after))]}})
	}
	if err := step(p.office, time.Duration(20+p.rng.IntN(100))*time.Minute, problem.MoveInput{Action: problem.ActFile}); err != nil {
		return err
	}
	if err := step(p.office, 10*time.Minute, problem.MoveInput{Action: problem.ActDispatch}); err != nil {
		return err
	}
	c = cur()
	h, err := p.handler(ctx, c.UnitID)
	if err != nil {
		return err
	}
	if p.rng.Float64() < 0.04 {
		// Wrongly routed: returned, then dispatched again by hand to the street.
		if err := step(h, time.Hour, problem.MoveInput{Action: problem.ActReturn, Note: note(ReturnNotes())}); err != nil {
			return err
		}
		street, err := org.UnitIDByCode(ctx, p.d.DB, c.RegionCode[:9])
		if err != nil {
			return fmt.Errorf("street of %s: %w", c.RegionCode, err)
		}
		if street == 0 {
			return fmt.Errorf("street of %s: no unit", c.RegionCode)
		}
		if err := step(p.office, 2*time.Hour, problem.MoveInput{Action: problem.ActDispatch, UnitID: street}); err != nil {
			return err
		}
		if h, err = p.handler(ctx, street); err != nil {
			return err
		}
	}
	if err := step(h, time.Duration(30+p.rng.IntN(240))*time.Minute, problem.MoveInput{Action: problem.ActAccept}); err != nil {
		return err
	}
	c = cur()
	limit := c.Deadline.Sub(c.DispatchedAt)
	switch r := p.rng.Float64(); {
	case r < 0.03:
		return step(h, 3*time.Hour, problem.MoveInput{Action: problem.ActPark, Note: note(ParkPlans()),
			Deadline: c.ReportedAt.AddDate(0, 4, 0)})
	case r < 0.09:
		later := c.Deadline
		if t := clock().Add(time.Hour); t.After(later) {
			later = t
		}
		if err := step(h, time.Hour, problem.MoveInput{Action: problem.ActRequestExtension, Note: note(ExtensionNotes()),
			Deadline: later.Add(limit)}); err != nil {
			return err
		}
		if err := step(p.office, 2*time.Hour, problem.MoveInput{Action: problem.ActApproveExtension, Note: "同意"}); err != nil {
			return err
		}
	}
	// Most units finish inside the limit; some are late.
	work := time.Duration(float64(limit) * (0.2 + p.rng.Float64()*0.9))
	for round := 0; ; round++ {
		if err := step(h, work, problem.MoveInput{Action: problem.ActRectify, Note: note(RectifyNotes()),
			Photos: []string{p.after[p.rng.IntN(len(p.after))]}}); err != nil {
			return err
		}
		if round == 0 && p.rng.Float64() < 0.1 {
			if err := step(p.inspector, time.Duration(2+p.rng.IntN(20))*time.Hour, problem.MoveInput{Action: problem.ActVerifyFail,
				Note: note(FailNotes())}); err != nil {
				return err
			}
			work = time.Duration(float64(limit) * 0.5)
			continue
		}
		return step(p.inspector, time.Duration(1+p.rng.IntN(20))*time.Hour, problem.MoveInput{Action: problem.ActVerifyPass, Note: note(PassNotes())})
	}
}
