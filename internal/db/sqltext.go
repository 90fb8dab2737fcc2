package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// This file holds what differs between the two databases in the text of a
// query, one place per concern: placeholders (the ? rewrite), planner
// hints, and row and table locks.

// ErrUnsafeQuery is the error (wrapped) of a query the placeholder rewrite
// refuses.
var ErrUnsafeQuery = errors.New("db: query refused")

// rebind checks q and turns its ? placeholders into $1, $2 … for
// PostgreSQL. A ? that is not a placeholder — inside a quoted string or
// name, or a comment — cannot be told from one by a rewrite that does not
// parse SQL, so such a query is refused on both databases (pass the text as
// an argument instead); so are a numbered ?1 and a $ beside ? placeholders.
// SQLite gets q unchanged once checked.
func rebind(d Dialect, q string) (string, error) {
	if strings.IndexByte(q, '?') < 0 {
		return q, nil
	}
	pg := d == Postgres
	var b strings.Builder
	if pg {
		b.Grow(len(q) + 16)
	}
	n := 0
	for i := 0; i < len(q); i++ {
		// Jump to the next byte that may start a placeholder, a quote or a
		// comment, copying the plain text before it.
		if k := strings.IndexAny(q[i:], specials); k < 0 {
			if pg {
				b.WriteString(q[i:])
			}
			break
		} else if k > 0 {
			if pg {
				b.WriteString(q[i : i+k])
			}
			i += k
		}
		c := q[i]
		end := -1 // the last byte of a quoted or commented span starting at i
		switch {
		case c == '\'' || c == '"':
			end = closingQuote(q, i)
			if end < 0 {
				return "", refuse(q, "unterminated quote")
			}
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			end = strings.IndexByte(q[i:], '\n')
			if end < 0 {
				end = len(q) - i
			}
			end += i - 1
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			end = strings.Index(q[i+2:], "*/")
			if end < 0 {
				return "", refuse(q, "unterminated comment")
			}
			end += i + 3
		case c == '$':
			return "", refuse(q, "a $ (a PostgreSQL placeholder or dollar quote) beside ? placeholders")
		case c == '?':
			if i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9' {
				return "", refuse(q, "a numbered placeholder ?N")
			}
			n++
			if pg {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(n))
			}
			continue
		}
		if end >= 0 {
			if strings.IndexByte(q[i:end+1], '?') >= 0 {
				return "", refuse(q, "a literal ? inside a quoted string, a quoted name or a comment")
			}
			if pg {
				b.WriteString(q[i : end+1])
			}
			i = end
			continue
		}
		if pg {
			b.WriteByte(c) // a lone - or /
		}
	}
	if !pg {
		return q, nil
	}
	return b.String(), nil
}

// specials are the bytes rebind looks at; the rest is copied as it is.
const specials = "?'\"-/$"

// closingQuote is the index of the quote closing the one at q[open]; a
// doubled quote inside is part of the text.
func closingQuote(q string, open int) int {
	quote := q[open]
	for j := open + 1; j < len(q); j++ {
		if q[j] == quote {
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j
		}
	}
	return -1
}

func refuse(q, why string) error {
	const show = 120
	if len(q) > show {
		q = q[:show] + "…"
	}
	return fmt.Errorf("%w: %s in %q; pass such text as an argument", ErrUnsafeQuery, why, q)
}

// refused is an argument whose conversion fails with err: it lets QueryRow,
// which must return a *sql.Row, carry the error of a refused query to Scan.
type refused struct{ err error }

func (r refused) Value() (driver.Value, error) { return nil, r.err }

// GoString keeps the drivers' message about the argument short.
func (r refused) GoString() string { return "refused query" }

// ---- planner hints ----

// Hints write the planner hints of one database. SQLite's planner needs a
// hand at times (which index, which join order); PostgreSQL's takes none,
// it plans by statistics (see Tx.Analyze). The zero Hints writes none.
type Hints struct{ sqlite bool }

// Hints returns the planner hints of the dialect.
func (d Dialect) Hints() Hints { return Hints{sqlite: d == SQLite} }

// On reports whether the database takes hints, for a query whose shape is
// the hint (SQLite keeps the join order of a CROSS JOIN).
func (h Hints) On() bool { return h.sqlite }

// IndexedBy is the FROM item table (with its alias, "problem p") read
// through index on SQLite, and table alone elsewhere.
func (h Hints) IndexedBy(table, index string) string {
	if h.sqlite {
		return table + " INDEXED BY " + index
	}
	return table
}

// NoIndex is the column expression col that SQLite will not use an index
// for (its unary plus), and col alone elsewhere.
func (h Hints) NoIndex(col string) string {
	if h.sqlite {
		return "+" + col
	}
	return col
}

// ---- locks ----

// ForUpdate is the clause that locks the rows a SELECT in the transaction
// reads: " FOR UPDATE" on PostgreSQL, nothing on SQLite, whose write
// transaction holds the database's write lock from its start.
func (t *Tx) ForUpdate() string {
	if t.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// LockShared keeps other writers out of table until the transaction ends,
// while reads go on (PostgreSQL's SHARE mode); SQLite's write transaction
// excludes other writers already.
func (t *Tx) LockShared(ctx context.Context, table string) error {
	if t.dialect != Postgres {
		return nil
	}
	if _, err := t.Exec(ctx, "LOCK TABLE "+table+" IN SHARE MODE"); err != nil {
		return fmt.Errorf("lock %s: %w", table, err)
	}
	return nil
}

// Analyze refreshes PostgreSQL's statistics of table after a bulk load,
// which autovacuum may take a while to notice. On SQLite it does nothing:
// the plans that matter there are steered by Hints.
func (t *Tx) Analyze(ctx context.Context, table string) error {
	if t.dialect != Postgres {
		return nil
	}
	if _, err := t.Exec(ctx, "ANALYZE "+table); err != nil {
		return fmt.Errorf("analyze %s: %w", table, err)
	}
	return nil
}

// Contains is the condition that column holds the text of the next
// placeholder: instr on SQLite, strpos on PostgreSQL. Not LIKE: SQLite
// prepares a statement with LIKE ? again for every new pattern.
func (d Dialect) Contains(column string) string {
	if d == Postgres {
		return "strpos(" + column + ", ?) > 0"
	}
	return "instr(" + column + ", ?) > 0"
}
