// Package lease lets several wenming servers on one database share the
// periodic jobs: each job has a lease row; at its tick a server takes the
// lease for (a little less than) one period and runs the job, and a
// server whose tick falls inside someone else's lease skips that period.
// A server that stops simply lets its lease run out, and the next tick of
// any other server takes the job over.
//
// The jobs themselves stay safe when two runs overlap (their writes are
// conditional or claimed row by row); the lease makes a period's work run
// once rather than once per server, so notices, digests and bulletins are
// not computed twice and an external rate limit is spent once.
package lease

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
)

// Leases takes job leases in the database for one server.
type Leases struct {
	DB *db.DB
	// Holder names this server in the lease rows (host, process and a
	// random suffix by default, see NewHolder).
	Holder string
	Now    func() time.Time
}

// New returns leases for this process, named by NewHolder.
func New(d *db.DB) *Leases { return &Leases{DB: d, Holder: NewHolder(), Now: time.Now} }

// NewHolder names this process: host name, process id and a random
// suffix, so two processes never share a name.
func NewHolder() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

func (l *Leases) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Acquire takes the lease of job for ttl unless another holder's lease is
// still running, and reports whether this server holds it now. A holder
// may take its own lease again before it ends.
func (l *Leases) Acquire(ctx context.Context, job string, ttl time.Duration) (bool, error) {
	now := l.now()
	res, err := l.DB.Exec(ctx, `INSERT INTO job_lease (name, holder, expires_at, started_at, runs)
		VALUES (?, ?, ?, ?, 1)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
			started_at = excluded.started_at, runs = job_lease.runs + 1
		WHERE job_lease.expires_at <= ? OR job_lease.holder = excluded.holder`,
		job, l.Holder, db.Millis(now.Add(ttl)), db.Millis(now), db.Millis(now))
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", job, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", job, err)
	}
	return n == 1, nil
}

// Release ends this holder's lease of job early (after a job that should
// run again soon, or on shutdown).
func (l *Leases) Release(ctx context.Context, job string) error {
	if _, err := l.DB.Exec(ctx, `UPDATE job_lease SET expires_at = ? WHERE name = ? AND holder = ?`,
		db.Millis(l.now()), job, l.Holder); err != nil {
		return fmt.Errorf("release lease %s: %w", job, err)
	}
	return nil
}

// Run takes the lease of job for a little less than period (so that the
// holder's next tick finds it free) and, if it got it, runs fn. It
// reports whether fn ran.
func (l *Leases) Run(ctx context.Context, job string, period time.Duration, fn func(context.Context)) (bool, error) {
	ttl := period - period/10
	if ttl <= 0 {
		ttl = period
	}
	ok, err := l.Acquire(ctx, job, ttl)
	if err != nil || !ok {
		return false, err
	}
	fn(ctx)
	return true, nil
}

// State is one job's lease as stored.
type State struct {
	Job       string
	Holder    string
	ExpiresAt time.Time
	StartedAt time.Time
	Runs      int64
}

// Get returns the stored lease of job; ok is false when it never ran.
func (l *Leases) Get(ctx context.Context, job string) (State, bool, error) {
	s := State{Job: job}
	var exp, started int64
	err := l.DB.QueryRow(ctx, `SELECT holder, expires_at, started_at, runs FROM job_lease WHERE name = ?`, job).
		Scan(&s.Holder, &exp, &started, &s.Runs)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("lease %s: %w", job, err)
	}
	s.ExpiresAt, s.StartedAt = db.FromMillis(exp), db.FromMillis(started)
	return s, true, nil
}
