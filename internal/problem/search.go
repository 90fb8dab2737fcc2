package problem

import (
	"context"
	"fmt"
	"slices"
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

// textPlan is how the text filter meets the rest of a query's plan.
type textPlan int

const (
	// textByIndex: the search index finds the candidates (the city's or
	// an area's matches), each then tested.
	textByIndex textPlan = iota
	// textLookedUp: the scope's own index drives (a handler's units hold
	// fewer cases than a common word matches: 44,000 for 占道经营), and
	// each case is looked up among the matches.
	textLookedUp
	// textWalked: the page walks cases newest first past many matches and
	// tests each.
	textWalked
)

// textCondition is the ledger's text filter on problem rows (alias p):
// the search index's candidates, then the substring test, which decides.
// Where cases are walked or looked up, PostgreSQL tests each case, the
// substring first and then its row of the index: given the candidates'
// set instead it read all 44,000 of a common word (0.7 s), misjudging
// their number, to show 20 found after 500 walked cases (4 ms). SQLite
// probes the candidates' set, built once from FTS5 (7 ms), for a looked
// up case, and needs no index for a walked one: a case that passes the
// substring test holds the query's bigrams.
func textCondition(d db.Dialect, text string, plan textPlan) (string, []any) {
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text) + "%"
	// SQLite's LIKE ignores the case of ASCII letters; ILIKE does so on
	// PostgreSQL, so that "b-12" finds "B-12" on both.
	op := "LIKE"
	if d == db.Postgres {
		op = "ILIKE"
	}
	cond := strings.ReplaceAll(`(p.code LIKE ? ESCAPE '\' OR p.description LIKE ? ESCAPE '\' OR p.address LIKE ? ESCAPE '\')`, "LIKE", op)
	args := []any{like, like, like}
	phrases := queryPhrases(text)
	if len(phrases) == 0 {
		return cond, args
	}
	if d == db.Postgres {
		var all []string
		for _, p := range phrases {
			all = append(all, p...)
		}
		doc := searchDocument(d, all)
		if plan != textByIndex {
			// OFFSET 0 keeps the test a subplan run per case, not a join.
			return "EXISTS (SELECT 1 FROM problem_search s WHERE s.problem_id = p.id AND s.grams @> CAST(? AS text[]) AND " + cond + " OFFSET 0)",
				append([]any{doc}, args...)
		}
		return "p.id IN (SELECT problem_id FROM problem_search WHERE grams @> CAST(? AS text[])) AND " + cond,
			append([]any{doc}, args...)
	}
	if plan == textWalked {
		return cond, args
	}
	id := "p.id"
	if plan == textLookedUp {
		id = "+p.id" // SQLite: not the way in
	}
	quoted := make([]string, len(phrases))
	for i, p := range phrases {
		quoted[i] = `"` + strings.Join(p, " ") + `"` // terms hold no quotes: letters and digits only
	}
	return id + " IN (SELECT rowid FROM problem_search WHERE problem_search MATCH ?) AND " + cond,
		append([]any{strings.Join(quoted, " AND ")}, args...)
}

// indexForSearch adds a new case to the search index.
func indexForSearch(ctx context.Context, tx *db.Tx, id int64, code, description, address string) error {
	doc := searchDocument(tx.Dialect(), searchTerms(code, description, address))
	cols, value := searchColumns(tx.Dialect())
	if _, err := tx.Exec(ctx, "INSERT INTO problem_search ("+cols+") VALUES "+value, id, doc); err != nil {
		return fmt.Errorf("index case %d for search: %w", id, err)
	}
	return nil
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
const settingSearch = "problem.search_built"

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
	if _, err := tx.Exec(ctx, "DELETE FROM problem_search"); err != nil {
		return fmt.Errorf("clear the search index: %w", err)
	}
	cols, value := searchColumns(tx.Dialect())
	var after int64
	for {
		n, last, err := indexBatch(ctx, tx, after, cols, value)
		if err != nil || n < searchBatch {
			return err
		}
		after = last
	}
}

// indexBatch indexes the cases after id after, up to searchBatch of them,
// and returns how many it read and the last id.
func indexBatch(ctx context.Context, tx *db.Tx, after int64, cols, value string) (int, int64, error) {
	rows, err := tx.Query(ctx, "SELECT id, code, description, address FROM problem WHERE id > ? ORDER BY id LIMIT ?", after, searchBatch)
	if err != nil {
		return 0, 0, fmt.Errorf("read cases for the search index: %w", err)
	}
	var args []any
	var last int64
	n := 0
	for rows.Next() {
		var code, desc, addr string
		if err := rows.Scan(&last, &code, &desc, &addr); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("read cases for the search index: %w", err)
		}
		args = append(args, last, searchDocument(tx.Dialect(), searchTerms(code, desc, addr)))
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
