package problem

// Bulk writes for generators (the synthetic city, the demo): they write
// many cases at once, so they skip the one-case-at-a-time API.

import (
	"context"
	"fmt"
	"strings"

	"github.com/wenming-civic/wenming/internal/db"
)

// LinkDuplicates sets duplicate_of in bulk from pairs of (duplicate,
// original) ids, 500 cases a statement: the synthetic city links its
// duplicates this way after writing them.
func LinkDuplicates(ctx context.Context, d db.Conn, pairs []int64) error {
	const step = 500
	for from := 0; from < len(pairs); from += 2 * step {
		part := pairs[from:min(len(pairs), from+2*step)]
		var cases strings.Builder
		args := make([]any, 0, len(part)+len(part)/2)
		for i := 0; i < len(part); i += 2 {
			cases.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
			args = append(args, part[i], part[i+1])
		}
		for i := 0; i < len(part); i += 2 {
			args = append(args, part[i])
		}
		q := "UPDATE problem SET duplicate_of = CASE id" + cases.String() + " END WHERE id IN (" + db.Placeholders(len(part)/2) + ")"
		if _, err := d.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("link duplicates: %w", err)
		}
	}
	return nil
}

// NextIDs returns the next free case and event ids, for a generator that
// assigns ids before writing rows in parallel.
func NextIDs(ctx context.Context, c db.Conn) (caseID, eventID int64, err error) {
	if err := c.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM problem").Scan(&caseID); err != nil {
		return 0, 0, fmt.Errorf("next problem id: %w", err)
	}
	if err := c.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM problem_event").Scan(&eventID); err != nil {
		return 0, 0, fmt.Errorf("next event id: %w", err)
	}
	return caseID, eventID, nil
}
