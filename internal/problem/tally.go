package problem

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/setting"
)

// The tally (problem_tally, migrations 0012 and 0023) keeps the ledger's
// counts per day, street, unit and dimension. Each change of a case
// records its delta in the case's transaction (problem_tally_delta,
// migration 0112), which FoldTally adds to the table in the background;
// reads sum both. A case's counts are a function of its row alone
// (tallyCase), so a change adds the counts of the new row and takes away
// those of the old one; Rebuild computes the same table from scratch, and
// a test holds the two to each other.

// DayMillis is the length of a tally day.
const DayMillis = 24 * 60 * 60 * 1000

// shanghaiOffset is Asia/Shanghai's offset, the same all year.
const shanghaiOffset = 8 * 60 * 60 * 1000

// DayOf is the tally day of t: local days since 1970-01-01.
func DayOf(t time.Time) int64 { return dayOfMillis(db.Millis(t)) }

func dayOfMillis(ms int64) int64 { return (ms + shanghaiOffset) / DayMillis }

// openDay is the day under which the cases open now are counted.
const openDay = 0

// StillOpen lists the states of a case that still needs something done
// (wider than State.Open, which is about running deadlines): what boards
// count as open.
func StillOpen() []State {
	return []State{Reported, Filed, Dispatched, InProgress, Parked, Rectified}
}

// StreetLen is the length of a street's region code: tally rows are kept
// per street, so a region scope of at most this length can read them.
const StreetLen = 9

// DistrictLen is the length of a district's region code. The tally keeps
// every count a second time per district (the dimension prefixed with
// "D", the street column holding the district's code): a district's board
// over 90 days reads a tenth of the rows its streets' would.
const DistrictLen = 6

// districtDim is the dimension of a dimension's district roll-up.
func districtDim(dim string) string { return "D" + dim }

// byDistrict reports whether a read of the scope sums the district
// roll-up: everything but an area inside a district.
func (sc TallyScope) byDistrict() bool {
	return sc.UnitID != 0 || len(sc.Units) > 0 || len(sc.Region) <= DistrictLen
}

// Tally dimensions: the totals, by category (key: the category id), by
// source (key: the source), each unit's cases by source (key: the source;
// the bulletin's weights), and the returns a unit made (key: the source;
// kept under the returning unit). Totals have unit rows and the street's
// roll-up (unit 0); categories and sources the roll-up only; unit sources
// and returners unit rows only. The dimension leads the table's key, so a
// read of one dimension does not step over another's rows.
const (
	DimTotal      = ""
	DimCategory   = "c"
	DimSource     = "s"
	DimUnitSource = "u"
	DimReturner   = "r"
)

// Counts are the counters of a tally row.
type Counts struct {
	Reported      int // by reporting day; duplicates excluded
	Filed         int // the cohort counts, by filing day
	Closed        int
	ClosedOnTime  int
	Parked        int
	Dispatched    int
	Extended      int
	Returned      int
	Verifications int
	VerifyFailed  int
	Handled       int
	HandlingHours float64
	Closures      int // by closing day
	Open          int // on openDay
	Falsified     int // cohort: marked falsified
	// Returner rows (DimReturner), by filing day: the cases the unit
	// returned (once a case), its returns judged unjustified, and of those
	// cases the ones now elsewhere (counted as its cases and dispatches).
	ReturnsMade     int
	UnjustReturns   int
	OtherCases      int
	OtherDispatched int
}

func (c *Counts) add(o Counts, sign int) {
	c.Reported += sign * o.Reported
	c.Filed += sign * o.Filed
	c.Closed += sign * o.Closed
	c.ClosedOnTime += sign * o.ClosedOnTime
	c.Parked += sign * o.Parked
	c.Dispatched += sign * o.Dispatched
	c.Extended += sign * o.Extended
	c.Returned += sign * o.Returned
	c.Verifications += sign * o.Verifications
	c.VerifyFailed += sign * o.VerifyFailed
	c.Handled += sign * o.Handled
	c.HandlingHours += float64(sign) * o.HandlingHours
	c.Closures += sign * o.Closures
	c.Open += sign * o.Open
	c.Falsified += sign * o.Falsified
	c.ReturnsMade += sign * o.ReturnsMade
	c.UnjustReturns += sign * o.UnjustReturns
	c.OtherCases += sign * o.OtherCases
	c.OtherDispatched += sign * o.OtherDispatched
}

// Add adds o's counts to c.
func (c *Counts) Add(o Counts) { c.add(o, 1) }

func (c Counts) zero() bool { return c == Counts{} }

// KPI turns summed cohort counts into the ledger's figures (overdue aside,
// which depends on the hour of asking).
func (c Counts) KPI() KPI {
	k := KPI{Filed: c.Filed, Closed: c.Closed, ClosedOnTime: c.ClosedOnTime, Parked: c.Parked, Dispatched: c.Dispatched,
		Extended: c.Extended, Returned: c.Returned, Verifications: c.Verifications, VerifyFailed: c.VerifyFailed, Handled: c.Handled}
	if c.Handled > 0 {
		k.MeanHandlingHours = c.HandlingHours / float64(c.Handled)
	}
	return k
}

type tallyKey struct {
	day    int64
	street string
	unit   int64
	dim    string
	key    string
}

// tallyCase is what the tally reads of a case.
type tallyCase struct {
	state                        State
	source                       string
	category, unit               int64
	region                       string
	reported                     int64
	filed, closed, deadline      sql.NullInt64
	dispatched, rectified        sql.NullInt64
	extensions, returns, reworks int
	passes                       int
	handlingHours                sql.NullFloat64
	falsified                    bool
	unjust                       int
	returners                    string // comma-separated unit ids, oldest first
}

const tallyColumns = `p.state, p.source, COALESCE(p.category_id, 0), COALESCE(p.unit_id, 0), COALESCE(p.region_code, ''),
	p.reported_at, p.filed_at, p.closed_at, p.deadline, p.dispatched_at, p.rectified_at, p.extension_count, p.return_count,
	p.rework_count, p.verify_passes, p.handling_hours, p.falsified, p.unjustified_returns, COALESCE(p.returners, '')`

func scanTallyCase(sc interface{ Scan(...any) error }) (tallyCase, error) {
	var t tallyCase
	err := sc.Scan(&t.state, &t.source, &t.category, &t.unit, &t.region, &t.reported, &t.filed, &t.closed, &t.deadline,
		&t.dispatched, &t.rectified, &t.extensions, &t.returns, &t.reworks, &t.passes, &t.handlingHours,
		&t.falsified, &t.unjust, &t.returners)
	return t, err
}

// tallyOf is what the tally reads of a case already loaded.
func tallyOf(c *Case) tallyCase {
	return tallyCase{state: c.State, source: string(c.Source), category: c.CategoryID, unit: c.UnitID, region: c.RegionCode,
		reported: db.Millis(c.ReportedAt), filed: db.NullMillis(c.FiledAt), closed: db.NullMillis(c.ClosedAt),
		deadline: db.NullMillis(c.Deadline), dispatched: db.NullMillis(c.DispatchedAt), rectified: db.NullMillis(c.RectifiedAt),
		extensions: c.ExtensionCount, returns: c.ReturnCount, reworks: c.ReworkCount, passes: c.VerifyPasses,
		handlingHours: c.HandlingHours, falsified: c.Falsified, unjust: c.UnjustifiedReturns, returners: c.returners}
}

// applied is t after a change that sets the columns in set (as
// change.write writes them). Columns the tally does not read are ignored;
// TestTallyFollowsEveryChange holds the result to the row read back.
func (t tallyCase) applied(set map[string]any) tallyCase {
	for col, v := range set {
		switch col {
		case "state":
			t.state = State(fmt.Sprint(v))
		case "unit_id":
			t.unit = nullMillisOf(v).Int64
		case "category_id":
			t.category = nullMillisOf(v).Int64
		case "filed_at":
			t.filed = nullMillisOf(v)
		case "closed_at":
			t.closed = nullMillisOf(v)
		case "deadline":
			t.deadline = nullMillisOf(v)
		case "dispatched_at":
			t.dispatched = nullMillisOf(v)
		case "rectified_at":
			t.rectified = nullMillisOf(v)
		case "extension_count":
			t.extensions = int(nullMillisOf(v).Int64)
		case "return_count":
			t.returns = int(nullMillisOf(v).Int64)
		case "rework_count":
			t.reworks = int(nullMillisOf(v).Int64)
		case "verify_passes":
			t.passes = int(nullMillisOf(v).Int64)
		case "handling_hours":
			t.handlingHours, _ = v.(sql.NullFloat64)
		case "returners":
			t.returners = fmt.Sprint(v)
		}
	}
	return t
}

func readTallyCase(ctx context.Context, c db.Conn, id int64) (tallyCase, error) {
	t, err := scanTallyCase(c.QueryRow(ctx, "SELECT "+tallyColumns+" FROM problem p WHERE p.id = ?", id))
	if err != nil {
		return t, fmt.Errorf("read case %d for the tally: %w", id, err)
	}
	return t, nil
}

func streetOf(region string) string { return region[:min(len(region), StreetLen)] }

// contribute adds the counts of one case to m, with sign +1 or −1. The
// definitions are DESIGN.md's, as KPIs counts them from the rows.
func contribute(m map[tallyKey]Counts, t tallyCase, sign int) {
	street, district := streetOf(t.region), t.region[:min(len(t.region), DistrictLen)]
	put := func(day, unit int64, dim, key string, c Counts) {
		// Every count is kept twice: by street, and rolled up by district
		// for the reads of a district or more (districtDim).
		for _, k := range [2]tallyKey{{day, street, unit, dim, key}, {day, district, unit, districtDim(dim), key}} {
			cur := m[k]
			cur.add(c, sign)
			m[k] = cur
		}
	}
	both := func(day int64, c Counts) { // the street's roll-up and the unit's row
		put(day, 0, DimTotal, "", c)
		if t.unit != 0 {
			put(day, t.unit, DimTotal, "", c)
		}
	}
	if t.state != Duplicate {
		both(dayOfMillis(t.reported), Counts{Reported: 1})
		put(dayOfMillis(t.reported), 0, DimSource, t.source, Counts{Reported: 1}) // found, by source
	}
	if t.state == Closed && t.closed.Valid {
		both(dayOfMillis(t.closed.Int64), Counts{Closures: 1})
	}
	if slices.Contains(StillOpen(), t.state) {
		both(openDay, Counts{Open: 1})
	}
	if !t.filed.Valid || t.state == Rejected || t.state == Duplicate {
		return
	}
	c := Counts{Filed: 1, Verifications: t.reworks + t.passes, VerifyFailed: t.reworks}
	if t.state == Closed {
		c.Closed = 1
		if t.deadline.Valid && t.closed.Valid && t.closed.Int64 <= t.deadline.Int64 {
			c.ClosedOnTime = 1
		}
	}
	if t.state == Parked {
		c.Parked = 1
	}
	if t.dispatched.Valid {
		c.Dispatched = 1
	}
	if t.extensions > 0 {
		c.Extended = 1
	}
	if t.returns > 0 {
		c.Returned = 1
	}
	if t.handlingHours.Valid && t.dispatched.Valid && t.rectified.Valid && t.rectified.Int64 >= t.dispatched.Int64 {
		c.Handled, c.HandlingHours = 1, t.handlingHours.Float64
	}
	if t.falsified {
		c.Falsified = 1
	}
	day := dayOfMillis(t.filed.Int64)
	both(day, c)
	put(day, 0, DimCategory, strconv.FormatInt(t.category, 10), c)
	put(day, 0, DimSource, t.source, c)
	if t.unit != 0 {
		put(day, t.unit, DimUnitSource, t.source, c)
	}
	// Each return counts against the unit that made it (once a case), and
	// the office's unjustified marks against the latest returns.
	returners := parseReturners(t.returners)
	seen := map[int64]bool{}
	for i, r := range returners {
		if r == 0 {
			continue
		}
		rc := Counts{}
		if !seen[r] {
			seen[r] = true
			rc.ReturnsMade = 1
			if r != t.unit {
				rc.OtherCases = 1
			}
			if r != t.unit || !t.dispatched.Valid {
				rc.OtherDispatched = 1
			}
		}
		if i >= len(returners)-t.unjust {
			rc.UnjustReturns = 1
		}
		put(day, r, DimReturner, t.source, rc)
	}
}

// parseReturners reads the returners column; a part that is not a number
// (never written so) is skipped.
func parseReturners(s string) []int64 {
	if s == "" {
		return nil
	}
	var out []int64
	for part := range strings.SplitSeq(s, ",") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// withReturner is the returners column with one more unit.
func withReturner(s string, unit int64) string {
	if s == "" {
		return strconv.FormatInt(unit, 10)
	}
	return s + "," + strconv.FormatInt(unit, 10)
}

// tallyChange records the delta of one case, from its row before to its
// row after a change (nil: no row).
func tallyChange(before, after *tallyCase) map[tallyKey]Counts {
	m := map[tallyKey]Counts{}
	if before != nil {
		contribute(m, *before, -1)
	}
	if after != nil {
		contribute(m, *after, +1)
	}
	return m
}

const tallyCounters = `reported, filed, closed, closed_on_time, parked, dispatched, extended, returned, verifications,
	verify_failed, handled, handling_hours, closures, open_now, falsified, returns_made, unjust_returns, other_cases,
	other_dispatched`

// tallyWidth is the number of columns of a tally row.
const tallyWidth = 5 + 19

func counterArgs(c Counts) []any {
	return []any{c.Reported, c.Filed, c.Closed, c.ClosedOnTime, c.Parked, c.Dispatched, c.Extended, c.Returned,
		c.Verifications, c.VerifyFailed, c.Handled, c.HandlingHours, c.Closures, c.Open, c.Falsified, c.ReturnsMade,
		c.UnjustReturns, c.OtherCases, c.OtherDispatched}
}

// counterDests are where a row's counters are scanned, in tallyCounters' order.
func (c *Counts) counterDests() []any {
	return []any{&c.Reported, &c.Filed, &c.Closed, &c.ClosedOnTime, &c.Parked, &c.Dispatched, &c.Extended, &c.Returned,
		&c.Verifications, &c.VerifyFailed, &c.Handled, &c.HandlingHours, &c.Closures, &c.Open, &c.Falsified, &c.ReturnsMade,
		&c.UnjustReturns, &c.OtherCases, &c.OtherDispatched}
}

// applyTally records a change's delta: its rows appended to
// problem_tally_delta, which FoldTally later adds to problem_tally. The
// reads sum both tables (Tally), so the counts are exact at once.
func (s *Store) applyTally(ctx context.Context, tx *db.Tx, m map[tallyKey]Counts) error {
	s.tallyChanges.Add(1) // counted even if the transaction rolls back: a fold too many
	return writeTally(ctx, tx, m, "INSERT INTO problem_tally_delta ("+tallyKeyColumns+", "+tallyCounters+") VALUES ", "")
}

// TallyBehind reports whether this server recorded tally deltas since its
// last fold.
func (s *Store) TallyBehind() bool { return s.tallyChanges.Load() > 0 }

// upsertTally adds counts to problem_tally's rows in place (the rebuild).
func upsertTally(ctx context.Context, tx *db.Tx, m map[tallyKey]Counts) error {
	return writeTally(ctx, tx, m, "INSERT INTO problem_tally ("+tallyKeyColumns+", "+tallyCounters+") VALUES ", tallyAddExcluded())
}

// tallyKeyColumns are the key of a tally row, in the primary key's order.
const tallyKeyColumns = "dim, day, street, unit_id, dim_key"

// tallyAddExcluded is the upsert clause that adds the inserted row's
// counters to the row already there.
func tallyAddExcluded() string {
	return " ON CONFLICT (" + tallyKeyColumns + ") DO UPDATE SET " +
		strings.Join(eachCounter("%[1]s = problem_tally.%[1]s + excluded.%[1]s"), ", ")
}

// eachCounter writes format (a fmt verb for the column's name) once for
// each counter column, in tallyCounters' order.
func eachCounter(format string) []string {
	var out []string
	for _, col := range strings.Split(tallyCounters, ",") {
		out = append(out, fmt.Sprintf(format, strings.TrimSpace(col)))
	}
	return out
}

// writeTally writes the non-zero rows of m by insert (with the clause
// after the values; none: appended, see db.Tx.Append), a few dozen rows a
// statement, in key order so that concurrent transactions lock rows in
// the same order.
func writeTally(ctx context.Context, tx *db.Tx, m map[tallyKey]Counts, insert, after string) error {
	keys := make([]tallyKey, 0, len(m))
	for k, c := range m {
		if !c.zero() {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, compareKeys)
	const perStatement = 40 // 24 values a row, under SQLite's historic limit of 999 variables
	row := "(" + db.Placeholders(tallyWidth) + ")"
	for start := 0; start < len(keys); start += perStatement {
		part := keys[start:min(start+perStatement, len(keys))]
		values := make([]string, len(part))
		args := make([]any, 0, len(part)*tallyWidth)
		for i, k := range part {
			values[i] = row
			args = append(append(args, k.dim, k.day, k.street, k.unit, k.key), counterArgs(m[k])...)
		}
		var err error
		if after == "" {
			// The deltas: rows nothing reads in this transaction.
			err = tx.Append(ctx, insert+strings.Join(values, ", "), args...)
		} else {
			_, err = tx.Exec(ctx, insert+strings.Join(values, ", ")+after, args...)
		}
		if err != nil {
			return fmt.Errorf("update tally: %w", err)
		}
	}
	return nil
}

// FoldTally adds the recorded deltas to problem_tally and removes them, in
// one transaction, and returns how many it folded. It runs in the
// background (server.App.RunWriteBehind); one fold at a time, so that two
// servers never fold a delta twice: SQLite has one writer, PostgreSQL
// locks the tally against other folds and rebuilds (not against reads),
// and the deltas it folds are the ones its DELETE removed.
func (s *Store) FoldTally(ctx context.Context) (int, error) {
	insert := "INSERT INTO problem_tally (" + tallyKeyColumns + ", " + tallyCounters + ") SELECT " + tallyKeyColumns + ", " +
		strings.Join(eachCounter("SUM(%s)"), ", ")
	upsert := " GROUP BY " + tallyKeyColumns + " ORDER BY " + tallyKeyColumns + tallyAddExcluded()
	s.tallyChanges.Store(0) // the changes recorded from here on wait for the next fold
	var folded int
	// An idle server asks a reader, not for the write lock.
	err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM problem_tally_delta LIMIT 1) d").Scan(&folded)
	if err == nil && folded > 0 {
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			if tx.Dialect() == db.Postgres {
				if _, err := tx.Exec(ctx, "LOCK TABLE problem_tally IN SHARE ROW EXCLUSIVE MODE"); err != nil {
					return err
				}
				err := tx.QueryRow(ctx, "WITH moved AS (DELETE FROM problem_tally_delta RETURNING *), "+
					"folded AS ("+insert+" FROM moved"+upsert+") SELECT (SELECT COUNT(*) FROM moved)").Scan(&folded)
				if err != nil {
					return err
				}
				return newTallyVersion(ctx, tx)
			}
			if _, err := tx.Exec(ctx, insert+" FROM problem_tally_delta"+upsert); err != nil {
				return err
			}
			res, err := tx.Exec(ctx, "DELETE FROM problem_tally_delta")
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			folded = int(n)
			return newTallyVersion(ctx, tx)
		})
	}
	if err != nil {
		s.tallyChanges.Add(1) // this server's changes still wait
		return 0, fmt.Errorf("fold the tally: %w", err)
	}
	if folded == 0 {
		return 0, nil
	}
	if s.DB.Dialect() == db.Postgres {
		// The emptied table's dead rows go at once: every read of the tally
		// scans it, and autovacuum comes by a minute later at the soonest,
		// after a busy minute's 300,000 deltas (30 ms a scan).
		if _, err := s.DB.Exec(ctx, "VACUUM (SKIP_LOCKED) problem_tally_delta"); err != nil {
			return folded, fmt.Errorf("vacuum the tally's deltas: %w", err)
		}
	}
	return folded, nil
}

// compareKeys orders keys as the table's primary key does.
func compareKeys(a, b tallyKey) int {
	switch {
	case a.dim != b.dim:
		return strings.Compare(a.dim, b.dim)
	case a.day != b.day:
		return cmpInt(a.day, b.day)
	case a.street != b.street:
		return strings.Compare(a.street, b.street)
	case a.unit != b.unit:
		return cmpInt(a.unit, b.unit)
	}
	return strings.Compare(a.key, b.key)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// tallyNew counts a case just inserted.
func (s *Store) tallyNew(ctx context.Context, tx *db.Tx, id int64) error {
	after, err := readTallyCase(ctx, tx, id)
	if err != nil {
		return err
	}
	return s.applyTally(ctx, tx, tallyChange(nil, &after))
}

// settingTally records that the tally was built from the cases once; from
// then on every change keeps it. The name changes with what the tally
// counts, so that a new version builds it again once (4: returns by the
// unit that made them, units by source, falsified cases, district
// roll-ups).
const settingTally = "problem.tally_built.4"

// EnsureTally builds the tally the first time (after the migration that
// added it, on a database that already holds cases) and reports whether
// it did. It is safe to run at every start and from several servers.
func (s *Store) EnsureTally(ctx context.Context) (bool, error) {
	return s.ensureBuilt(ctx, settingTally, s.buildTally)
}

// RebuildTally computes the whole tally again from the cases, for rows
// written around the store (a bulk load). Rectified cases without
// handling hours get theirs first.
func (s *Store) RebuildTally(ctx context.Context) error {
	_, err := s.buildTally(ctx, false)
	return err
}

// buildTally fills in handling hours and rebuilds the tally in one
// transaction. With once, it does nothing when another server has
// claimed the build meanwhile.
func (s *Store) buildTally(ctx context.Context, once bool) (bool, error) {
	if err := s.fillHandlingHours(ctx); err != nil {
		return false, err
	}
	if err := s.fillReturners(ctx); err != nil {
		return false, err
	}
	return s.buildClaimed(ctx, settingTally, once, rebuildTally)
}

// ensureBuilt runs build once per database: unless the setting name says
// it ran, build runs claiming it (once).
func (s *Store) ensureBuilt(ctx context.Context, name string, build func(context.Context, bool) (bool, error)) (bool, error) {
	done, err := setting.Exists(ctx, s.DB, name)
	if err != nil {
		return false, fmt.Errorf("setting %s: %w", name, err)
	}
	if done {
		return false, nil
	}
	return build(ctx, true)
}

// buildClaimed runs build in a transaction that records the setting name
// (what was built from the cases, and when). With once it does nothing
// when another server claimed the name meanwhile, and reports whether it
// built.
func (s *Store) buildClaimed(ctx context.Context, name string, once bool, build func(context.Context, *db.Tx) error) (bool, error) {
	built := false
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		stamp := s.Now().UTC().Format(time.RFC3339)
		if once {
			claimed, err := setting.PutIfAbsent(ctx, tx, name, stamp)
			if err != nil {
				return fmt.Errorf("claim %s: %w", name, err)
			}
			if !claimed {
				return nil // another server built it meanwhile
			}
		} else if err := setting.Put(ctx, tx, name, stamp); err != nil {
			return fmt.Errorf("claim %s: %w", name, err)
		}
		built = true
		return build(ctx, tx)
	})
	return built, err
}

func rebuildTally(ctx context.Context, tx *db.Tx) error {
	// Writers wait until the new tally is in: a change counted on the
	// old table and then read again by the rebuild would count twice.
	if err := tx.LockShared(ctx, "problem"); err != nil {
		return err
	}
	if err := newTallyVersion(ctx, tx); err != nil {
		return err
	}
	// The deltas not yet folded are counted again from the cases.
	for _, table := range []string{"problem_tally", "problem_tally_delta"} {
		if _, err := tx.Exec(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("clear tally: %w", err)
		}
	}
	m := map[tallyKey]Counts{}
	rows, err := tx.Query(ctx, "SELECT "+tallyColumns+" FROM problem p")
	if err != nil {
		return fmt.Errorf("read cases for the tally: %w", err)
	}
	for rows.Next() {
		t, err := scanTallyCase(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("read cases for the tally: %w", err)
		}
		contribute(m, t, +1)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read cases for the tally: %w", err)
	}
	if err := upsertTally(ctx, tx, m); err != nil {
		return err
	}
	// PostgreSQL would plan the tally as empty until autovacuum came by:
	// a week's bulletin sorted 5,000 rows it took for one (24 ms, not 5).
	return tx.Analyze(ctx, "problem_tally")
}

// fillHandlingHours computes the handling hours of rectified cases that
// lack them (cases from before the column existed), a batch at a time.
func (s *Store) fillHandlingHours(ctx context.Context) error {
	hours, ok := s.Clock.(HoursCounter)
	if !ok {
		return nil
	}
	var last int64
	for {
		rows, err := s.DB.Query(ctx, `SELECT id, dispatched_at, rectified_at FROM problem WHERE id > ? AND handling_hours IS NULL
			AND dispatched_at IS NOT NULL AND rectified_at IS NOT NULL AND rectified_at >= dispatched_at ORDER BY id LIMIT 1000`, last)
		if err != nil {
			return fmt.Errorf("cases without handling hours: %w", err)
		}
		type todo struct {
			id   int64
			h    float64
			d, r int64
		}
		var batch []todo
		for rows.Next() {
			var t todo
			if err := rows.Scan(&t.id, &t.d, &t.r); err != nil {
				rows.Close()
				return fmt.Errorf("cases without handling hours: %w", err)
			}
			batch = append(batch, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("cases without handling hours: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		last = batch[len(batch)-1].id
		for i := range batch {
			if batch[i].h, err = hours.WorkingHours(ctx, db.FromMillis(batch[i].d), db.FromMillis(batch[i].r)); err != nil {
				return err
			}
		}
		// A hundred cases a statement: one at a time, PostgreSQL took ten
		// minutes for the 700,000 of the synthetic city.
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			const perStatement = 100
			for start := 0; start < len(batch); start += perStatement {
				part := batch[start:min(start+perStatement, len(batch))]
				args := make([]any, 0, 2*len(part))
				for _, t := range part {
					args = append(args, t.id, t.h)
				}
				values := strings.Repeat("(CAST(? AS BIGINT), CAST(? AS DOUBLE PRECISION)), ", len(part)-1) +
					"(CAST(? AS BIGINT), CAST(? AS DOUBLE PRECISION))"
				if _, err := tx.Exec(ctx, "WITH v (id, h) AS (VALUES "+values+
					") UPDATE problem SET handling_hours = v.h FROM v WHERE problem.id = v.id", args...); err != nil {
					return fmt.Errorf("store handling hours: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}

// fillReturners writes the returners column of returned cases that lack
// it (cases from before the column, bulk loads) from their return events,
// a batch at a time.
func (s *Store) fillReturners(ctx context.Context) error {
	var last int64
	for {
		rows, err := s.DB.Query(ctx, `SELECT id FROM problem WHERE id > ? AND return_count > 0 AND returners IS NULL
			ORDER BY id LIMIT 1000`, last)
		ids, err := db.Collect(rows, err, func(r *sql.Rows) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
		if err != nil {
			return fmt.Errorf("cases without returners: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		last = ids[len(ids)-1]
		cond, args := unitInSQL("e.problem_id", ids)
		rows, err = s.DB.Query(ctx, "SELECT e.problem_id, e.data FROM problem_event e WHERE e.action = ? AND "+cond+" ORDER BY e.id",
			append([]any{string(ActReturn)}, args...)...)
		type returned struct {
			problem int64
			data    string
		}
		events, err := db.Collect(rows, err, func(r *sql.Rows) (returned, error) {
			var x returned
			return x, r.Scan(&x.problem, &x.data)
		})
		if err != nil {
			return fmt.Errorf("return events: %w", err)
		}
		returners := make(map[int64]string, len(ids))
		for _, id := range ids {
			returners[id] = ""
		}
		for _, e := range events {
			var d EventData
			if e.data != "" {
				if err := json.Unmarshal([]byte(e.data), &d); err != nil {
					return fmt.Errorf("return event of case %d: %w", e.problem, err)
				}
			}
			returners[e.problem] = withReturner(returners[e.problem], d.UnitID)
		}
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			for _, id := range ids {
				if _, err := tx.Exec(ctx, "UPDATE problem SET returners = ? WHERE id = ?", returners[id], id); err != nil {
					return fmt.Errorf("store returners: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}

// handlingHours is the working time from dispatch to rectification, or
// NULL when either is missing or no working calendar is at hand.
func (s *Store) handlingHours(ctx context.Context, dispatched, rectified sql.NullInt64) (sql.NullFloat64, error) {
	hours, ok := s.Clock.(HoursCounter)
	if !ok || !dispatched.Valid || !rectified.Valid || rectified.Int64 < dispatched.Int64 {
		return sql.NullFloat64{}, nil
	}
	h, err := hours.WorkingHours(ctx, db.FromMillis(dispatched.Int64), db.FromMillis(rectified.Int64))
	if err != nil {
		return sql.NullFloat64{}, err
	}
	return sql.NullFloat64{Float64: h, Valid: true}, nil
}

// TallyScope says which tally rows a sum reads: a region of at most
// StreetLen digits (the roll-up rows of its streets; "" is everywhere), one
// unit (its own rows), or several units (their own rows, summed: a case is
// with one unit at a time, so the sum is their cases').
type TallyScope struct {
	Region string
	UnitID int64
	Units  []int64 // when UnitID is 0
}

// TallyUsable reports whether a region scope can be read from the tally.
func TallyUsable(region string) bool { return len(region) <= StreetLen }

// TallyRow is one group of a tally sum.
type TallyRow struct {
	Day    int64  // when grouped by day
	UnitID int64  // when grouped by unit
	Key    string // the dimension's key
	Counts
}

// TallyQuery asks for sums over days [From, To] (inclusive) of one
// dimension, grouped by day and/or unit as asked. ByUnit reads the unit
// rows of the region (the ranking), not the roll-up.
type TallyQuery struct {
	Scope    TallyScope
	From, To int64
	Dim      string
	ByDay    bool
	ByUnit   bool
}

// Tally sums tally rows.
func (s *Store) Tally(ctx context.Context, q TallyQuery) ([]TallyRow, error) {
	var where []string
	var args []any
	dim := q.Dim
	if q.Scope.byDistrict() {
		dim = districtDim(dim)
	}
	where = append(where, "t.day >= ? AND t.day <= ? AND t.dim = ?")
	args = append(args, q.From, q.To, dim)
	switch {
	case q.Scope.UnitID != 0:
		where = append(where, "t.unit_id = ?")
		args = append(args, q.Scope.UnitID)
	case len(q.Scope.Units) > 0:
		cond, cargs := unitInSQL("t.unit_id", q.Scope.Units)
		where = append(where, cond)
		args = append(args, cargs...)
	case !TallyUsable(q.Scope.Region):
		return nil, fmt.Errorf("tally: region %q is below street level", q.Scope.Region)
	default:
		if q.ByUnit {
			where = append(where, "t.unit_id <> 0")
		} else {
			where = append(where, "t.unit_id = 0")
		}
		if q.Scope.Region != "" {
			cond, cargs := region.SubtreeSQL("t.street", q.Scope.Region)
			where = append(where, cond)
			args = append(args, cargs...)
		}
	}
	// Constants in the select list stand for the groupings not asked for;
	// GROUP BY names columns only (a number there is a position).
	selected, group := []string{"0", "0", "t.dim_key"}, []string{"t.dim_key"}
	if q.ByDay {
		selected[0] = "t.day"
		group = append(group, "t.day")
	}
	if q.ByUnit {
		selected[1] = "t.unit_id"
		group = append(group, "t.unit_id")
	}
	selected = append(selected, eachCounter("SUM(t.%s)")...)
	return s.readTally(ctx, tallySums{selected: strings.Join(selected, ", "), cond: strings.Join(where, " AND "),
		group: strings.Join(group, ", "), args: args})
}

// OpenDay is the day whose tally rows count the cases open now.
const OpenDay = openDay

// OverdueIn counts the cases of a tally scope (an area, a unit, or
// everywhere) that are open and past their deadline now. It checks no
// actor: the caller has decided the scope is the actor's to see. Without
// the ledger's "or reported by me", both databases find the open cases
// through the state index, not every case of a district.
func (s *Store) OverdueIn(ctx context.Context, sc TallyScope) (int, error) {
	w := "p.state IN (?, ?, ?) AND p.deadline < ?"
	args := []any{string(Filed), string(Dispatched), string(InProgress), db.Millis(s.Now())}
	switch {
	case sc.UnitID != 0:
		w += " AND p.unit_id = ?"
		args = append(args, sc.UnitID)
	case len(sc.Units) > 0:
		cond, cargs := unitInSQL("p.unit_id", sc.Units)
		w += " AND " + cond
		args = append(args, cargs...)
	case sc.Region != "":
		cond, cargs := region.SubtreeSQL("p.region_code", sc.Region)
		w += " AND " + cond
		args = append(args, cargs...)
	}
	from := "problem p"
	if sc.UnitID == 0 && len(sc.Units) == 0 {
		// With fresh statistics SQLite reads a district through the region
		// index (every case of it, seconds at a million) rather than the
		// open cases through (state, deadline, region_code).
		from = s.DB.Dialect().Hints().IndexedBy("problem p", "problem_state")
	}
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM "+from+" WHERE "+w, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("overdue cases: %w", err)
	}
	return n, nil
}

// TallySize counts the cases and the tally rows, for the report of a
// rebuild.
func (s *Store) TallySize(ctx context.Context) (cases, rows int, err error) {
	if cases, err = db.Count(ctx, s.DB, "SELECT COUNT(*) FROM problem"); err != nil {
		return 0, 0, fmt.Errorf("count cases: %w", err)
	}
	if rows, err = db.Count(ctx, s.DB, "SELECT COUNT(*) FROM problem_tally"); err != nil {
		return 0, 0, fmt.Errorf("count tally rows: %w", err)
	}
	return cases, rows, nil
}
