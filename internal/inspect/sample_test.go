package inspect

import (
	"math"
	"slices"
	"testing"
)

func TestSampleIsReproducibleAndBounded(t *testing.T) {
	var sites []SiteRef
	for i := int64(1); i <= 60; i++ {
		typ := []string{"square", "main_road", "back_alley"}[i%3]
		sites = append(sites, SiteRef{ID: i, Type: typ})
	}
	per := map[string]int{"square": 3, "main_road": 5, "back_alley": 50, "toilet": 2}
	a := Sample(sites, per, 2026)
	b := Sample(slices.Clone(sites), per, 2026)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different draws: %v %v", a, b)
	}
	if c := Sample(sites, per, 2027); slices.Equal(a, c) {
		t.Fatalf("another seed drew the same sites: %v", a)
	}
	// 3 squares + 5 main roads + all 20 back alleys; no toilets exist.
	if len(a) != 3+5+20 {
		t.Fatalf("drew %d sites", len(a))
	}
	count := map[string]int{}
	for _, id := range a {
		count[sites[id-1].Type]++
	}
	if count["square"] != 3 || count["main_road"] != 5 || count["back_alley"] != 20 {
		t.Fatalf("per type %v", count)
	}
	// Adding a site of one type leaves the other types' draws alone.
	more := append(slices.Clone(sites), SiteRef{ID: 61, Type: "square"})
	d := Sample(more, per, 2026)
	pick := func(ids []int64, typ string) []int64 {
		var out []int64
		for _, id := range ids {
			if id <= 60 && sites[id-1].Type == typ {
				out = append(out, id)
			}
		}
		return out
	}
	if !slices.Equal(pick(a, "main_road"), pick(d, "main_road")) {
		t.Fatal("a new square changed the main-road draw")
	}
}

func TestScoreRate(t *testing.T) {
	tests := []struct {
		name string
		in   []Weighted
		want float64
		ok   bool
	}{
		{"all pass", []Weighted{{Pass, 2}, {Pass, 3}}, 1, true},
		{"weighted", []Weighted{{Pass, 3}, {Fail, 1}}, 0.75, true},
		{"not applicable ignored", []Weighted{{Pass, 2}, {Fail, 2}, {NotApplicable, 10}}, 0.5, true},
		{"worked example 17 of 20", []Weighted{{Pass, 5}, {Pass, 5}, {Pass, 4}, {Pass, 3}, {Fail, 2}, {Fail, 1}}, 0.85, true},
		{"nothing applicable", []Weighted{{NotApplicable, 1}}, 0, false},
	}
	for _, tc := range tests {
		got, ok := ScoreRate(tc.in)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: %v %v, want %v %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
	if m, ok := Mean([]float64{0.8, 0.9, 1}); !ok || math.Abs(m-0.9) > 1e-12 {
		t.Errorf("mean %v", m)
	}
}
