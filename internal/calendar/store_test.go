package calendar_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
)

func TestParseDays(t *testing.T) {
	in := "\ufeff日期,类型,名称\n" +
		"2026-02-14,上班,春节\n" +
		"2026/2/15, 放假 ,春节\n" +
		"\n" +
		"# a comment\n" +
		"2026-2-16,holiday\n" +
		"2026-02-28,workday,春节\n"
	days, errs := calendar.ParseDays(strings.NewReader(in))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := []calendar.Day{
		{Date: "2026-02-14", Kind: calendar.KindWorkday, Name: "春节"},
		{Date: "2026-02-15", Kind: calendar.KindHoliday, Name: "春节"},
		{Date: "2026-02-16", Kind: calendar.KindHoliday},
		{Date: "2026-02-28", Kind: calendar.KindWorkday, Name: "春节"},
	}
	if !slices.Equal(days, want) {
		t.Errorf("days = %v, want %v", days, want)
	}

	bad := "date,kind,name\n" +
		"2026-02-14,workday,春节\n" + // 2 fine
		"2026-02-30,holiday,春节\n" + // 3 no such date
		"2026-02-16,workday,春节\n" + // 4 a Monday
		"2026-02-17,off,春节\n" + // 5 unknown kind
		"2026-02-14,workday,春节\n" + // 6 repeats line 2
		"2026-02-18\n" + // 7 one column
		"2026-02-19,holiday,春节,extra\n" + // 8 four columns
		"2026-02-20,holiday," + strings.Repeat("节", 31) + "\n" // 9 name too long
	_, errs = calendar.ParseDays(strings.NewReader(bad))
	var got []string
	for _, e := range errs {
		got = append(got, fmt.Sprintf("%d %s", e.Line, e.Code))
	}
	wantErrs := []string{
		"3 calendar.date_invalid", "4 calendar.workday_not_weekend", "5 calendar.kind_invalid",
		"6 calendar.import.duplicate", "7 calendar.import.column_count", "8 calendar.import.column_count",
		"9 calendar.name_too_long",
	}
	if !slices.Equal(got, wantErrs) {
		t.Errorf("errors = %v, want %v", got, wantErrs)
	}
	if errs[3].Args[1] != 2 {
		t.Errorf("duplicate names line %v, want 2", errs[3].Args[1])
	}

	for name, in := range map[string]string{
		"empty":       "",
		"header only": "date,kind,name\n",
		"bad quotes":  "2026-02-14,\"workday,春节\n",
		"too large":   strings.Repeat("2026-02-15,holiday,春节\n", calendar.MaxUploadBytes/20),
	} {
		if _, errs := calendar.ParseDays(strings.NewReader(in)); len(errs) == 0 {
			t.Errorf("%s: no error", name)
		}
	}
}

func actors() (office, admin, handler, leader access.Actor) {
	office = access.Actor{UserID: 7, UnitID: 1, Region: "4104", Roles: []access.Role{access.RoleOffice}}
	admin = access.Actor{UserID: 8, Roles: []access.Role{access.RoleAdmin}}
	handler = access.Actor{UserID: 9, UnitID: 2, Roles: []access.Role{access.RoleHandler}}
	leader = access.Actor{UserID: 10, UnitID: 1, Region: "4104", Roles: []access.Role{access.RoleLeader}}
	return
}

func TestStoreSeedsOnce(t *testing.T) {
	ctx := context.Background()
	s := calendar.New(dbtest.Open(t))
	c, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.IsWorkday(at(t, "2026-02-16 10:00")) || !c.IsWorkday(at(t, "2026-02-14 10:00")) {
		t.Error("loaded calendar lacks the built-in 2026 schedule")
	}
	if n, err := s.EnsureDefaults(ctx); err != nil || n != 0 {
		t.Errorf("second EnsureDefaults = %d, %v; want 0", n, err)
	}
	builtin, _ := calendar.Builtin()
	days, err := s.Days(ctx, access.System(), 2026)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(days, builtin[2026]) {
		t.Errorf("Days(2026) = %d days, want the %d built-in ones", len(days), len(builtin[2026]))
	}
	years, err := s.Years(ctx, access.System())
	if err != nil {
		t.Fatal(err)
	}
	if len(years) != 2 || years[0].Year != 2026 || years[0].Source != calendar.SourceBuiltin || years[0].Days != len(builtin[2026]) {
		t.Errorf("Years = %+v", years)
	}
}

func TestReplaceYear(t *testing.T) {
	ctx := context.Background()
	s := calendar.New(dbtest.Open(t))
	if _, err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	office, admin, handler, leader := actors()
	good := []calendar.Day{
		{Date: "2027-01-01", Kind: calendar.KindHoliday, Name: "元旦"},
		{Date: "2027-02-06", Kind: calendar.KindHoliday, Name: "春节"},
		{Date: "2027-02-07", Kind: calendar.KindWorkday, Name: "春节"},
	}
	tests := []struct {
		name  string
		actor access.Actor
		year  int
		days  []calendar.Day
		code  string
		args  []any
	}{
		{"handler", handler, 2027, good, "calendar.forbidden", nil},
		{"leader", leader, 2027, good, "calendar.forbidden", nil},
		{"anonymous", access.Actor{}, 2027, good, "calendar.forbidden", nil},
		{"other year", office, 2027, append(slices.Clone(good), calendar.Day{Date: "2026-12-31", Kind: calendar.KindHoliday}),
			"calendar.date_outside_year", []any{"2026-12-31", 2027}},
		{"workday on a Friday", office, 2027, []calendar.Day{{Date: "2027-01-08", Kind: calendar.KindWorkday}},
			"calendar.workday_not_weekend", []any{"2027-01-08"}},
		{"duplicate holiday", office, 2027, append(slices.Clone(good), calendar.Day{Date: "2027-01-01", Kind: calendar.KindHoliday}),
			"calendar.date_duplicate", []any{"2027-01-01"}},
		{"unknown kind", office, 2027, []calendar.Day{{Date: "2027-01-01", Kind: "rest"}},
			"calendar.kind_invalid", []any{"2027-01-01", "rest"}},
		{"bad date", office, 2027, []calendar.Day{{Date: "2027-13-01", Kind: calendar.KindHoliday}},
			"calendar.date_invalid", []any{"2027-13-01"}},
		{"empty", office, 2027, nil, "calendar.year_empty", []any{2027}},
		{"year out of range", office, 1999, good, "calendar.year_invalid", []any{1999}},
		{"office", office, 2027, good, "", nil},
		{"admin, Chinese kinds and loose dates", admin, 2027, []calendar.Day{
			{Date: "2027/1/1", Kind: "放假", Name: " 元旦 "},
			{Date: "2027-02-06", Kind: calendar.KindHoliday, Name: "春节"},
			{Date: "2027-02-07", Kind: "上班", Name: "春节"},
		}, "", nil},
	}
	for _, tc := range tests {
		err := s.ReplaceYear(ctx, tc.actor, tc.year, tc.days)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		e := apperr.As(err)
		if e.Code != tc.code || fmt.Sprint(e.Args) != fmt.Sprint(tc.args) {
			t.Errorf("%s: error %v, want %s%v", tc.name, err, tc.code, tc.args)
		}
		want := apperr.KindInvalid
		if tc.code == "calendar.forbidden" {
			want = apperr.KindForbidden
		}
		if e.Kind != want {
			t.Errorf("%s: kind %v, want %v", tc.name, e.Kind, want)
		}
	}
	days, err := s.Days(ctx, access.System(), 2027)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(days, good) {
		t.Errorf("Days(2027) = %v, want %v", days, good)
	}

	// Replacing 2026 takes out the built-in days, and seeding leaves the
	// office's version alone.
	if err := s.ReplaceYear(ctx, office, 2026, []calendar.Day{{Date: "2026-10-01", Kind: calendar.KindHoliday, Name: "国庆节"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.EnsureDefaults(ctx); err != nil || n != 0 {
		t.Errorf("EnsureDefaults after replace = %d, %v", n, err)
	}
	c, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsWorkday(at(t, "2026-02-16 10:00")) || c.IsWorkday(at(t, "2026-10-01 10:00")) || !c.Covers(2027) {
		t.Error("Load does not reflect the replaced years")
	}
	years, err := s.Years(ctx, access.System())
	if err != nil {
		t.Fatal(err)
	}
	if years[1].Year != 2026 || years[1].Source != calendar.SourceOffice || years[1].UpdatedBy != office.UserID || years[1].Days != 1 {
		t.Errorf("Years()[1] = %+v", years[1])
	}

	if err := s.RestoreDefault(ctx, handler, 2026); apperr.As(err).Kind != apperr.KindForbidden {
		t.Errorf("handler RestoreDefault: %v", err)
	}
	if err := s.RestoreDefault(ctx, office, 2031); apperr.As(err).Code != "calendar.no_builtin" {
		t.Errorf("RestoreDefault(2031): %v", err)
	}
	if err := s.RestoreDefault(ctx, office, 2026); err != nil {
		t.Fatal(err)
	}
	if c, err = s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if c.IsWorkday(at(t, "2026-02-16 10:00")) {
		t.Error("RestoreDefault did not bring the Spring Festival back")
	}
}

func TestWorkingHoursSetting(t *testing.T) {
	ctx := context.Background()
	s := calendar.New(dbtest.Open(t))
	office, _, handler, _ := actors()
	ps, err := s.WorkingHours(ctx, access.System())
	if err != nil || calendar.FormatPeriods(ps) != "08:30-12:00,13:30-17:30" {
		t.Fatalf("default hours = %v, %v", ps, err)
	}
	summer := []calendar.Period{{Start: 8 * 60, End: 12 * 60}, {Start: 14*60 + 30, End: 18 * 60}}
	if err := s.SetWorkingHours(ctx, handler, summer); apperr.As(err).Code != "calendar.forbidden" {
		t.Errorf("handler SetWorkingHours: %v", err)
	}
	if err := s.SetWorkingHours(ctx, office, []calendar.Period{{Start: 600, End: 540}}); apperr.As(err).Code != "calendar.hours_invalid" {
		t.Errorf("SetWorkingHours(bad): %v", err)
	}
	for range 2 { // the second write updates the setting in place
		if err := s.SetWorkingHours(ctx, office, summer); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.AddWorkingDays(at(t, "2026-03-02 10:00"), 1); local(got) != "2026-03-03 18:00" {
		t.Errorf("day end with summer hours = %s", local(got))
	}
	if got := c.AddWorkingHours(at(t, "2026-03-02 11:00"), 2); local(got) != "2026-03-02 15:30" {
		t.Errorf("hours across the summer lunch break = %s", local(got))
	}
}

// TestEnsureDefaultsConcurrent: servers starting together seed each year once.
func TestEnsureDefaultsConcurrent(t *testing.T) {
	ctx := context.Background()
	s := calendar.New(dbtest.Open(t))
	type result struct {
		n   int
		err error
	}
	out := make(chan result, 4)
	for range 4 {
		go func() {
			n, err := s.EnsureDefaults(ctx)
			out <- result{n, err}
		}()
	}
	total := 0
	for range 4 {
		r := <-out
		if r.err != nil {
			t.Fatal(r.err)
		}
		total += r.n
	}
	builtin, _ := calendar.Builtin()
	if total != len(builtin) {
		t.Errorf("concurrent seeding added %d years, want %d", total, len(builtin))
	}
	days, err := s.Days(ctx, access.System(), 2026)
	if err != nil || len(days) != len(builtin[2026]) {
		t.Errorf("Days(2026) = %d, %v", len(days), err)
	}
}

// TestConfigurationReadsNeedAViewer: the configured years, days and hours
// are read by the office, leaders and administrators only.
func TestConfigurationReadsNeedAViewer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := calendar.New(dbtest.Open(t))
	if _, err := s.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	office, admin, handler, leader := actors()
	reads := map[string]func(access.Actor) error{
		"Years": func(a access.Actor) error { _, err := s.Years(ctx, a); return err },
		"Days":  func(a access.Actor) error { _, err := s.Days(ctx, a, 2026); return err },
		"WorkingHours": func(a access.Actor) error {
			_, err := s.WorkingHours(ctx, a)
			return err
		},
	}
	inspector := access.Actor{UserID: 11, Roles: []access.Role{access.RoleInspector}}
	for name, read := range reads {
		for _, tc := range []struct {
			who   string
			actor access.Actor
			ok    bool
		}{
			{"office", office, true}, {"admin", admin, true}, {"leader", leader, true},
			{"handler", handler, false}, {"inspector", inspector, false}, {"anonymous", access.Actor{}, false},
		} {
			err := read(tc.actor)
			if tc.ok && err != nil {
				t.Errorf("%s by %s: %v", name, tc.who, err)
			}
			if !tc.ok && apperr.As(err).Code != "cfg.forbidden" {
				t.Errorf("%s by %s: %v, want cfg.forbidden", name, tc.who, err)
			}
		}
	}
	if !calendar.CanEdit(office) || !calendar.CanEdit(admin) || calendar.CanEdit(leader) || calendar.CanEdit(handler) {
		t.Error("CanEdit does not match the roles that may change the calendar")
	}
}
