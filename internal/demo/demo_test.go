package demo_test

import (
	"context"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/region"
)

func TestLoadTwiceKeepsData(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	o := org.New(d)
	o.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	regions := &region.Store{DB: d}

	first, err := demo.Load(ctx, regions, o)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := regions.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[region.Street] != 10 || counts[region.Community] != 104 {
		t.Fatalf("湛河区 should have 10 streets and 104 communities, got %v", counts)
	}
	// 21 fixed units, 10 street offices, 104 community committees.
	// One user per role, and a community handler for the ledger's loop.
	if first.Units != 21+10+104 || first.Users != len(access.AllRoles())+1 || first.Boundaries != 1+10+104 {
		t.Fatalf("first load created %d units, %d users, %d boundaries", first.Units, first.Users, first.Boundaries)
	}
	seen := map[access.Role]bool{}
	for _, a := range first.Accounts {
		seen[a.Role] = true
		if a.Password == "" || a.Unit == "" {
			t.Errorf("account %+v incomplete", a)
		}
	}
	if len(seen) != len(access.AllRoles()) {
		t.Errorf("not one account per role: %v", seen)
	}

	// Someone works with the demo, then it is started again.
	if err := o.SetPasswordByName(ctx, "office", "changed-by-user-1", false); err != nil {
		t.Fatal(err)
	}
	second, err := demo.Load(ctx, regions, o)
	if err != nil {
		t.Fatal(err)
	}
	if second.Units != 0 || second.Users != 0 || second.Boundaries != 0 || second.Regions.Inserted != 0 || second.Regions.Updated != 0 {
		t.Fatalf("second load changed data: %+v", second)
	}
	c, err := o.FindCredentials(ctx, "office")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := password.Verify("changed-by-user-1", c.PasswordHash); !ok {
		t.Error("second load reset a changed password")
	}
}

// BenchmarkLoad measures demo.Load on a fresh database, as nearly every
// HTTP test runs it (the migration is not timed).
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		d := dbtest.Open(b)
		o := org.New(d)
		o.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
		regions := &region.Store{DB: d}
		b.StartTimer()
		if _, err := demo.Load(ctx, regions, o); err != nil {
			b.Fatal(err)
		}
	}
}
