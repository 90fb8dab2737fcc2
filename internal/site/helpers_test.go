package site_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
)

// env is a migrated database with the demo district, its units, the
// built-in site types and a site store that locates places.
type env struct {
	db    *db.DB
	store *site.Store
	units map[string]int64 // by unit code
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	o := org.New(d)
	o.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, &region.Store{DB: d}, o); err != nil {
		t.Fatal(err)
	}
	seedTypes(t, d)
	ix, err := geo.LoadIndex(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: d, store: &site.Store{DB: d, Locator: locator{ix}}, units: map[string]int64{}}
	rows, err := d.Query(ctx, "SELECT code, id FROM unit")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			t.Fatal(err)
		}
		e.units[code] = id
	}
	return e
}

// seedTypes inserts the built-in site types the framework defines, as its
// EnsureDefaults does at start.
func seedTypes(t testing.TB, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	for _, st := range framework.DefaultSiteTypes() {
		_, err := d.Exec(ctx, `INSERT INTO site_type (code, name, position, builtin, active, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`, st.Code, st.Name, st.Position, true, true, time.Now().UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
	}
}

type locator struct{ ix *geo.Index }

func (l locator) Locate(_ context.Context, lng, lat float64) (string, bool, error) {
	code, ok := l.ix.Locate(geo.Point{Lng: lng, Lat: lat})
	return code, ok, nil
}

func office(region string) access.Actor {
	return access.Actor{UserID: 10, Username: "office", Region: region, Roles: []access.Role{access.RoleOffice}}
}

func actorWith(role access.Role, region string) access.Actor {
	return access.Actor{UserID: 11, Username: string(role), Region: region, Roles: []access.Role{role}}
}
