package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryUsedKeyIsInTheCatalogue scans the templates and the Go sources
// for message keys and error codes and checks that zh-CN has each one, so a
// person never sees a bare key.
func TestEveryUsedKeyIsInTheCatalogue(t *testing.T) {
	c := MustLoad("zh-CN")
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\bt "([a-z_]+\.[a-z_.]*[a-z_])"`),                                              // templates
		regexp.MustCompile(`apperr\.(?:Invalid|Forbidden|NotFound|Conflict)\("([a-z_]+\.[a-z_.]*[a-z_])"`), // domain errors
		regexp.MustCompile(`apperr\.New\(apperr\.Kind[A-Za-z]+, "([a-z_]+\.[a-z_.]*[a-z_])"`),              // domain errors
		regexp.MustCompile(`(?:Catalog|cat)\.T\("([a-z_]+\.[a-z_.]*[a-z_])"`),                              // direct lookups
		regexp.MustCompile(`(?:setFlash|redirectWith)\([^"]*"([a-z_]+\.[a-z_.]*[a-z_])"\)`),                // flash messages
		regexp.MustCompile(`render\(w, r, [^,]+, "[a-z_]+", "([a-z_]+\.[a-z_.]*[a-z_])"`),                  // page titles
		regexp.MustCompile(`\{"/[a-z/]*", "(nav\.[a-z_]+)"`),
		regexp.MustCompile(`\bt\("([a-z_]+\.[a-z_.]*[a-z_])"`),                            // cli lookups
		regexp.MustCompile(`summary: "([a-z_]+\.[a-z_.]*[a-z_])"`),                        // cli verbs
		regexp.MustCompile(`\{"[a-z-]+", "WENMING_[A-Z_]+", "([a-z_]+\.[a-z_.]*[a-z_])"`), // config flags                                               // navigation
	}
	seen := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".html") {
			return nil
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range patterns {
			for _, m := range re.FindAllSubmatch(body, -1) {
				seen++
				if key := string(m[1]); !c.Has(key) {
					t.Errorf("%s uses %q, which zh-CN lacks", path, key)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 100 {
		t.Fatalf("found only %d keys: the scan patterns no longer match the code", seen)
	}
}
