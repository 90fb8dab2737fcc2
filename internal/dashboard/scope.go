package dashboard

import (
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/problem"
)

// where limits problem rows (alias p) to what the actor may see and the
// filter asks for: the ledger's own rule, so the board and the ledger always
// agree.
func where(a access.Actor, f problem.Filter, now time.Time) (string, []any) {
	return f.Where(a, now)
}
