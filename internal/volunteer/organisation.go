package volunteer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pii"
)

// Station levels: 新时代文明实践中心 (district), 所 (street), 站 (community).
const (
	LevelDistrict  = "district"
	LevelStreet    = "street"
	LevelCommunity = "community"
)

// StationLevels lists the levels in order.
func StationLevels() []string { return []string{LevelDistrict, LevelStreet, LevelCommunity} }

// Station is a civilization-practice centre, institute or station.
type Station struct {
	ID         int64
	Name       string
	Level      string
	RegionCode string
	UnitID     int64
	Address    string
	Lng, Lat   float64
	HasPlace   bool
	Teams      int
}

// StationInput is a new station.
type StationInput struct {
	Name       string
	Level      string
	RegionCode string
	UnitID     int64
	Address    string
	Lng, Lat   float64
	HasPlace   bool
}

// CreateStation adds a station inside the office's jurisdiction.
func (s *Store) CreateStation(ctx context.Context, a access.Actor, in StationInput) (int64, error) {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "" || len([]rune(in.Name)) > 60:
		return 0, apperr.Invalid("volunteer.station_name_invalid")
	case !slices.Contains(StationLevels(), in.Level):
		return 0, apperr.Invalid("volunteer.station_level_invalid")
	case in.UnitID < 0:
		return 0, apperr.Invalid("volunteer.station_unit_unknown")
	}
	if in.RegionCode == "" {
		in.RegionCode = a.Region
	}
	if !a.Manages(in.RegionCode) {
		return 0, apperr.Forbidden("volunteer.forbidden")
	}
	var lng, lat any
	if in.HasPlace {
		lng, lat = in.Lng, in.Lat
	}
	var id int64
	err := s.DB.ExecReturning(ctx, `INSERT INTO volunteer_station (name, level, region_code, unit_id, address, lng, lat, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Name, in.Level, in.RegionCode, db.NullID(in.UnitID), strings.TrimSpace(in.Address),
		lng, lat, db.Millis(s.now())).Scan(&id)
	switch {
	case db.IsUniqueViolation(err):
		return 0, apperr.Conflict("volunteer.station_taken", in.Name)
	case db.IsForeignKeyViolation(err):
		return 0, apperr.Invalid("volunteer.region_unknown")
	case err != nil:
		return 0, fmt.Errorf("create station: %w", err)
	}
	return id, nil
}

const stationCols = `s.id, s.name, s.level, s.region_code, COALESCE(s.unit_id, 0), s.address, s.lng, s.lat,
	(SELECT COUNT(*) FROM volunteer_team t WHERE t.station_id = s.id)`

func scanStation(r interface{ Scan(...any) error }) (Station, error) {
	var st Station
	var lng, lat sql.NullFloat64
	err := r.Scan(&st.ID, &st.Name, &st.Level, &st.RegionCode, &st.UnitID, &st.Address, &lng, &lat, &st.Teams)
	st.Lng, st.Lat, st.HasPlace = lng.Float64, lat.Float64, lng.Valid && lat.Valid
	return st, err
}

// listScope is the condition of a list of stations or teams: everything
// for an administrator, the area for those who oversee it, else the ones
// the actor runs (ids); ok is false when that is nothing.
func listScope(a access.Actor, oversees bool, regionCol, idCol string, ids []int64) (where string, args []any, ok bool) {
	switch {
	case a.IsAdmin():
		return "1 = 1", nil, true
	case oversees:
		where, args = inArea(regionCol, a.Region)
		return where, args, true
	case len(ids) > 0:
		for _, id := range ids {
			args = append(args, id)
		}
		return idCol + " IN (" + db.Placeholders(len(ids)) + ")", args, true
	}
	return "", nil, false
}

// Stations lists the stations the actor oversees or runs, by level and name.
func (s *Store) Stations(ctx context.Context, a access.Actor) ([]Station, error) {
	o, err := s.Scope(ctx, a)
	if err != nil {
		return nil, err
	}
	where, args, ok := listScope(a, o.Oversees, "s.region_code", "s.id", o.Stations)
	if !ok {
		return nil, nil
	}
	rows, err := s.DB.Query(ctx, "SELECT "+stationCols+" FROM volunteer_station s WHERE "+where+
		" ORDER BY CASE s.level WHEN 'district' THEN 0 WHEN 'street' THEN 1 ELSE 2 END, s.region_code, s.name", args...)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (Station, error) { return scanStation(r) })
	if err != nil {
		return nil, fmt.Errorf("stations: %w", err)
	}
	return list, nil
}

// Station returns one station the actor may see.
func (s *Store) Station(ctx context.Context, a access.Actor, id int64) (Station, error) {
	st, err := scanStation(s.DB.QueryRow(ctx, "SELECT "+stationCols+" FROM volunteer_station s WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return st, apperr.NotFound("volunteer.station_not_found")
	}
	if err != nil {
		return st, fmt.Errorf("station: %w", err)
	}
	if !a.Oversees(st.RegionCode) && !(unitStaff(a) && st.UnitID == a.UnitID) {
		return st, apperr.NotFound("volunteer.station_not_found")
	}
	return st, nil
}

// Team is a volunteer service team (志愿服务队).
type Team struct {
	ID          int64
	Name        string
	Kind        string
	StationID   int64
	StationName string
	UnitID      int64
	RegionCode  string
	LeaderID    int64
	LeaderName  string
	Members     int
	Pending     int
	// stationUnit is the unit that runs the team's station.
	stationUnit int64
}

// CanManage reports whether the actor runs the team: the office of its
// area, its leader, the staff of its unit or of its station's unit.
func (t Team) CanManage(a access.Actor) bool {
	return a.Manages(t.RegionCode) || a.UserID != 0 && a.UserID == t.LeaderID ||
		unitStaff(a) && (t.UnitID == a.UnitID || t.stationUnit != 0 && t.stationUnit == a.UnitID)
}

func (t Team) canRead(a access.Actor) bool { return t.CanManage(a) || a.Oversees(t.RegionCode) }

// TeamInput is a new team.
type TeamInput struct {
	Name       string
	Kind       string
	StationID  int64
	UnitID     int64
	RegionCode string
	LeaderID   int64
}

// CreateTeam adds a team inside the office's jurisdiction; a team of a
// station lies in the station's region unless another is given.
func (s *Store) CreateTeam(ctx context.Context, a access.Actor, in TeamInput) (int64, error) {
	in.Name, in.Kind = strings.TrimSpace(in.Name), strings.TrimSpace(in.Kind)
	switch {
	case in.Name == "" || len([]rune(in.Name)) > 60:
		return 0, apperr.Invalid("volunteer.team_name_invalid")
	case in.Kind == "" || len([]rune(in.Kind)) > 30:
		return 0, apperr.Invalid("volunteer.team_kind_invalid")
	}
	if in.StationID != 0 {
		st, err := s.Station(ctx, a, in.StationID)
		if err != nil {
			return 0, err
		}
		if in.RegionCode == "" {
			in.RegionCode = st.RegionCode
		}
	}
	if in.RegionCode == "" {
		in.RegionCode = a.Region
	}
	if !a.Manages(in.RegionCode) {
		return 0, apperr.Forbidden("volunteer.forbidden")
	}
	var id int64
	err := s.DB.ExecReturning(ctx, `INSERT INTO volunteer_team (name, kind, station_id, unit_id, region_code, leader_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Name, in.Kind, db.NullID(in.StationID), db.NullID(in.UnitID), in.RegionCode,
		db.NullID(in.LeaderID), db.Millis(s.now())).Scan(&id)
	switch {
	case db.IsUniqueViolation(err):
		return 0, apperr.Conflict("volunteer.team_taken", in.Name)
	case db.IsForeignKeyViolation(err):
		return 0, apperr.Invalid("volunteer.team_refs_unknown")
	case err != nil:
		return 0, fmt.Errorf("create team: %w", err)
	}
	return id, nil
}

const teamCols = `t.id, t.name, t.kind, COALESCE(t.station_id, 0), COALESCE(s.name, ''), COALESCE(s.unit_id, 0), COALESCE(t.unit_id, 0),
	t.region_code, COALESCE(t.leader_id, 0),
	(SELECT COUNT(*) FROM volunteer_member m WHERE m.team_id = t.id AND m.state = 'active'),
	(SELECT COUNT(*) FROM volunteer_member m WHERE m.team_id = t.id AND m.state = 'pending')
	FROM volunteer_team t LEFT JOIN volunteer_station s ON s.id = t.station_id`

func scanTeam(r interface{ Scan(...any) error }) (Team, error) {
	var t Team
	err := r.Scan(&t.ID, &t.Name, &t.Kind, &t.StationID, &t.StationName, &t.stationUnit, &t.UnitID, &t.RegionCode, &t.LeaderID,
		&t.Members, &t.Pending)
	return t, err
}

// leaderNames fills the teams' leaders' names from org.
func leaderNames(ctx context.Context, c db.Conn, teams []Team) error {
	ids := make([]int64, 0, len(teams))
	for _, t := range teams {
		ids = append(ids, t.LeaderID)
	}
	names, err := org.DisplayNames(ctx, c, ids)
	if err != nil {
		return err
	}
	for i := range teams {
		teams[i].LeaderName = names[teams[i].LeaderID]
	}
	return nil
}

// Teams lists the teams the actor oversees or runs.
func (s *Store) Teams(ctx context.Context, a access.Actor) ([]Team, error) {
	o, err := s.Scope(ctx, a)
	if err != nil {
		return nil, err
	}
	where, args, ok := listScope(a, o.Oversees, "t.region_code", "t.id", o.Teams)
	if !ok {
		return nil, nil
	}
	rows, err := s.DB.Query(ctx, "SELECT "+teamCols+" WHERE "+where+" ORDER BY t.region_code, t.name", args...)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (Team, error) { return scanTeam(r) })
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	return list, leaderNames(ctx, s.DB, list)
}

// OpenTeams lists every team by name, for the public sign-up form (names
// only are shown there).
func (s *Store) OpenTeams(ctx context.Context) ([]Team, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+teamCols+" ORDER BY t.region_code, t.name")
	list, err := db.Collect(rows, err, func(r *sql.Rows) (Team, error) { return scanTeam(r) })
	if err != nil {
		return nil, fmt.Errorf("open teams: %w", err)
	}
	return list, nil // names only: the public form shows no leader
}

func (s *Store) team(ctx context.Context, c db.Conn, id int64) (Team, error) {
	t, err := scanTeam(c.QueryRow(ctx, "SELECT "+teamCols+" WHERE t.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFound("volunteer.team_not_found")
	}
	if err != nil {
		return t, fmt.Errorf("team: %w", err)
	}
	one := []Team{t}
	err = leaderNames(ctx, c, one)
	return one[0], err
}

// Team returns a team the actor may see.
func (s *Store) Team(ctx context.Context, a access.Actor, id int64) (Team, error) {
	t, err := s.team(ctx, s.DB, id)
	if err != nil {
		return t, err
	}
	if !t.canRead(a) {
		return Team{}, apperr.NotFound("volunteer.team_not_found")
	}
	return t, nil
}

// Member is a volunteer in a team.
type Member struct {
	Volunteer
	MemberState string
}

// Members lists a team's members, those asking to join first.
func (s *Store) Members(ctx context.Context, a access.Actor, teamID int64) ([]Member, error) {
	if _, err := s.Team(ctx, a, teamID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT "+volunteerCols+", m.state FROM volunteer_member m JOIN volunteer v ON v.id = m.volunteer_id"+
		" WHERE m.team_id = ? AND m.state <> 'rejected' ORDER BY CASE m.state WHEN 'pending' THEN 0 ELSE 1 END, v.name, v.id", teamID)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (Member, error) {
		var m Member
		err := scanVolunteerInto(r, &m.Volunteer, &m.MemberState)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	for i := range list {
		list[i].Star = s.StarLevel(list[i].Minutes)
	}
	return list, nil
}

// AddMember puts a registered volunteer in a team the actor runs.
func (s *Store) AddMember(ctx context.Context, a access.Actor, teamID, volunteerID int64) error {
	t, err := s.Team(ctx, a, teamID)
	if err != nil {
		return err
	}
	if !t.CanManage(a) {
		return apperr.Forbidden("volunteer.forbidden")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var state string
		err := tx.QueryRow(ctx, "SELECT state FROM volunteer WHERE id = ?", volunteerID).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("volunteer.not_found")
		}
		if err != nil {
			return fmt.Errorf("member: %w", err)
		}
		return putMember(ctx, tx, teamID, volunteerID, "active", s.now())
	})
}

// AddMemberByNumber puts the volunteer registered under an ID number in a
// team the actor runs (the leader knows the number; nothing about the
// volunteer is shown before they are in the team).
func (s *Store) AddMemberByNumber(ctx context.Context, a access.Actor, teamID int64, number string) (int64, error) {
	if err := s.needKey(); err != nil {
		return 0, err
	}
	id, err := pii.ParseID(number, s.now())
	if err != nil {
		return 0, apperr.Invalid(idError(err))
	}
	h, err := s.Key.Hash(purposeID, id.Number)
	if err != nil {
		return 0, err
	}
	ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM volunteer WHERE id_hash = ? AND state = 'active'", h)
	if err != nil {
		return 0, fmt.Errorf("member by number: %w", err)
	}
	if len(ids) == 0 {
		return 0, apperr.Invalid("volunteer.number_not_registered")
	}
	return ids[0], s.AddMember(ctx, a, teamID, ids[0])
}

func putMember(ctx context.Context, tx *db.Tx, teamID, volunteerID int64, state string, now interface{ UnixMilli() int64 }) error {
	res, err := tx.Exec(ctx, "UPDATE volunteer_member SET state = ? WHERE team_id = ? AND volunteer_id = ?", state, teamID, volunteerID)
	if err != nil {
		return fmt.Errorf("member: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, "INSERT INTO volunteer_member (team_id, volunteer_id, state, since) VALUES (?, ?, ?, ?)",
		teamID, volunteerID, state, now.UnixMilli()); err != nil {
		return fmt.Errorf("member: %w", err)
	}
	return nil
}

// Decide approves or rejects a volunteer's request to join a team (and, for
// someone who signed up on the public form, their registration).
func (s *Store) Decide(ctx context.Context, a access.Actor, teamID, volunteerID int64, approve bool) error {
	t, err := s.Team(ctx, a, teamID)
	if err != nil {
		return err
	}
	if !t.CanManage(a) {
		return apperr.Forbidden("volunteer.forbidden")
	}
	state := "rejected"
	if approve {
		state = "active"
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE volunteer_member SET state = ? WHERE team_id = ? AND volunteer_id = ? AND state = 'pending'",
			state, teamID, volunteerID)
		if err != nil {
			return fmt.Errorf("decide: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("volunteer.nothing_pending")
		}
		// A public sign-up becomes a registered volunteer when a team
		// takes them, and stays refused when the last team refuses.
		if approve {
			_, err = tx.Exec(ctx, "UPDATE volunteer SET state = 'active' WHERE id = ? AND state = 'pending'", volunteerID)
		} else {
			_, err = tx.Exec(ctx, `UPDATE volunteer SET state = 'rejected' WHERE id = ? AND state = 'pending'
				AND NOT EXISTS (SELECT 1 FROM volunteer_member m WHERE m.volunteer_id = ? AND m.state <> 'rejected')`, volunteerID, volunteerID)
		}
		if err != nil {
			return fmt.Errorf("decide: %w", err)
		}
		return nil
	})
}
