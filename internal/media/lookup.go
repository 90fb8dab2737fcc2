package media

import (
	"context"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
)

// Stored reports whether a photo with this hash has been stored.
func Stored(ctx context.Context, c db.Conn, hash string) (bool, error) {
	var n int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM photo WHERE hash = ?", hash).Scan(&n); err != nil {
		return false, fmt.Errorf("check photo: %w", err)
	}
	return n > 0, nil
}
