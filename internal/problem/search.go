package problem

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/wenming-civic/wenming/internal/db"
)

// The ledger's text search looks for a case's code, description and
// address by pairs of adjacent characters (bigrams): Chinese has no spaces
// between words, and its words are mostly two characters long (井盖,
// 占道经营 = 占道 道经 经营), so a bigram index finds every substring of two
// characters or more. The index only narrows the candidates: the
// substring test (LIKE) still decides, so the search finds exactly what a
// scan would, in milliseconds instead of a scan of the whole city. On
// SQLite the index is an FTS5 table whose document is the case's bigrams
// in order, searched by phrase; on PostgreSQL an array of the distinct
// bigrams under a GIN index, searched by containment. A query without two
// adjacent letters or digits (one character) scans.

// textRuns splits s into its runs of letters and digits, lower-cased: the
// characters FTS5's unicode61 tokenizer keeps in a token.
func textRuns(s string) [][]rune {
	var runs [][]rune
	var cur []rune
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			cur = append(cur, unicode.ToLower(r))
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// bigrams are the adjacent pairs of run, in order; a run of one character
// is its own term.
func bigrams(run []rune) []string {
	if len(run) == 1 {
		return []string{string(run)}
	}
	out := make([]string, 0, len(run)-1)
	for i := 0; i+1 < len(run); i++ {
		out = append(out, string(run[i:i+2]))
	}
	return out
}

// searchTerms are the index terms of a case, in the order they occur.
func searchTerms(code, description, address string) []string {
	var out []string
	for _, s := range []string{code, description, address} {
		for _, run := range textRuns(s) {
			out = append(out, bigrams(run)...)
		}
	}
	return out
}

// scopeTerms are the index terms of who may see a case, after its text
// terms: its unit (u), its reporter (p) and its region with each region
// above it (g, from the street down). A search within a handler's units
// or a street then asks the index for the matches in the scope alone,
// not the city's. Letters and digits, like the text terms: a query never
// finds a case by them, the substring test decides.
func scopeTerms(unitID, reporterID int64, region string) []string {
	var out []string
	if unitID != 0 {
		out = append(out, unitTerm(unitID))
	}
	if reporterID != 0 {
		out = append(out, reporterTerm(reporterID))
	}
	for _, n := range []int{9, 12, 15} {
		if len(region) > n {
			out = append(out, regionTerm(region[:n]))
		}
	}
	if len(region) >= minRegionTerm {
		out = append(out, regionTerm(region))
	}
	return out
}

// minRegionTerm is the shortest region with its own term: a district's
// would be on every case of the city, which the index would read whole.
const minRegionTerm = 9

// hasRegionTerm reports whether the cases of the region subtree root all
// hold its term: a street's, a community's or a grid's code, not any
// other prefix.
func hasRegionTerm(root string) bool { n := len(root); return n == 9 || n == 12 || n == 15 }

func unitTerm(id int64) string     { return "u" + strconv.FormatInt(id, 10) }
func reporterTerm(id int64) string { return "p" + strconv.FormatInt(id, 10) }
func regionTerm(code string) string {
	return "g" + strings.ToLower(code) // the index's terms are lower-cased
}

// queryPhrases are the bigram sequences a text query needs, one per run
// of two characters or more; none means the index cannot help.
func queryPhrases(text string) [][]string {
	var out [][]string
	for _, run := range textRuns(text) {
		if len(run) >= 2 {
			out = append(out, bigrams(run))
		}
	}
	return out
}

// searchDocument is what a case's row in the index holds: on SQLite the
// terms in order for FTS5, on PostgreSQL an array literal of the distinct
// terms.
func searchDocument(d db.Dialect, terms []string) string {
	if d == db.Postgres {
		distinct := slices.Clone(terms)
		slices.Sort(distinct)
		return pgTextArray(slices.Compact(distinct))
	}
	return strings.Join(terms, " ")
}

// pgTextArray writes terms as a PostgreSQL text[] literal. Terms are
// letters and digits only; quoting each keeps the literal valid whatever
// a term holds.
func pgTextArray(terms []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(t))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// textQuery is the ledger's text filter as the search index is asked.
type textQuery struct {
	text   string
	walk   bool     // the page walks cases newest first past many matches
	scope  []string // the case holds one of these terms (nil: no test)
	within string   // and this one (a region filter's), if set
}

// condition is the filter on problem rows (alias p): the index's
// candidates in the scope, then the substring test, which decides. The
// scope's terms keep a common word's matches outside a handler's units
// or a street out of the candidates (占道经营: 44,000 in the city, a few
// hundred in a community). A walked page tests each case instead:
// PostgreSQL the substring first and then its row of the index, as a
// subplan, where given the candidates' set it read all 44,000 of a
// common word (0.7 s), misjudging their number, to show 20 found after
// 500 walked cases (4 ms); SQLite each index entry against the set of
// the word's candidates in the city, and then the row's substring.
func (q textQuery) condition(d db.Dialect) (string, []any) {
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q.text) + "%"
	// SQLite's LIKE ignores the case of ASCII letters; ILIKE does so on
	// PostgreSQL, so that "b-12" finds "B-12" on both.
	op := "LIKE"
	if d == db.Postgres {
		op = "ILIKE"
	}
	cond := strings.ReplaceAll(`(p.code LIKE ? ESCAPE '\' OR p.description LIKE ? ESCAPE '\' OR p.address LIKE ? ESCAPE '\')`, "LIKE", op)
	args := []any{like, like, like}
	phrases := queryPhrases(q.text)
	if len(phrases) == 0 {
		return cond, args
	}
	if d == db.Postgres {
		var all []string
		for _, p := range phrases {
			all = append(all, p...)
		}
		if q.walk {
			// OFFSET 0 keeps the test a subplan run per case, not a join.
			return "EXISTS (SELECT 1 FROM problem_search s WHERE s.problem_id = p.id AND s.grams @> CAST(? AS text[]) AND " + cond + " OFFSET 0)",
				append([]any{searchDocument(d, all)}, args...)
		}
		if q.within != "" {
			all = append(all, q.within)
		}
		index, iargs := "grams @> CAST(? AS text[])", []any{searchDocument(d, all)}
		if len(q.scope) > 0 {
			index, iargs = index+" AND grams && CAST(? AS text[])", append(iargs, searchDocument(d, q.scope))
		}
		return "p.id IN (SELECT problem_id FROM problem_search WHERE " + index + ") AND " + cond, append(iargs, args...)
	}
	if q.walk {
		// A walk tests the index's entries newest first: the candidates'
		// set is built once and each entry checked against it before its
		// row is read, so the cost is the set's, not the walk's length.
		// A substring test alone read the row of every case walked, 60,000
		// of them when the newest cases did not hold the word. The scope's
		// terms stay out: the scope's own test decides, on the few rows
		// read, where 57 unit terms made the set cost more than the walk.
		q.scope = nil
	}
	quoted := make([]string, len(phrases), len(phrases)+2)
	for i, p := range phrases {
		quoted[i] = `"` + strings.Join(p, " ") + `"` // terms hold no quotes: letters and digits only
	}
	if q.within != "" {
		quoted = append(quoted, q.within)
	}
	if len(q.scope) > 0 {
		quoted = append(quoted, "("+strings.Join(q.scope, " OR ")+")")
	}
	// The cases queued for the index (a few, IndexPending's backlog) are
	// candidates too: the substring test decides for them alone.
	return "p.id IN (SELECT rowid FROM problem_search WHERE problem_search MATCH ? UNION ALL SELECT problem_id FROM problem_search_pending) AND " + cond,
		append([]any{strings.Join(quoted, " AND ")}, args...)
}

// searchRow is what a case's row of the search index is made of.
type searchRow struct {
	id                      int64
	code, description, addr string
	region                  string
	unit, reporter          int64
}

// searchRowOf is a case's searchRow.
func searchRowOf(c *Case) searchRow {
	return searchRow{id: c.ID, code: c.Code, description: c.Description, addr: c.Address, region: c.RegionCode,
		unit: c.UnitID, reporter: c.ReporterID}
}

func (x searchRow) document(d db.Dialect) string {
	return searchDocument(d, append(searchTerms(x.code, x.description, x.addr), scopeTerms(x.unit, x.reporter, x.region)...))
}

// indexForSearch writes a case's row of the search index: a new case, or
// (again) one that moved to another unit. SQLite queues the case for
// IndexPending instead, which keeps FTS5's segment flush and merges off
// the request.
func indexForSearch(ctx context.Context, tx *db.Tx, x searchRow, again bool) error {
	if tx.Dialect() == db.SQLite {
		// A case queued new and moved before its turn has no row yet: the
		// conflict keeps "not indexed".
		if _, err := tx.Exec(ctx, "INSERT INTO problem_search_pending (problem_id, indexed) VALUES (?, ?) ON CONFLICT DO NOTHING",
			x.id, again); err != nil {
			return fmt.Errorf("queue case %d for the search index: %w", x.id, err)
		}
		return nil
	}
	cols, value := searchColumns(tx.Dialect())
	upsert := ""
	if again {
		upsert = " ON CONFLICT (problem_id) DO UPDATE SET grams = excluded.grams" // one round trip, not a delete and an insert
	}
	// Appended: the transaction does not search for its own case.
	if err := tx.Append(ctx, "INSERT INTO problem_search ("+cols+") VALUES "+value+upsert, x.id, x.document(tx.Dialect())); err != nil {
		return fmt.Errorf("index case %d for search: %w", x.id, err)
	}
	return nil
}

// IndexPending writes the search index's rows of the cases queued for it
// (SQLite), a batch a transaction, and returns how many it wrote. It runs
// in the background (server.App.RunWriteBehind); until then the search
// tests the queued cases by substring.
func (s *Store) IndexPending(ctx context.Context) (int, error) {
	if s.DB.Dialect() != db.SQLite {
		return 0, nil
	}
	total := 0
	for {
		var n int
		// An idle server asks a reader, not for the write lock.
		if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM problem_search_pending LIMIT 1) q").Scan(&n); err != nil || n == 0 {
			return total, err
		}
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			var err error
			n, err = indexQueued(ctx, tx)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("write the search index: %w", err)
		}
		total += n
		if n < searchBatch {
			return total, nil
		}
	}
}

// indexQueued writes up to searchBatch queued cases' rows and takes them
// off the queue.
func indexQueued(ctx context.Context, tx *db.Tx) (int, error) {
	// A queued case whose row is gone (none is deleted today) leaves the
	// queue unindexed rather than stay in it.
	rows, err := tx.Query(ctx, `SELECT q.problem_id, q.indexed, p.id IS NOT NULL, COALESCE(p.code, ''), COALESCE(p.description, ''),
		COALESCE(p.address, ''), COALESCE(p.region_code, ''), COALESCE(p.unit_id, 0), COALESCE(p.reporter_id, 0)
		FROM problem_search_pending q LEFT JOIN problem p ON p.id = q.problem_id ORDER BY q.problem_id LIMIT ?`, searchBatch)
	if err != nil {
		return 0, err
	}
	var ids, again, insert []any
	for rows.Next() {
		var x searchRow
		var indexed, exists bool
		if err := rows.Scan(&x.id, &indexed, &exists, &x.code, &x.description, &x.addr, &x.region, &x.unit, &x.reporter); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, x.id)
		if indexed {
			again = append(again, x.id)
		}
		if exists {
			insert = append(insert, x.id, x.document(db.SQLite))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return 0, err
	}
	if len(again) > 0 {
		if _, err := tx.Exec(ctx, "DELETE FROM problem_search WHERE rowid IN ("+db.Placeholders(len(again))+")", again...); err != nil {
			return 0, err
		}
	}
	if n := len(insert) / 2; n > 0 {
		values := strings.Repeat("(?, ?), ", n-1) + "(?, ?)"
		if _, err := tx.Exec(ctx, "INSERT INTO problem_search (rowid, grams) VALUES "+values, insert...); err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM problem_search_pending WHERE problem_id IN ("+db.Placeholders(len(ids))+")", ids...); err != nil {
		return 0, err
	}
	return len(ids), nil
}

// searchColumns are the index's columns and one row's placeholders: the
// FTS5 table's rowid is the case's id; PostgreSQL's array is cast.
func searchColumns(d db.Dialect) (cols, value string) {
	if d == db.Postgres {
		return "problem_id, grams", "(?, CAST(? AS text[]))"
	}
	return "rowid, grams", "(?, ?)"
}

// settingSearch records that the search index was built from the cases;
// from then on every new case is indexed as it is written.
// The second version of the index holds the scope terms: a database
// indexed before them is indexed again at the next start.
const settingSearch = "problem.search_built_2"

// EnsureSearch builds the search index the first time (after the
// migration that added it) and reports whether it did. It is safe to run
// at every start and from several servers.
func (s *Store) EnsureSearch(ctx context.Context) (bool, error) {
	return s.ensureBuilt(ctx, settingSearch, s.buildSearch)
}

// RebuildSearch indexes every case again, for rows written around the
// store (a bulk load).
func (s *Store) RebuildSearch(ctx context.Context) error {
	_, err := s.buildSearch(ctx, false)
	return err
}

// searchBatch is how many cases one statement indexes.
const searchBatch = 500

func (s *Store) buildSearch(ctx context.Context, once bool) (bool, error) {
	return s.buildClaimed(ctx, settingSearch, once, rebuildSearch)
}

func rebuildSearch(ctx context.Context, tx *db.Tx) error {
	// Writers wait: a case inserted meanwhile would be indexed twice.
	if err := tx.LockShared(ctx, "problem"); err != nil {
		return err
	}
	// Every case is indexed from its row: the queue is done with.
	for _, table := range []string{"problem_search", "problem_search_pending"} {
		if _, err := tx.Exec(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("clear the search index: %w", err)
		}
	}
	cols, value := searchColumns(tx.Dialect())
	var after int64
	for {
		n, last, err := indexBatch(ctx, tx, after, cols, value)
		if err != nil {
			return err
		}
		if n < searchBatch {
			// PostgreSQL's estimates of the new rows, for the plans above.
			return tx.Analyze(ctx, "problem_search")
		}
		after = last
	}
}

// indexBatch indexes the cases after id after, up to searchBatch of them,
// and returns how many it read and the last id.
func indexBatch(ctx context.Context, tx *db.Tx, after int64, cols, value string) (int, int64, error) {
	rows, err := tx.Query(ctx, `SELECT id, code, description, address, COALESCE(region_code, ''), COALESCE(unit_id, 0), COALESCE(reporter_id, 0)
		FROM problem WHERE id > ? ORDER BY id LIMIT ?`, after, searchBatch)
	if err != nil {
		return 0, 0, fmt.Errorf("read cases for the search index: %w", err)
	}
	var args []any
	var last int64
	n := 0
	for rows.Next() {
		var x searchRow
		if err := rows.Scan(&x.id, &x.code, &x.description, &x.addr, &x.region, &x.unit, &x.reporter); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("read cases for the search index: %w", err)
		}
		last = x.id
		args = append(args, last, x.document(tx.Dialect()))
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("read cases for the search index: %w", err)
	}
	if n == 0 {
		return 0, after, nil
	}
	values := strings.Repeat(value+", ", n-1) + value
	if _, err := tx.Exec(ctx, "INSERT INTO problem_search ("+cols+") VALUES "+values, args...); err != nil {
		return 0, 0, fmt.Errorf("write the search index: %w", err)
	}
	return n, last, nil
}
