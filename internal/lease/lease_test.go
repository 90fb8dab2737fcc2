package lease_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/lease"
)

func TestLeaseRunsOnePeriodOnceAcrossServers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a := &lease.Leases{DB: d, Holder: "a", Now: clock}
	b := &lease.Leases{DB: d, Holder: "b", Now: clock}

	var runs atomic.Int64
	job := func(context.Context) { runs.Add(1) }
	// Both servers tick at once, many times over, within one period.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		for _, l := range []*lease.Leases{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := l.Run(ctx, "escalate", time.Minute, job); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	// The first run holds the lease for 54 s; the holder's own re-ticks
	// within it may run again (it is the same server), the other's may not.
	st, ok, err := a.Get(ctx, "escalate")
	if err != nil || !ok {
		t.Fatalf("lease row: %v %v", ok, err)
	}
	other := b
	if st.Holder == "b" {
		other = a
	}
	if ran, err := other.Run(ctx, "escalate", time.Minute, job); err != nil || ran {
		t.Fatalf("the other server ran inside the holder's lease: ran=%v err=%v", ran, err)
	}
	if got := runs.Load(); got != st.Runs || got < 1 {
		t.Fatalf("runs: %d counted, %d in the row", got, st.Runs)
	}

	// The lease runs out: the other server's next tick takes the job over.
	now = now.Add(55 * time.Second)
	if ran, err := other.Run(ctx, "escalate", time.Minute, job); err != nil || !ran {
		t.Fatalf("after the lease ran out the other server did not take over: ran=%v err=%v", ran, err)
	}
	st2, _, _ := a.Get(ctx, "escalate")
	if st2.Holder == st.Holder || !st2.ExpiresAt.Equal(now.Add(54*time.Second)) {
		t.Fatalf("lease after takeover: %+v", st2)
	}
	// Release by a server that does not hold the lease changes nothing;
	// the holder's release frees it at once.
	first := a
	if other == a {
		first = b
	}
	if err := first.Release(ctx, "escalate"); err != nil {
		t.Fatal(err)
	}
	if ok, err := first.Acquire(ctx, "escalate", time.Minute); err != nil || ok {
		t.Fatalf("took a lease its holder still holds: %v %v", ok, err)
	}
	if err := other.Release(ctx, "escalate"); err != nil {
		t.Fatal(err)
	}
	if ok, err := first.Acquire(ctx, "escalate", time.Minute); err != nil || !ok {
		t.Fatalf("released lease not free: %v %v", ok, err)
	}
}
