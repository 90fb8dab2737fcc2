package routing

import (
	"context"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
)

// HasEnabledRules tells whether any routing rule is enabled. Without one,
// where a case goes depends only on its category's owner rule and its
// place, which lets a generator ask Decide once per owner rule and place
// instead of once per category.
func HasEnabledRules(ctx context.Context, c db.Conn) (bool, error) {
	var n int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM routing_rule WHERE enabled = TRUE LIMIT 1) x").Scan(&n); err != nil {
		return false, fmt.Errorf("count routing rules: %w", err)
	}
	return n > 0, nil
}
