package problem

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
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

// lookup returns the sums kept for key and the version they were read at.
func (c *foldedSums) lookup(key string) (rows []TallyRow, version int64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rows, ok = c.byQuery[key]
	return rows, c.version, ok
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

// The rows of a versioned read are marked by their first column.
const (
	markFolded  = 0 // a sum of problem_tally
	markVersion = 1 // problem_tally_version's version, in the day column
	markDelta   = 2 // a sum of the deltas not yet folded
)

// grouped sums one of the two tables, its rows marked mark.
func (q tallySums) grouped(mark int, table string) string {
	return "SELECT " + strconv.Itoa(mark) + ", " + q.selected + " FROM " + table + " t WHERE " + q.cond + " GROUP BY " + q.group
}

// versionRow is the row of the version, of the same statement and so the
// same snapshot as the sums beside it.
func versionRow() string {
	return "SELECT " + strconv.Itoa(markVersion) + ", version, 0, ''" + strings.Repeat(", 0", len(eachCounter("%s"))) + " FROM problem_tally_version"
}

// readTally sums problem_tally and the deltas not yet folded. The sums of
// problem_tally are kept by the version they were read at: a question
// asked before reads the version and the deltas, and the table only when
// a fold or a rebuild came since.
func (s *Store) readTally(ctx context.Context, q tallySums) ([]TallyRow, error) {
	if s.NoTallyCache {
		// Each arm is read with the conditions: a compound subquery is not
		// always searched through them.
		arm := func(table string) string {
			return "SELECT t.day, t.unit_id, t.dim_key, " + tallyCounters + " FROM " + table + " t WHERE " + q.cond
		}
		r, err := s.versionedRead(ctx, "SELECT 0, "+q.selected+" FROM ("+arm("problem_tally")+" UNION ALL "+
			arm("problem_tally_delta")+") t GROUP BY "+q.group, append(q.args, q.args...))
		return r.folded, err
	}
	key := q.grouped(markFolded, "problem_tally") + fmt.Sprint(q.args...)
	if kept, version, ok := s.foldedSums.lookup(key); ok {
		r, err := s.versionedRead(ctx, versionRow()+" UNION ALL "+q.grouped(markDelta, "problem_tally_delta"), q.args)
		if err != nil {
			return nil, err
		}
		if r.version == version {
			return addTallyRows(kept, r.deltas), nil
		}
	}
	// Both tables and the version in one statement: one snapshot.
	r, err := s.versionedRead(ctx, versionRow()+" UNION ALL "+q.grouped(markFolded, "problem_tally")+" UNION ALL "+
		q.grouped(markDelta, "problem_tally_delta"), append(q.args, q.args...))
	if err != nil {
		return nil, err
	}
	s.foldedSums.put(r.version, key, r.folded)
	return addTallyRows(r.folded, r.deltas), nil
}

// versioned is what a versioned read returned, by mark.
type versioned struct {
	folded, deltas []TallyRow
	version        int64
}

// versionedRead runs a read whose rows are marked (see markFolded).
func (s *Store) versionedRead(ctx context.Context, sqlText string, args []any) (versioned, error) {
	var out versioned
	rows, err := s.DB.Query(ctx, sqlText, args...)
	if err != nil {
		return out, fmt.Errorf("read tally: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r TallyRow
		var mark int
		if err := rows.Scan(append([]any{&mark, &r.Day, &r.UnitID, &r.Key}, r.Counts.counterDests()...)...); err != nil {
			return out, fmt.Errorf("read tally: %w", err)
		}
		switch mark {
		case markVersion:
			out.version = r.Day
		case markDelta:
			out.deltas = append(out.deltas, r)
		default:
			out.folded = append(out.folded, r)
		}
	}
	return out, rows.Err()
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
