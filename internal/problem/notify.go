package problem

import (
	"context"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
)

// noticeTo is someone to tell about a move.
type noticeTo struct {
	kind        string
	toUnit      int64 // the handlers of this unit
	toOffice    bool  // the office users whose jurisdiction holds the case
	toVerifiers bool  // office users and inspectors of the jurisdiction
}

// recipientsKept is recipients kept for the request's reference
// generation (users, roles and units count it up as they change): every
// report tells the office, every dispatch the unit's handlers.
func (s *Store) recipientsKept(ctx context.Context, tx db.Conn, c *Case, n noticeTo) ([]int64, error) {
	key := recipientKey{unit: n.toUnit, verifiers: n.toVerifiers, office: n.toOffice}
	if n.toUnit == 0 {
		key.region = c.RegionCode
	}
	return s.noticed.Load(ctx, key, func() ([]int64, error) { return recipients(ctx, tx, c, n) })
}

// recipientKey is who a notice goes to: a unit's handlers, or the
// verifiers or the office over a place.
type recipientKey struct {
	unit              int64
	region            string
	verifiers, office bool
}

// recipients lists the users a notice goes to; org knows who they are.
func recipients(ctx context.Context, tx db.Conn, c *Case, n noticeTo) ([]int64, error) {
	switch {
	case n.toUnit != 0:
		return org.ActiveUsersOfUnits(ctx, tx, []int64{n.toUnit}, access.RoleHandler)
	case n.toVerifiers:
		return org.ActiveUsersGoverning(ctx, tx, c.RegionCode, access.RoleOffice, access.RoleInspector)
	case n.toOffice:
		return org.ActiveUsersGoverning(ctx, tx, c.RegionCode, access.RoleOffice)
	}
	return nil, nil
}

// notify writes the in-app notifications of a move, in its transaction.
func (s *Store) notify(ctx context.Context, tx db.Conn, c *Case, notices []noticeTo, now time.Time) error {
	for _, n := range notices {
		users, err := s.recipientsKept(ctx, tx, c, n)
		if err != nil {
			return err
		}
		if err := notice.Add(ctx, tx, notice.Message{Users: users, ProblemID: c.ID, Kind: n.kind,
			Args: []string{c.Code}, At: now}); err != nil {
			return err
		}
	}
	return nil
}

// warn logs what went wrong without failing what it happened in.
func (s *Store) warn(msg string, args ...any) {
	if s.Log != nil {
		s.Log.Warn(msg, args...)
	}
}
