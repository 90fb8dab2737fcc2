package volunteer

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// KPI are the volunteer figures of a region and period: the one type every
// page that counts volunteering reads.
type KPI struct {
	Registered int   // active registrations in the area
	Active     int   // served in the twelve months before the period's end
	Teams      int   // teams of the area
	Stations   int   // stations of the area
	Activities int   // activities that started in the period
	Minutes    int64 // service hours credited in the period (ledger, corrections included)
	Pending    int   // public sign-ups waiting for a team
	ByMonth    []Count
	ByKind     []Count
	ByTeam     []Count // the top teams by hours
	ByStation  []Count
}

// HoursText is the period's hours.
func (k KPI) HoursText() string { return Hours(k.Minutes) }

// Count is one bar of a breakdown.
type Count struct {
	Key     string
	Label   string
	Minutes int64
}

// HoursText is the bar's hours.
func (c Count) HoursText() string { return Hours(c.Minutes) }

// Figures counts the region's volunteering for the days from..to
// (inclusive, YYYY-MM-DD), for those who oversee the region.
func (s *Store) Figures(ctx context.Context, a access.Actor, region, from, to string) (KPI, error) {
	var k KPI
	if region == "" {
		region = a.Region
	}
	if !a.Oversees(region) {
		return k, apperr.Forbidden("volunteer.forbidden")
	}
	return s.AreaFigures(ctx, region, from, to)
}

// AreaFigures counts a region's volunteering for a period, for a caller
// that has decided who may read it (the bulletin, which its issuer's
// scope bounds).
func (s *Store) AreaFigures(ctx context.Context, region, from, to string) (KPI, error) {
	var k KPI
	end, err := time.ParseInLocation("2006-01-02", to, Loc())
	if err != nil {
		return k, apperr.Invalid("volunteer.period_invalid")
	}
	start, err := time.ParseInLocation("2006-01-02", from, Loc())
	if err != nil || end.Before(start) {
		return k, apperr.Invalid("volunteer.period_invalid")
	}
	yearAgo := end.AddDate(-1, 0, 1).Format("2006-01-02")
	area, aargs := inArea("region_code", region)
	args := append([]any{}, aargs...)
	args = append(append(args, aargs...), yearAgo)
	args = append(args, aargs...)
	args = append(args, aargs...)
	args = append(args, aargs...)
	args = append(append(args, aargs...), db.Millis(start), db.Millis(end.AddDate(0, 0, 1)))
	err = s.DB.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM volunteer WHERE `+area+` AND state = 'active'),
		(SELECT COUNT(*) FROM volunteer WHERE `+area+` AND state = 'active' AND last_served_on >= ?),
		(SELECT COUNT(*) FROM volunteer WHERE `+area+` AND state = 'pending'),
		(SELECT COUNT(*) FROM volunteer_team WHERE `+area+`),
		(SELECT COUNT(*) FROM volunteer_station WHERE `+area+`),
		(SELECT COUNT(*) FROM volunteer_activity WHERE `+area+` AND state <> 'cancelled' AND starts_at >= ? AND starts_at < ?)`, args...).
		Scan(&k.Registered, &k.Active, &k.Pending, &k.Teams, &k.Stations, &k.Activities)
	if err != nil {
		return k, fmt.Errorf("volunteer figures: %w", err)
	}
	// The total and the breakdowns read the whole months of the period
	// from the monthly tally and the days at its ends from the daily one,
	// each in its key's order, and add up here.
	months, kinds, teams, stations := map[string]int64{}, map[string]int64{}, map[int64]int64{}, map[int64]int64{}
	add := func(q string, args ...any) error {
		tArea, tArgs := inArea("region_code", region)
		rows, err := s.DB.Query(ctx, q+" AND "+tArea, append(args, tArgs...)...)
		if err != nil {
			return fmt.Errorf("volunteer figures: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var day, kind string
			var team, station, m int64
			if err := rows.Scan(&day, &kind, &team, &station, &m); err != nil {
				return fmt.Errorf("volunteer figures: %w", err)
			}
			k.Minutes += m
			months[day[:min(7, len(day))]] += m
			if kind != "" {
				kinds[kind] += m
			}
			if team != 0 {
				teams[team] += m
			}
			if station != 0 {
				stations[station] += m
			}
		}
		return rows.Err()
	}
	const daily = "SELECT served_on, kind, team_id, station_id, minutes FROM volunteer_tally WHERE served_on >= ? AND served_on <= ?"
	const monthly = "SELECT month, kind, team_id, station_id, minutes FROM volunteer_tally_month WHERE month >= ? AND month <= ?"
	// The first whole month starts on or after from; the last ends on or
	// before to.
	firstFull := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, Loc())
	if start.Day() != 1 {
		firstFull = firstFull.AddDate(0, 1, 0)
	}
	afterLast := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, Loc())
	if end.AddDate(0, 0, 1).Day() == 1 {
		afterLast = afterLast.AddDate(0, 1, 0)
	}
	if !firstFull.Before(afterLast) {
		if err := add(daily, from, to); err != nil {
			return k, err
		}
	} else {
		day := func(t time.Time) string { return t.Format("2006-01-02") }
		if err := add(daily, from, day(firstFull.AddDate(0, 0, -1))); err != nil {
			return k, err
		}
		if err := add(monthly, firstFull.Format("2006-01"), afterLast.AddDate(0, -1, 0).Format("2006-01")); err != nil {
			return k, err
		}
		if err := add(daily, day(afterLast), to); err != nil {
			return k, err
		}
	}
	for mo, m := range months {
		k.ByMonth = append(k.ByMonth, Count{Key: mo, Label: mo, Minutes: m})
	}
	sort.Slice(k.ByMonth, func(i, j int) bool { return k.ByMonth[i].Key < k.ByMonth[j].Key })
	typeNames := map[string]string{}
	if types, err := s.Types(ctx); err == nil {
		for _, t := range types {
			typeNames[t.Code] = t.Name
		}
	}
	for code, m := range kinds {
		name := typeNames[code]
		if name == "" {
			name = code
		}
		k.ByKind = append(k.ByKind, Count{Key: code, Label: name, Minutes: m})
	}
	byMinutes(k.ByKind)
	if k.ByTeam, err = s.named(ctx, "SELECT id, name FROM volunteer_team WHERE id", teams, 10); err != nil {
		return k, err
	}
	if k.ByStation, err = s.named(ctx, "SELECT id, name FROM volunteer_station WHERE id", stations, 20); err != nil {
		return k, err
	}
	return k, nil
}

func byMinutes(c []Count) {
	sort.Slice(c, func(i, j int) bool {
		if c[i].Minutes != c[j].Minutes {
			return c[i].Minutes > c[j].Minutes
		}
		return c[i].Key < c[j].Key
	})
}

// named turns minutes by id into the top n counts with their names.
func (s *Store) named(ctx context.Context, q string, byID map[int64]int64, n int) ([]Count, error) {
	var out []Count
	for id, m := range byID {
		out = append(out, Count{Key: strconv.FormatInt(id, 10), Minutes: m})
	}
	byMinutes(out)
	if len(out) > n {
		out = out[:n]
	}
	ids := make([]int64, len(out))
	for i, c := range out {
		ids[i], _ = strconv.ParseInt(c.Key, 10, 64)
	}
	names, err := db.IDNames(ctx, s.DB, q+" IN ("+db.ListMarker+")", ids)
	if err != nil {
		return nil, fmt.Errorf("volunteer figures: %w", err)
	}
	for i := range out {
		out[i].Label = names[ids[i]]
	}
	return out, nil
}
