package problem

import (
	"context"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
)

// The changes a Listener hears of.
const (
	HappenedDispatched   = "dispatched"    // to Case.UnitID
	HappenedReturned     = "returned"      // by Happening.UnitID
	HappenedVerifyFailed = "verify_failed" // sent back for rework
	HappenedEscalated    = "escalated"     // raised to Happening.Level (1 yellow, 2 red)
)

// Happening is a change of a case that systems outside the ledger (group
// robots, webhooks) may be told of. Case is the row as the change left
// it, without the names withNames adds; Note is the actor's note.
type Happening struct {
	Kind   string
	Case   *Case
	UnitID int64 // the unit concerned: dispatched to, or returned by
	Level  int
	Note   string
	At     time.Time
}

// Listener is told of a Happening inside the transaction that makes it,
// so what it writes (outbox rows) is kept if and only if the change is.
// The ledger does not know who listens; the server wires it.
type Listener func(ctx context.Context, tx db.Conn, h Happening) error

// tell calls the listener, if any.
func (s *Store) tell(ctx context.Context, tx db.Conn, h Happening) error {
	if s.Listener == nil {
		return nil
	}
	return s.Listener(ctx, tx, h)
}
