package problem

import (
	"context"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// HoursCounter measures working hours between two times.
type HoursCounter interface {
	WorkingHours(ctx context.Context, from, to time.Time) (float64, error)
}

// KPI holds the figures of DESIGN.md's metric definitions for one scope
// and period (cases counted by filing time).
type KPI struct {
	Filed, Closed, ClosedOnTime, Parked int
	Dispatched, Extended, Returned      int
	Verifications, VerifyFailed         int
	Overdue                             int     // open and past deadline now, whatever the period
	MeanHandlingHours                   float64 // dispatch to rectified, working hours
	Handled                             int     // cases the mean is over
}

// ratio divides, giving 0 for an empty denominator.
func ratio(n, d int) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// ClosureRate is 结案率 = closed / (filed − parked).
func (k KPI) ClosureRate() float64 { return ratio(k.Closed, k.Filed-k.Parked) }

// OnTimeRate is 按期结案率 = closed on or before deadline / (filed − parked).
func (k KPI) OnTimeRate() float64 { return ratio(k.ClosedOnTime, k.Filed-k.Parked) }

// ReworkRate is 返工率 = verifications failed / verifications.
func (k KPI) ReworkRate() float64 { return ratio(k.VerifyFailed, k.Verifications) }

// ExtensionRate is 延期率 per dispatched case.
func (k KPI) ExtensionRate() float64 { return ratio(k.Extended, k.Dispatched) }

// ReturnRate is 退回率 per dispatched case.
func (k KPI) ReturnRate() float64 { return ratio(k.Returned, k.Dispatched) }

// KPIs computes the figures for the cases the actor may see that match the
// scope filter (unit, region, category, source) and were filed in [from, to).
func (s *Store) KPIs(ctx context.Context, a access.Actor, f Filter, from, to time.Time, hours HoursCounter) (KPI, error) {
	if !a.SignedIn() {
		return KPI{}, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	now := s.Now()
	scope := Filter{UnitID: f.UnitID, Region: f.Region, CategoryID: f.CategoryID, Source: f.Source}
	where, args := scope.where(a, now)
	var k KPI
	period := where + " AND p.filed_at >= ? AND p.filed_at < ? AND p.state NOT IN (?, ?)"
	pargs := append(append([]any{}, args...), db.Millis(from), db.Millis(to), string(Rejected), string(Duplicate))
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN p.state = 'closed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.state = 'closed' AND p.deadline IS NOT NULL AND p.closed_at <= p.deadline THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.state = 'parked' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.dispatched_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.extension_count > 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.return_count > 0 THEN 1 ELSE 0 END), 0)
		FROM problem p WHERE `+period, pargs...).
		Scan(&k.Filed, &k.Closed, &k.ClosedOnTime, &k.Parked, &k.Dispatched, &k.Extended, &k.Returned)
	if err != nil {
		return k, fmt.Errorf("kpi counts: %w", err)
	}
	err = s.DB.QueryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN e.action IN ('verify_pass', 'verify_fail') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN e.action = 'verify_fail' THEN 1 ELSE 0 END), 0)
		FROM problem_event e JOIN problem p ON p.id = e.problem_id
		WHERE e.action IN ('verify_pass', 'verify_fail') AND `+period, pargs...).Scan(&k.Verifications, &k.VerifyFailed)
	if err != nil {
		return k, fmt.Errorf("kpi verifications: %w", err)
	}
	if k.Overdue, err = s.overdue(ctx, where, args, now); err != nil {
		return k, err
	}
	if hours == nil {
		return k, nil
	}
	rows, err := s.DB.Query(ctx, "SELECT p.dispatched_at, p.rectified_at FROM problem p WHERE "+period+
		" AND p.dispatched_at IS NOT NULL AND p.rectified_at IS NOT NULL AND p.rectified_at >= p.dispatched_at", pargs...)
	if err != nil {
		return k, fmt.Errorf("kpi handling time: %w", err)
	}
	defer rows.Close()
	var sum float64
	for rows.Next() {
		var d, r int64
		if err := rows.Scan(&d, &r); err != nil {
			return k, fmt.Errorf("kpi handling time: %w", err)
		}
		h, err := hours.WorkingHours(ctx, db.FromMillis(d), db.FromMillis(r))
		if err != nil {
			return k, err
		}
		sum += h
		k.Handled++
	}
	if k.Handled > 0 {
		k.MeanHandlingHours = sum / float64(k.Handled)
	}
	return k, rows.Err()
}

// Overdue counts the cases the actor may see that match the scope filter
// (unit, region, category, source) and are open and past their deadline
// now.
func (s *Store) Overdue(ctx context.Context, a access.Actor, f Filter) (int, error) {
	if !a.SignedIn() {
		return 0, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	now := s.Now()
	scope := Filter{UnitID: f.UnitID, Region: f.Region, CategoryID: f.CategoryID, Source: f.Source}
	where, args := scope.where(a, now)
	return s.overdue(ctx, where, args, now)
}

func (s *Store) overdue(ctx context.Context, where string, args []any, now time.Time) (int, error) {
	oargs := append(append([]any{}, args...), string(Filed), string(Dispatched), string(InProgress), db.Millis(now))
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM problem p WHERE "+where+" AND p.state IN (?, ?, ?) AND p.deadline < ?", oargs...).
		Scan(&n); err != nil {
		return 0, fmt.Errorf("kpi overdue: %w", err)
	}
	return n, nil
}
