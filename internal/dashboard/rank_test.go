package dashboard

import (
	"reflect"
	"testing"
)

func TestGroupOf(t *testing.T) {
	tests := []struct{ kind, region, want string }{
		{"department", "410411", "department"},
		{"territorial", "410411001", "street"},
		{"territorial", "410411001001", "community"},
		{"territorial", "410411", "other"},
		{"sponsor", "410411", "other"},
		{"office", "410411", "other"},
		{"nonsense", "", "other"},
	}
	for _, tc := range tests {
		if got := groupOf(tc.kind, tc.region); got != tc.want {
			t.Errorf("groupOf(%s, %s) = %s, want %s", tc.kind, tc.region, got, tc.want)
		}
	}
}

func TestRank(t *testing.T) {
	row := func(id int64, group string, filed, closed, onTime, parked int) UnitRow {
		return UnitRow{ID: id, Name: string(rune('A' + id)), Filed: filed, Closed: closed, ClosedOnTime: onTime, Parked: parked, group: group}
	}
	groups := rank([]UnitRow{
		row(1, "street", 10, 9, 5, 0),    // 90 %
		row(2, "street", 20, 18, 10, 0),  // 90 %, same on-time rate as 1: they share rank 2
		row(3, "street", 11, 9, 9, 1),    // 90 % of 10 (parked left out), better on time: first
		row(4, "street", 4, 4, 4, 0),     // 100 % but too few cases
		row(5, "street", 6, 3, 3, 2),     // 4 after parking: too few
		row(6, "street", 10, 5, 5, 0),    // 50 %
		row(7, "department", 5, 0, 0, 0), // 0 %, ranked
	})
	if len(groups) != 2 || groups[0].Key != "department" || groups[1].Key != "street" {
		t.Fatalf("groups %+v", groups)
	}
	var got [][2]int64
	for _, u := range groups[1].Units {
		got = append(got, [2]int64{u.ID, int64(u.Rank)})
	}
	want := [][2]int64{{3, 1}, {2, 2}, {1, 2}, {6, 4}, {4, 0}, {5, 0}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("street ranking (id, rank) = %v, want %v", got, want)
	}
	if u := groups[0].Units[0]; u.Rank != 1 || u.ClosureRate != 0 {
		t.Errorf("department %+v", u)
	}
	if u := groups[1].Units[0]; u.ClosureRate != 0.9 || u.OnTimeRate != 0.9 {
		t.Errorf("rates over filed − parked: %+v", u)
	}
}

func TestTrendDays(t *testing.T) {
	// 1970-01-05 was a Monday; day 0 a Thursday.
	for idx, want := range map[int64]int64{0: -3, 4: 4, 5: 4, 10: 4, 11: 11, -1: -3} {
		if got := monday(idx); got != want {
			t.Errorf("monday(%d) = %d, want %d", idx, got, want)
		}
	}
	if dayString(4) != "1970-01-05" {
		t.Errorf("dayString(4) = %s", dayString(4))
	}
}
