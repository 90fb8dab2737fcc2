package survey

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
)

// Sampling says how a round's households are drawn.
type Sampling struct {
	// Per is what N counts per: "community" (n households each), "street"
	// (n per street, spread over its communities in proportion to their
	// eligible households) or "total" (spread likewise over the area).
	Per     string `json:"per"`
	N       int    `json:"n"`
	Reserve int    `json:"reserve"` // k reserve households per community (备用样本)
	Seed    int64  `json:"seed"`
}

// The ways of counting a sample.
const (
	PerCommunity = "community"
	PerStreet    = "street"
	PerTotal     = "total"
)

// Pool is a community's eligible households.
type Pool struct {
	Community  string
	Households []int64
}

// Drawn is one household of a sample.
type Drawn struct {
	Community string
	Household int64
	Order     int // 1.. within the community
	Reserve   bool
}

// Quotas says how many households each community draws.
func Quotas(pools []Pool, sm Sampling) map[string]int {
	out := map[string]int{}
	switch sm.Per {
	case PerStreet:
		by := map[string][]Pool{}
		for _, p := range pools {
			by[streetOf(p.Community)] = append(by[streetOf(p.Community)], p)
		}
		for _, group := range by {
			for k, v := range proportional(group, sm.N) {
				out[k] = v
			}
		}
	case PerTotal:
		out = proportional(pools, sm.N)
	default:
		for _, p := range pools {
			out[p.Community] = min(sm.N, len(p.Households))
		}
	}
	return out
}

// proportional spreads n over the pools in proportion to their size, by
// the largest remainder, never more than a pool holds.
func proportional(pools []Pool, n int) map[string]int {
	out := map[string]int{}
	total := 0
	for _, p := range pools {
		total += len(p.Households)
	}
	if total == 0 || n <= 0 {
		for _, p := range pools {
			out[p.Community] = 0
		}
		return out
	}
	n = min(n, total)
	type rem struct {
		code string
		frac float64
		size int
	}
	var rs []rem
	given := 0
	for _, p := range pools {
		exact := float64(n) * float64(len(p.Households)) / float64(total)
		k := int(exact)
		out[p.Community] = k
		given += k
		rs = append(rs, rem{p.Community, exact - float64(k), len(p.Households)})
	}
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].frac != rs[j].frac {
			return rs[i].frac > rs[j].frac
		}
		return rs[i].code < rs[j].code
	})
	for i := 0; given < n && i < len(rs)*2; i++ {
		r := rs[i%len(rs)]
		if out[r.code] < r.size {
			out[r.code]++
			given++
		}
	}
	return out
}

// Draw draws each community's quota at random from its eligible
// households, then its reserves, in a draw order the seed fixes: the same
// pools, quotas and seed give the same sample.
func Draw(pools []Pool, quotas map[string]int, reserves int, seed int64) []Drawn {
	var out []Drawn
	sorted := slices.Clone(pools)
	slices.SortFunc(sorted, func(a, b Pool) int {
		if a.Community < b.Community {
			return -1
		}
		if a.Community > b.Community {
			return 1
		}
		return 0
	})
	for _, p := range sorted {
		ids := slices.Clone(p.Households)
		slices.Sort(ids)
		h := fnv.New64a()
		h.Write([]byte(p.Community))
		rng := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		n := min(quotas[p.Community], len(ids))
		k := min(reserves, len(ids)-n)
		for i := 0; i < n+k; i++ {
			out = append(out, Drawn{Community: p.Community, Household: ids[i], Order: i + 1, Reserve: i >= n})
		}
	}
	return out
}
