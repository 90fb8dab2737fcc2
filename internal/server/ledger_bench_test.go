package server_test

import (
	"context"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/synth"
)

// signedIn is a browser session of another user of the bench server.
func (s *benchServer) signedIn(b *testing.B, username string) *benchServer {
	b.Helper()
	as := &benchServer{app: s.app, url: s.url, client: s.client}
	jar, _ := cookiejar.New(nil)
	as.web = &http.Client{Jar: jar, Transport: s.client.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	as.get(b, "/login")
	if res := as.postForm(b, "/login", url.Values{"login": {username}, "password": {synth.Password}}); res.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in as %s: %d", username, res.StatusCode)
	}
	return as
}

// ledgerRole is who looks at the ledger in BenchmarkLedgerFilters, with
// the region and unit their filters name.
type ledgerRole struct {
	name   string
	as     *benchServer
	region string // a street (office, street handler) or a community
	unitID int64  // a unit the role sees: the busiest, or one below theirs
}

// BenchmarkLedgerFilters times the ledger page (GET /problems, 20 cases,
// the capped count) for every filter a person can set and the common
// pairs, as the district office, as the handler of the busiest street
// and as the handler of that street's busiest community, with p50 and
// p99. Beside each, from the same run, the p50 of the raw query of a page
// (the newest 20 cases' ids, SELECT id FROM problem ORDER BY reported_at
// DESC, id DESC LIMIT 20, on its index) and the ratio to it.
//
//	WENMING_BENCH_PROBLEMS=1000000 go test -run '^$' -bench 'LedgerFilters$' -benchtime 30x ./internal/server/
func BenchmarkLedgerFilters(b *testing.B) {
	s := newBenchServer(b)
	ctx := context.Background()
	d := s.app.DB
	var street, streetCode, community, communityCode string
	var communityUnit, busiest, category int64
	if err := d.QueryRow(ctx, `SELECT u.code, u.region_code FROM unit u JOIN problem p ON p.unit_id = u.id
		WHERE u.kind = 'territorial' AND LENGTH(u.region_code) = 9 GROUP BY u.code, u.region_code ORDER BY COUNT(*) DESC LIMIT 1`).
		Scan(&streetCode, &street); err != nil {
		b.Fatal(err)
	}
	if err := d.QueryRow(ctx, `SELECT u.id, u.code, u.region_code FROM unit u JOIN problem p ON p.unit_id = u.id
		JOIN app_user a ON a.username = 'synth-h-' || u.code
		WHERE u.kind = 'territorial' AND LENGTH(u.region_code) = 12 AND u.region_code >= ? AND u.region_code < ?
		GROUP BY u.id, u.code, u.region_code ORDER BY COUNT(*) DESC LIMIT 1`, street, street+"~").
		Scan(&communityUnit, &communityCode, &community); err != nil {
		b.Fatalf("a community of %s with a handler: %v", street, err)
	}
	if err := d.QueryRow(ctx, "SELECT unit_id FROM problem WHERE unit_id IS NOT NULL GROUP BY unit_id ORDER BY COUNT(*) DESC LIMIT 1").Scan(&busiest); err != nil {
		b.Fatal(err)
	}
	if err := d.QueryRow(ctx, "SELECT category_id FROM problem GROUP BY category_id ORDER BY COUNT(*) DESC LIMIT 1").Scan(&category); err != nil {
		b.Fatal(err)
	}
	roles := []ledgerRole{
		{"office", s, street, busiest},
		{"street-handler", s.signedIn(b, "synth-h-"+streetCode), street, communityUnit},
		{"community-handler", s.signedIn(b, "synth-h-"+communityCode), community, communityUnit},
	}
	// The month before the city's newest case.
	var lastMS int64
	if err := d.QueryRow(ctx, "SELECT MAX(reported_at) FROM problem").Scan(&lastMS); err != nil {
		b.Fatal(err)
	}
	end := time.UnixMilli(lastMS).In(shanghai())
	month := url.Values{"from": {end.AddDate(0, 0, -30).Format("2006-01-02")}, "to": {end.Format("2006-01-02")}}.Encode()

	raw := func(n int) float64 {
		took := make([]time.Duration, 0, n)
		for range n {
			t := time.Now()
			rows, err := d.Query(ctx, "SELECT id FROM problem ORDER BY reported_at DESC, id DESC LIMIT 20")
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			rows.Close()
			took = append(took, time.Since(t))
		}
		slices.Sort(took)
		return float64(took[len(took)/2]) / float64(time.Millisecond)
	}
	for _, role := range roles {
		filters := []struct{ name, query string }{
			{"all", ""},
			{"region", "region=" + role.region},
			{"unit", "unit=" + strconv.FormatInt(role.unitID, 10)},
			{"overdue", "overdue=1"},
			{"escalation-red", "escalation=2"},
			{"category", "category=" + strconv.FormatInt(category, 10)},
			{"source-hotline", "source=hotline"},
			{"last-30-days", month},
			{"text-2", "q=" + url.QueryEscape("井盖")},
			{"text-4", "q=" + url.QueryEscape("占道经营")},
			{"region+dispatched", "region=" + role.region + "&state=dispatched"},
			{"unit+overdue", "unit=" + strconv.FormatInt(role.unitID, 10) + "&overdue=1"},
			{"page-50", "page=50"},
			{"page-500", "page=500"},
		}
		for _, st := range []string{"reported", "filed", "dispatched", "in_progress", "parked", "rectified", "closed", "rejected", "duplicate"} {
			filters = append(filters, struct{ name, query string }{"state-" + st, "state=" + st})
		}
		// Deep pages as a person reaches them, by the 下一页 link's cursor
		// (page=N is a link from before the cursors, served by OFFSET).
		for _, n := range []int{50, 500} {
			filters = append(filters, struct{ name, query string }{"cursor-page-" + strconv.Itoa(n),
				strings.TrimPrefix(cursorOfPage(b, role.as, n), "/problems?")})
		}
		for _, f := range filters {
			b.Run(role.name+"/"+f.name, func(b *testing.B) {
				path := "/problems"
				if f.query != "" {
					path += "?" + f.query
				}
				role.as.get(b, path) // warm
				reportBeside(b, timedGets(b, role.as, path), raw, "raw")
			})
		}
	}
}

func shanghai() *time.Location { return time.FixedZone("CST", 8*3600) }

var nextLink = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)

// cursorOfPage follows the ledger's 下一页 link from the first page to
// page n, or to the last page when there are fewer, and returns that
// page's path.
func cursorOfPage(b *testing.B, as *benchServer, n int) string {
	b.Helper()
	path := "/problems"
	for page := 1; page < n; page++ {
		m := nextLink.FindSubmatch(as.get(b, path))
		if m == nil {
			b.Logf("the ledger ends at page %d, not %d", page, n)
			break
		}
		path = html.UnescapeString(string(m[1]))
	}
	if !strings.Contains(path, "cursor=") {
		b.Fatalf("page %d is %s, not a cursor", n, path)
	}
	return path
}
