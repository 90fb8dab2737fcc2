package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/merchant"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestLoadMerchants(t *testing.T) {
	app := servertest.New(t)
	ctx := context.Background()
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	now := time.Now()
	if _, _, err := demo.LoadInspections(ctx, demo.InspectDeps{CaseDeps: deps, Sites: app.Sites, Inspect: app.Inspect}, now); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	rep, err := demo.LoadMerchants(ctx, demo.MerchantDeps{CaseDeps: deps, Merchants: app.Merchants, Sites: app.Sites}, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v in %v", rep, time.Since(t0))
	if rep.Merchants < 200 || rep.Signed < rep.Merchants/3 || rep.Signed == rep.Merchants || rep.Linked < rep.Cases/2 || rep.Rounds < 6*5 {
		t.Fatalf("loaded %+v", rep)
	}
	// Six months of flags, red and black, confirmed.
	month := merchant.Month(now)
	for k := 1; k <= 6; k++ {
		month = merchant.PrevMonth(month)
		flags, err := app.Merchants.FlagsIn(ctx, demo.District, month)
		if err != nil {
			t.Fatal(err)
		}
		red, black := 0, 0
		for _, f := range flags {
			switch f.Kind {
			case merchant.Red:
				red++
			case merchant.Black:
				black++
			}
		}
		if red < 5 || black < 1 {
			t.Errorf("%s: %d red, %d black", month, red, black)
		}
	}
	// Running again adds nothing.
	if again, err := demo.LoadMerchants(ctx, demo.MerchantDeps{CaseDeps: deps, Merchants: app.Merchants, Sites: app.Sites}, now); err != nil || again.Merchants != 0 {
		t.Errorf("second load %+v %v", again, err)
	}
}
