package inspect

import (
	"context"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
)

// HasPlans tells whether any inspection plan is stored, whoever may see
// it: the demo plays its rounds only into a database that has none.
func HasPlans(ctx context.Context, c db.Conn) (bool, error) {
	var n int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM inspection_plan LIMIT 1) x").Scan(&n); err != nil {
		return false, fmt.Errorf("count plans: %w", err)
	}
	return n > 0, nil
}
