package synth

import (
	"encoding/json"
	"testing"

	"github.com/wenming-civic/wenming/internal/problem"
)

// TestEventData checks the hand-written event JSON against what
// problem.Store writes, json.Marshal of a problem.EventData.
func TestEventData(t *testing.T) {
	name, _ := json.Marshal("电力社区居民委员会")
	note, _ := json.Marshal("territorial|电力社区居民委员会")
	for _, tc := range []struct {
		e    event
		dup  int64
		want problem.EventData
	}{
		{event{action: problem.ActReport}, 0, problem.EventData{}},
		{event{action: problem.ActFile, category: 12}, 0, problem.EventData{CategoryID: 12}},
		{event{action: problem.ActMerge}, 77, problem.EventData{DuplicateOf: 77}},
		{event{action: problem.ActDispatch, unit: 5, unitJS: string(name), route: "territorial|电力社区居民委员会", routeJS: string(note), deadline: 1790000000000}, 0,
			problem.EventData{UnitID: 5, UnitName: "电力社区居民委员会", RouteNote: "territorial|电力社区居民委员会", Deadline: 1790000000000}},
		{event{action: problem.ActReturn, unit: 5}, 0, problem.EventData{UnitID: 5}},
		{event{action: problem.ActRequestExtension, deadline: 3}, 0, problem.EventData{Deadline: 3}},
		{event{action: problem.ActApproveExtension, deadline: 3}, 0, problem.EventData{Deadline: 3}},
		{event{action: problem.ActPark, deadline: 4}, 0, problem.EventData{Deadline: 4}},
		{event{action: problem.ActResume, deadline: 5}, 0, problem.EventData{Deadline: 5}},
		{event{action: problem.ActVerifyFail, deadline: 6}, 0, problem.EventData{Deadline: 6}},
		{event{action: problem.ActEscalate, level: 2}, 0, problem.EventData{Level: 2}},
		{event{action: problem.ActRectify}, 0, problem.EventData{}},
		{event{action: problem.ActVerifyPass}, 0, problem.EventData{}},
	} {
		want, _ := json.Marshal(tc.want)
		if got := eventData(nil, &tc.e, tc.dup); string(got) != string(want) {
			t.Errorf("%s: %s, want %s", tc.e.action, got, want)
		}
	}
}
