package region_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/wenming-civic/wenming/internal/i18n"
)

// TestCatalogue checks that every region.* key the code names has a zh-CN
// text and that region.json holds no key the code never uses.
func TestCatalogue(t *testing.T) {
	cat := i18n.MustLoad("zh-CN")
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	key := regexp.MustCompile(`"(region\.[a-z_.]+[a-z_])"`)
	for _, f := range files {
		if matched, _ := filepath.Match("*_test.go", f); matched {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	if len(used) < 20 {
		t.Fatalf("found only %d keys in the code", len(used))
	}
	for k := range used {
		if !cat.Has(k) {
			t.Errorf("key %q has no zh-CN text", k)
		}
	}
	body, err := os.ReadFile(filepath.Join("..", "i18n", "zh-CN", "region.json"))
	if err != nil {
		t.Fatal(err)
	}
	var defined map[string]string
	if err := json.Unmarshal(body, &defined); err != nil {
		t.Fatal(err)
	}
	for k := range defined {
		if !used[k] {
			t.Errorf("region.json key %q is never used", k)
		}
	}
}
