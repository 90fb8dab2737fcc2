package servertest

import (
	"slices"
	"testing"
)

// TestKeysFind: the check sees catalogue keys, including a doubled one,
// and not dotted words that are not keys or keys inside paths.
func TestKeysFind(t *testing.T) {
	k, err := LoadKeys()
	if err != nil {
		t.Fatal(err)
	}
	if len(k.set) < 100 || !k.set["problem.state.dispatched"] {
		t.Fatalf("catalogue has %d keys", len(k.set))
	}
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"不能对处于「problem.state.dispatched」状态的问题执行「problem.action.verify_pass」", []string{"problem.state.dispatched", "problem.action.verify_pass"}},
		{"region.import.stage.region.import.stage.read", []string{"region.import.stage.read"}},
		{"「problem.action.reopen」须上传照片", []string{"problem.action.reopen"}},
		{"版本 v1.2.3，文件 photo.jpg，网址 example.com", nil},
		{`<a href="/static/problem.state.dispatched">`, nil},
		{"已派遣待签收", nil},
	} {
		if got := k.Find(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("Find(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
