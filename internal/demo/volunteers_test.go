package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

func TestLoadVolunteers(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	o := org.New(d)
	o.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	regions := &region.Store{DB: d}
	if _, err := demo.Load(ctx, regions, o); err != nil {
		t.Fatal(err)
	}
	key, _ := pii.ParseKey(pii.GenerateKey())
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, volunteer.Loc())
	s := &volunteer.Store{DB: d, Key: key, Now: func() time.Time { return now }, Regions: regions}
	deps := demo.VolunteerDeps{Volunteers: s, Org: o, Regions: regions}
	rep, err := demo.LoadVolunteers(ctx, deps, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stations != 1+10+104 || rep.Teams != 30 || rep.Volunteers != 2000 || rep.Activities < 700 {
		t.Fatalf("report %+v", rep)
	}
	sys := access.System()
	office, _, _ := o.Actor(ctx, mustUser(t, o, "office"))
	k, err := s.Figures(ctx, office, demo.District, "2025-12-05", "2026-12-04")
	if err != nil {
		t.Fatal(err)
	}
	if k.Registered != 2000 || k.Active < 1500 || k.Minutes < 100000*60/10 || len(k.ByMonth) < 12 || len(k.ByTeam) != 10 {
		t.Fatalf("figures %+v", k)
	}
	// Every star level is present.
	seen := map[int]bool{}
	list, _, err := s.List(ctx, sys, volunteer.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range list {
		seen[v.Star] = true
	}
	for level := 1; level <= 5; level++ {
		if !seen[level] {
			t.Errorf("no volunteer of star level %d", level)
		}
	}
	// The demo volunteer has a coming activity and hours; certificates and
	// an open publicity exist.
	vol, _, _ := o.Actor(ctx, mustUser(t, o, "volunteer"))
	me, err := s.Mine(ctx, vol)
	if err != nil || me.Minutes < 86*60 {
		t.Fatalf("demo volunteer: %+v %v", me, err)
	}
	items, err := volunteer.Workbench{Store: s}.Items(ctx, vol)
	if err != nil || len(items) != 1 || items[0].Count < 1 {
		t.Fatalf("demo volunteer's workbench: %+v %v", items, err)
	}
	// The community handler leads a team: three sign-ups to approve, an
	// activity whose hours wait.
	leader, _, _ := o.Actor(ctx, mustUser(t, o, "shequ"))
	items, err = volunteer.Workbench{Store: s}.Items(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, it := range items {
		counts[it.Kind] = it.Count
	}
	if counts["volunteer/signups"] != 3 || counts["volunteer/confirm"] < 1 {
		t.Fatalf("the leader's workbench: %v", counts)
	}
	if len(k.ByKind) != 6 {
		t.Errorf("hours of %d activity types, want 6", len(k.ByKind))
	}
	certs, err := s.Certificates(ctx, office, 0)
	if err != nil || len(certs) < 3 {
		t.Fatalf("certificates: %d %v", len(certs), err)
	}
	pubs, err := s.Publicities(ctx, office)
	if err != nil || len(pubs) != 1 {
		t.Fatalf("publicities: %v %v", pubs, err)
	}
	// Loading again changes nothing.
	if again, err := demo.LoadVolunteers(ctx, deps, now); err != nil || again.Volunteers != 0 {
		t.Fatalf("second load: %+v %v", again, err)
	}
}

func mustUser(t *testing.T, o *org.Store, name string) int64 {
	t.Helper()
	c, err := o.FindCredentials(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return c.UserID
}
