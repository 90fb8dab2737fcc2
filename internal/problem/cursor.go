package problem

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// Keyset pagination. A page of the ledger is asked for by a cursor: the
// sort key and id of the case next to it, and which side. Page 500 then
// reads an index range from that case on instead of skipping 10,000 rows
// with OFFSET, and a case filed while someone pages neither repeats one
// nor hides one. Orders without a usable key (nearest first, and the
// workbench queues' own orders, whose columns may be empty outside their
// queue) page by a page number instead, so every order has a next page.
//
// A cursor is text: "a" or "b" (after or before a case) with the number
// of the page it opens, then the order's letter, the key in unix
// milliseconds ("-" for none) and the case id: "a3.n.1733283000000.5821".
// A page-number cursor is "p3". Cursors are positions, not secrets: a
// forged one shows another page of what the actor may see anyway.

// keyset is an order that pages by a key.
type keyset struct {
	letter    string
	col       string
	desc      bool
	nullsLast bool // the column may be empty; empty keys sort after every other
}

func (f Filter) keyset() (keyset, bool) {
	if f.Near != nil {
		return keyset{}, false
	}
	switch f.Sort {
	case "", "new":
		return keyset{letter: "n", col: "p.reported_at", desc: true}, true
	case "old":
		return keyset{letter: "o", col: "p.reported_at"}, true
	case "deadline":
		return keyset{letter: "d", col: "p.deadline", nullsLast: true}, true
	}
	return keyset{}, false
}

// Cursor is a parsed position in the ledger.
type Cursor struct {
	Page   int // the page number the cursor opens, from 1
	Before bool
	byPage bool // no key: OFFSET (Page-1)*limit
	letter string
	key    int64
	null   bool
	id     int64
}

// ParseCursor reads a cursor; the empty text is the first page. A cursor
// that does not parse is a bad request, not a silent first page.
func ParseCursor(s string) (Cursor, error) {
	bad := apperr.Invalid("problem.bad_cursor")
	if s == "" {
		return Cursor{Page: 1}, nil
	}
	if rest, ok := strings.CutPrefix(s, "p"); ok {
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 || n > 1_000_000 {
			return Cursor{}, bad
		}
		return Cursor{Page: n, byPage: true}, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 || len(parts[0]) < 2 || (parts[0][0] != 'a' && parts[0][0] != 'b') {
		return Cursor{}, bad
	}
	c := Cursor{Before: parts[0][0] == 'b', letter: parts[1]}
	var err error
	if c.Page, err = strconv.Atoi(parts[0][1:]); err != nil || c.Page < 1 {
		return Cursor{}, bad
	}
	if parts[2] == "-" {
		c.null = true
	} else if c.key, err = strconv.ParseInt(parts[2], 10, 64); err != nil {
		return Cursor{}, bad
	}
	if c.id, err = strconv.ParseInt(parts[3], 10, 64); err != nil || c.id <= 0 {
		return Cursor{}, bad
	}
	return c, nil
}

func (c Cursor) String() string {
	if c.byPage {
		return "p" + strconv.Itoa(c.Page)
	}
	side := "a"
	if c.Before {
		side = "b"
	}
	key := "-"
	if !c.null {
		key = strconv.FormatInt(c.key, 10)
	}
	return side + strconv.Itoa(c.Page) + "." + c.letter + "." + key + "." + strconv.FormatInt(c.id, 10)
}

// at is the cursor next to c in the order k.
func (k keyset) at(c *Case, page int, before bool) Cursor {
	cur := Cursor{Page: page, Before: before, letter: k.letter, id: c.ID}
	var t = c.ReportedAt
	if k.col == "p.deadline" {
		t = c.Deadline
	}
	if t.IsZero() {
		cur.null = true
	} else {
		cur.key = db.Millis(t)
	}
	return cur
}

// after is the condition for the cases past the cursor in the order k
// (or before it), each term led by a range on the key so that the key's
// index serves it.
func (k keyset) after(c Cursor) (string, []any) {
	less := c.Before != k.desc // walking towards smaller keys
	switch {
	case c.null && !c.Before: // among the empty keys, which come last
		return k.col + " IS NULL AND p.id > ?", []any{c.id}
	case c.null: // everything with a key, and the empty ones before it
		return "(" + k.col + " IS NOT NULL OR p.id < ?)", []any{c.id}
	}
	cmp, strict, id := ">=", ">", ">"
	if less {
		cmp, strict, id = "<=", "<", "<"
	}
	cond := k.col + " " + cmp + " ? AND (" + k.col + " " + strict + " ? OR p.id " + id + " ?)"
	if k.nullsLast && !c.Before {
		cond = "(" + k.col + " IS NULL OR (" + cond + "))"
	}
	return cond, []any{c.key, c.key, c.id}
}

// reversed is the order k backwards, for the page before a cursor.
func (k keyset) reversed() string {
	dir := " DESC"
	if k.desc {
		dir = ""
	}
	lead := ""
	if k.nullsLast {
		lead = "CASE WHEN " + k.col + " IS NULL THEN 0 ELSE 1 END, "
	}
	return " ORDER BY " + lead + k.col + dir + ", p.id" + dir
}

// Page is one page of the ledger with the cursors around it.
type Page struct {
	Cases      []*Case
	Total      int // up to Cap+1, which means "more than Cap"
	Cap        int // CountCapOf the filter
	Number     int // from 1
	Next, Prev string
}

// Page returns the page of f that the cursor names (the first one for
// the empty cursor); f.Offset is not used.
func (s *Store) Page(ctx context.Context, a access.Actor, f Filter, cursor string) (Page, error) {
	cur, err := ParseCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	first := f
	if !a.SignedIn() {
		return Page{}, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, MaxLimit)
	total, err := s.countCapped(ctx, a, f)
	if err != nil {
		return Page{}, err
	}
	k, keyed := f.keyset()
	if cur.letter != "" && cur.letter != k.letter {
		cur = Cursor{Page: 1} // a cursor of another order: start again
	}
	if !keyed || cur.byPage {
		f.Offset, f.Limit = (cur.Page-1)*limit, limit+1
		cases, err := s.page(ctx, a, f, total, "", nil, "")
		if err != nil {
			return Page{}, err
		}
		p := Page{Cases: cases, Total: total, Cap: CountCapOf(f), Number: cur.Page}
		if len(cases) > limit {
			p.Cases, p.Next = cases[:limit], Cursor{Page: cur.Page + 1, byPage: true}.String()
		}
		if cur.Page > 1 {
			p.Prev = Cursor{Page: cur.Page - 1, byPage: true}.String()
		}
		return p, nil
	}
	f.Offset, f.Limit = 0, limit+1
	var cond string
	var cargs []any
	if cur.id != 0 {
		cond, cargs = k.after(cur)
	}
	order := ""
	if cur.Before {
		order = k.reversed()
	}
	cases, err := s.page(ctx, a, f, total, cond, cargs, order)
	if err != nil {
		return Page{}, err
	}
	more := len(cases) > limit
	if more {
		cases = cases[:limit]
	}
	if cur.Before && !more {
		// Nothing before these: this is the first page, read whole.
		return s.Page(ctx, a, first, "")
	}
	if cur.Before {
		slices.Reverse(cases)
	}
	p := Page{Cases: cases, Total: total, Cap: CountCapOf(f), Number: cur.Page}
	if cur.Before && p.Number < 2 {
		// Cases arrived above the page called first: it is not first now.
		p.Number = 2
	}
	if len(cases) == 0 {
		return p, nil
	}
	if more || cur.Before { // going back, the page we came from follows
		p.Next = k.at(cases[len(cases)-1], p.Number+1, false).String()
	}
	if p.Number > 1 {
		p.Prev = k.at(cases[0], p.Number-1, true).String()
	}
	return p, nil
}

// page reads up to f.Limit cases of f from f.Offset, with an extra
// condition and an order other than f's own if given.
func (s *Store) page(ctx context.Context, a access.Actor, f Filter, total int, cond string, cargs []any, order string) ([]*Case, error) {
	if order == "" {
		order = f.order()
	}
	// The page's ids first, then its rows: where the plan sorts the
	// matches (the overdue cases by reporting time), only the sort keys
	// and ids are sorted, not every column of 20,000 cases (50 ms of a
	// 60 ms page), and an index that holds the scope's columns answers
	// the inner query alone.
	inner := order
	if f.Overdue && !areaScope(a) && s.DB.Dialect() == db.Postgres {
		// PostgreSQL walked the reported-time index for a handler's
		// overdue cases, taking them for spread over time: they are old,
		// and it passed 190,000 new cases first (40 ms). An order the
		// index cannot give makes it take the units' open cases and sort
		// them (0.8 ms). The office's are too many to sort so.
		inner = strings.Replace(order, "p.reported_at", "(p.reported_at + 0)", 1)
	}
	hints := s.DB.Dialect().Hints()
	var ids string
	var idArgs []any
	if units, ok := f.unitPageTree(a, s.DB.Dialect()); ok {
		conds, condArgs := f.conditions(a, s.Now(), s.DB.Dialect(), hints)
		if cond != "" {
			conds, condArgs = conds+" AND "+cond, append(condArgs, cargs...)
		}
		ids, idArgs = unitPageIDs(a, units, f.unitPageIndex(s.walks(f, total)), conds, condArgs, order, f.Limit)
	} else {
		// The scope is kept off its indexes so that many matches are
		// walked newest first (see scopeFor). A handler's units and own
		// reports with few matches are found through their indexes and
		// sorted instead; an area's are not: the district's index is the
		// whole city.
		scopeHints, walk := hints, s.walks(f, total)
		if !walk && !areaScope(a) {
			scopeHints = db.Hints{}
		}
		f.walkText = walk
		where, args := f.whereWith(a, s.Now(), s.DB.Dialect(), scopeHints, hints)
		if cond != "" {
			where, args = where+" AND "+cond, append(args, cargs...)
		}
		ids, idArgs = "SELECT p.id"+s.pageFrom(f, total)+" WHERE "+where+inner+" LIMIT ? OFFSET ?", append(args, f.Limit, max(f.Offset, 0))
	}
	rows, err := s.DB.Query(ctx, "SELECT "+caseColumns+caseFrom+" WHERE p.id IN ("+ids+")"+order, idArgs...)
	if err != nil {
		return nil, fmt.Errorf("list problems: %w", err)
	}
	out, err := db.Collect(rows, nil, func(r *sql.Rows) (*Case, error) { return scanCase(r) })
	if err != nil {
		return nil, fmt.Errorf("list problems: %w", err)
	}
	if err := s.withNames(ctx, s.DB, out); err != nil {
		return nil, err
	}
	return out, nil
}
