package merchant

import "testing"

// The worked example of the formula (flags.go), computed by hand.
func TestProposalWorkedExample(t *testing.T) {
	cfg := DefaultConfig() // one red (≥ 90), one black (< 70) per group
	figs := map[string]Figures{
		"甲": {SiteScore: 96},                                                  // 100 − (100 − 96)/2 = 98
		"乙": {SiteScore: -1},                                                  // 100
		"丙": {Cases: 3, Overdue: 1, Reworks: 1, Complaints: 1, SiteScore: -1}, // 100 − 15 − 10 − 10 − 15 = 50
		"丁": {Cases: 1, SiteScore: -1},                                        // 95
	}
	want := map[string]float64{"甲": 98, "乙": 100, "丙": 50, "丁": 95}
	var scores []Score
	for i, name := range []string{"甲", "乙", "丙", "丁"} {
		sc, _ := ScoreOf(figs[name])
		if sc != want[name] {
			t.Errorf("%s scores %v, want %v", name, sc, want[name])
		}
		f := figs[name]
		scores = append(scores, Score{MerchantID: int64(i + 1), MerchantName: name, Cases: f.Cases, Score: sc})
	}
	Propose(scores, cfg)
	flags := map[string]string{}
	for _, s := range scores {
		flags[s.MerchantName] = s.Proposed
	}
	if flags["乙"] != Red || flags["丙"] != Black || flags["甲"] != "" || flags["丁"] != "" {
		t.Errorf("proposal %v, want 乙 red and 丙 black", flags)
	}
	if scores[0].MerchantName != "乙" || scores[3].MerchantName != "丙" {
		t.Errorf("order %v", scores)
	}

	// Nobody under the black line: no black flag; nobody at the red line: no red.
	calm := []Score{{MerchantID: 1, Score: 85}, {MerchantID: 2, Score: 75}}
	Propose(calm, cfg)
	if calm[0].Proposed != "" || calm[1].Proposed != "" {
		t.Errorf("flags without reaching a line: %+v", calm)
	}

	// The flag moves among equals: of two clean merchants, the one that
	// held it last month yields; a signed commitment comes first of all.
	even := []Score{{MerchantID: 1, Score: 100, HadRed: true}, {MerchantID: 2, Score: 100}}
	Propose(even, cfg)
	if even[0].MerchantID != 2 || even[0].Proposed != Red {
		t.Errorf("last month's holder kept the flag: %+v", even)
	}
	signed := []Score{{MerchantID: 1, Score: 100}, {MerchantID: 2, Score: 100, Signed: true, HadRed: true}}
	Propose(signed, cfg)
	if signed[0].MerchantID != 2 {
		t.Errorf("the signed merchant does not come first: %+v", signed)
	}

	// A site inspected at 80 costs each of its merchants 10 points.
	if sc, d := ScoreOf(Figures{SiteScore: 80}); sc != 90 || d != 10 {
		t.Errorf("site deficit: %v %v", sc, d)
	}
	// Never below zero.
	if sc, _ := ScoreOf(Figures{Cases: 30, SiteScore: -1}); sc != 0 {
		t.Errorf("floor: %v", sc)
	}
}
