// Package inspect runs inspections of sites against the evaluation
// framework (督导检查、模拟测评): plans with their sites and inspectors, the
// checklist results submitted from the field, the problems failures file,
// and the score rates that tell the office where it stands.
package inspect

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
)

// SiteRef is what sampling needs to know of a site.
type SiteRef struct {
	ID   int64
	Type string
}

// Sample draws up to perType[t] sites of each type t, the way the national
// evaluation samples sites. The draw depends only on the sites, the counts
// and the seed, so a plan can be drawn again and checked; the result is in
// site id order.
func Sample(sites []SiteRef, perType map[string]int, seed int64) []int64 {
	byType := map[string][]int64{}
	for _, s := range sites {
		byType[s.Type] = append(byType[s.Type], s.ID)
	}
	var out []int64
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, t := range types {
		n := perType[t]
		ids := byType[t]
		if n <= 0 {
			continue
		}
		slices.Sort(ids)
		// One generator per type, so adding sites of one type does not
		// change the draw of another.
		h := fnv.New64a()
		h.Write([]byte(t))
		rng := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		out = append(out, ids[:min(n, len(ids))]...)
	}
	slices.Sort(out)
	return out
}

// Outcome is the result of one criterion at one site.
type Outcome string

// The outcomes.
const (
	Pass          Outcome = "pass"
	Fail          Outcome = "fail"
	NotApplicable Outcome = "na"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == Pass || o == Fail || o == NotApplicable }

// Weighted is one criterion's outcome with its weight (score).
type Weighted struct {
	Outcome Outcome
	Weight  float64
}

// ScoreRate is a site's 得分率: weighted passes over weighted applicable
// criteria. ok is false when nothing was applicable.
func ScoreRate(results []Weighted) (rate float64, ok bool) {
	var passed, applicable float64
	for _, r := range results {
		if r.Outcome == NotApplicable || r.Weight <= 0 {
			continue
		}
		applicable += r.Weight
		if r.Outcome == Pass {
			passed += r.Weight
		}
	}
	if applicable == 0 {
		return 0, false
	}
	return passed / applicable, true
}

// Mean averages rates, giving 0 and false for none.
func Mean(rates []float64) (float64, bool) {
	if len(rates) == 0 {
		return 0, false
	}
	var sum float64
	for _, r := range rates {
		sum += r
	}
	return sum / float64(len(rates)), true
}
