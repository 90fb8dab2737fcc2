package problem

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/wenming-civic/wenming/internal/db"
)

// A board sums weeks or months of the tally: the district's 90 days are
// 11,000 rows of problem_tally summed by unit, 20 ms of a core on SQLite,
// and wall screens and workbenches reload it all day. The table changes
// only at a fold or a rebuild, each of which writes a new version in its
// transaction (problem_tally_version). So Tally keeps what it summed from
// problem_tally under the version it read, and adds the deltas not yet
// folded to it: exact as before, with the table summed once per fold and
// question instead of once per request.

// maxFoldedSums bounds the sums kept; past it, the cache starts again.
const maxFoldedSums = 512

// foldedSums holds the sums of problem_tally of one version by question.
type foldedSums struct {
	mu      sync.Mutex
	version int64
	byQuery map[string][]TallyRow
}

func (c *foldedSums) get(version int64, key string) ([]TallyRow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.byQuery == nil {
		return nil, false
	}
	rows, ok := c.byQuery[key]
	return rows, ok
}

// put keeps rows summed at version; rows are not changed afterwards.
func (c *foldedSums) put(version int64, key string, rows []TallyRow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.byQuery == nil || len(c.byQuery) >= maxFoldedSums {
		c.version, c.byQuery = version, map[string][]TallyRow{}
	}
	c.byQuery[key] = rows
}

// newTallyVersion marks problem_tally as changed, in the transaction that
// changes it.
func newTallyVersion(ctx context.Context, tx *db.Tx) error {
	if _, err := tx.Exec(ctx, "UPDATE problem_tally_version SET version = ? WHERE id = 1", rand.Int64()); err != nil {
		return fmt.Errorf("new tally version: %w", err)
	}
	return nil
}

// tallySums is one question to the tally: the select list, the conditions
// and the grouping of Tally's query.
type tallySums struct {
	selected, cond, group string
	args                  []any
}

// grouped sums one of the two tables, each row led by 0.
func (q tallySums) grouped(table string) string {
	return "SELECT 0, " + q.selected + " FROM " + table + " t WHERE " + q.cond + " GROUP BY " + q.group
}

// withVersion leads a sum by a row 1, version, zeros: the version the
// same statement, and so the same snapshot, read.
func withVersion(sum string) string {
	return "SELECT 1, version, 0, ''" + strings.Repeat(", 0", len(eachCounter("%s"))) +
		" FROM problem_tally_version UNION ALL " + sum
}

// read sums problem_tally at the version it finds, from the cache when it
// holds that version, and adds the deltas not yet folded.
func (s *Store) readTally(ctx context.Context, q tallySums) ([]TallyRow, error) {
	key := q.grouped("problem_tally") + fmt.Sprint(q.args...)
	tries := 3
	if s.NoTallyCache {
		tries = 0
	}
	for range tries {
		deltas, version, err := s.versionedRows(ctx, withVersion(q.grouped("problem_tally_delta")), q.args)
		if err != nil {
			return nil, err
		}
		folded, ok := s.foldedSums.get(version, key)
		if !ok {
			var at int64
			if folded, at, err = s.versionedRows(ctx, withVersion(q.grouped("problem_tally")), q.args); err != nil {
				return nil, err
			}
			if at != version {
				continue // a fold between the two reads: its deltas are in neither or in both
			}
			s.foldedSums.put(version, key, folded)
		}
		return addTallyRows(folded, deltas), nil
	}
	// Uncached, or folds keep coming between the reads: both tables in one
	// statement.
	// Each arm is read with the conditions: a compound subquery is not
	// always searched through them.
	arm := func(table string) string {
		return "SELECT t.day, t.unit_id, t.dim_key, " + tallyCounters + " FROM " + table + " t WHERE " + q.cond
	}
	rows, _, err := s.versionedRows(ctx, "SELECT 0, "+q.selected+" FROM ("+arm("problem_tally")+" UNION ALL "+
		arm("problem_tally_delta")+") t GROUP BY "+q.group, append(q.args, q.args...))
	return rows, err
}

// versionedRows runs a sum led by withVersion's row (or not) and returns
// its rows and the version.
func (s *Store) versionedRows(ctx context.Context, sqlText string, args []any) ([]TallyRow, int64, error) {
	rows, err := s.DB.Query(ctx, sqlText, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("read tally: %w", err)
	}
	defer rows.Close()
	var out []TallyRow
	var version int64
	for rows.Next() {
		var r TallyRow
		var marker int
		if err := rows.Scan(append([]any{&marker, &r.Day, &r.UnitID, &r.Key}, r.Counts.counterDests()...)...); err != nil {
			return nil, 0, fmt.Errorf("read tally: %w", err)
		}
		if marker == 1 {
			version = r.Day
			continue
		}
		out = append(out, r)
	}
	return out, version, rows.Err()
}

// addTallyRows adds the rows of b to those of a with the same day, unit
// and key, into a new slice (a is kept in the cache).
func addTallyRows(a, b []TallyRow) []TallyRow {
	out := slices.Clone(a)
	if len(b) == 0 {
		return out
	}
	type at struct {
		day, unit int64
		key       string
	}
	index := make(map[at]int, len(out))
	for i, r := range out {
		index[at{r.Day, r.UnitID, r.Key}] = i
	}
	for _, r := range b {
		k := at{r.Day, r.UnitID, r.Key}
		if i, ok := index[k]; ok {
			out[i].Counts.Add(r.Counts)
			continue
		}
		index[k] = len(out)
		out = append(out, r)
	}
	return out
}
