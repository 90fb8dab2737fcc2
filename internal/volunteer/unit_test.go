package volunteer

import (
	"testing"
	"time"
)

func TestStarLevelWorkedExamples(t *testing.T) {
	national := DefaultStars()
	tests := []struct {
		minutes    int64
		thresholds []int
		want       int
	}{
		{0, national, 0},
		{99*60 + 59, national, 0},
		{100 * 60, national, 1},
		{299 * 60, national, 1},
		{300 * 60, national, 2},
		{600 * 60, national, 3},
		{999*60 + 59, national, 3},
		{1000 * 60, national, 4},
		{1499 * 60, national, 4},
		{1500 * 60, national, 5},
		{10000 * 60, national, 5},
		{-60, national, 0}, // a correction below zero never makes a star
		{90 * 60, []int{50, 80, 120, 200, 300}, 2},
	}
	for _, tc := range tests {
		if got := StarLevel(tc.minutes, tc.thresholds); got != tc.want {
			t.Errorf("StarLevel(%d min, %v) = %d, want %d", tc.minutes, tc.thresholds, got, tc.want)
		}
	}
	s := &Store{}
	if h, missing := s.NextStar(250 * 60); h != 300 || missing != 50 {
		t.Errorf("NextStar(250 h) = %d, %v", h, missing)
	}
	if h, _ := s.NextStar(1600 * 60); h != 0 {
		t.Errorf("NextStar at the top = %d", h)
	}
}

func TestHoursText(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 60: "1", 90: "1.5", 101: "1.7", -30: "-0.5", 6000: "100"} {
		if got := Hours(in); got != want {
			t.Errorf("Hours(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestParseToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	good := "2s.k3jd.in." + tokenMAC(key, 100, 34567, "in")
	tests := []struct {
		tok string
		ok  bool
	}{
		{good, true},
		{"2s.k3jd.out.abc", true}, // shape only: the signature is checked against the activity's key
		{"2s.k3jd.sideways.abc", false},
		{"2s.k3jd.in", false},
		{"-1.k3jd.in.abc", false},
		{"", false},
		{"a.b.c.d.e", false},
	}
	for _, tc := range tests {
		if _, ok := ParseToken(tc.tok); ok != tc.ok {
			t.Errorf("ParseToken(%q) ok = %v", tc.tok, ok)
		}
	}
	// The signature binds activity, period and mode.
	base := tokenMAC(key, 100, 34567, "in")
	for _, other := range []string{tokenMAC(key, 101, 34567, "in"), tokenMAC(key, 100, 34568, "in"), tokenMAC(key, 100, 34567, "out"),
		tokenMAC([]byte("another key of thirty-two bytes!"), 100, 34567, "in")} {
		if other == base {
			t.Error("signature does not change with its input")
		}
	}
}

func TestDistanceAndWorked(t *testing.T) {
	// 0.001° of latitude is about 111 m.
	if d := Distance(113.32, 33.73, 113.32, 33.731); d < 110 || d > 112 {
		t.Errorf("Distance over 0.001° lat = %.1f m", d)
	}
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	x := Activity{StartsAt: start, EndsAt: start.Add(2 * time.Hour)}
	tests := []struct {
		name string
		g    Signup
		want int64
	}{
		{"in and out inside", Signup{Minutes: -1, CheckinAt: start.Add(10 * time.Minute), CheckoutAt: start.Add(70 * time.Minute)}, 60},
		{"early in, late out: clipped to the window", Signup{Minutes: -1, CheckinAt: start.Add(-20 * time.Minute), CheckoutAt: start.Add(3 * time.Hour)}, 120},
		{"in, never out", Signup{Minutes: -1, CheckinAt: start}, 0},
		{"organiser's word, no times", Signup{Minutes: -1, Attendance: Attended}, 120},
		{"set by hand", Signup{Minutes: 45, CheckinAt: start, CheckoutAt: start.Add(2 * time.Hour)}, 45},
		{"no-show", Signup{Minutes: -1, Attendance: NoShow}, 0},
	}
	for _, tc := range tests {
		if got := tc.g.Worked(x); got != tc.want {
			t.Errorf("%s: Worked = %d, want %d", tc.name, got, tc.want)
		}
	}
}
