package servertest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// Keys is the set of keys of the zh-CN message catalogue, read from its
// files so that the check matches exactly the catalogue's keys and not
// any dotted word.
type Keys struct{ set map[string]bool }

// LoadKeys reads internal/i18n/zh-CN/*.json next to this package's source.
func LoadKeys() (*Keys, error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return nil, fmt.Errorf("servertest: cannot locate the catalogue")
	}
	files, err := filepath.Glob(filepath.Join(filepath.Dir(self), "..", "..", "i18n", "zh-CN", "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("servertest: no catalogue files: %v", err)
	}
	k := &Keys{set: map[string]bool{}}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("servertest: %w", err)
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("servertest: %s: %w", f, err)
		}
		for key := range m {
			k.set[key] = true
		}
	}
	return k, nil
}

// dotted finds runs of dotted lower-case words, the shape of every key.
var dotted = regexp.MustCompile(`[a-z0-9_]+(?:\.[a-z0-9_]+)+`)

// jsonCode drops the "code" members of JSON errors, which are keys by
// design (clients branch on them); only the text shown to people counts.
var jsonCode = regexp.MustCompile(`"code":"[^"]*"`)

// Find returns the catalogue keys that appear unresolved in text: any run
// of whole dotted segments equal to a key, so a doubled key such as
// "region.import.stage.region.import.stage.read" is caught too.
func (k *Keys) Find(text string) []string {
	var found []string
	for _, loc := range dotted.FindAllStringIndex(text, -1) {
		// Part of a longer token (a path, a file name, a URL): skip.
		if loc[0] > 0 && strings.ContainsRune("/-.%=", rune(text[loc[0]-1])) {
			continue
		}
		if loc[1] < len(text) && strings.ContainsRune("/-", rune(text[loc[1]])) {
			continue
		}
		segs := strings.Split(text[loc[0]:loc[1]], ".")
		for i := range segs {
			for j := i + 2; j <= len(segs); j++ {
				if key := strings.Join(segs[i:j], "."); k.set[key] {
					found = append(found, key)
				}
			}
		}
	}
	return found
}

// CheckNoRawKeys fails t when an HTML or JSON body shows a catalogue key
// instead of its text.
func (a *App) CheckNoRawKeys(t testing.TB, what, contentType string, body []byte) {
	t.Helper()
	if !strings.HasPrefix(contentType, "text/html") && !strings.HasPrefix(contentType, "application/json") &&
		!strings.HasPrefix(contentType, "text/plain") {
		return
	}
	text := string(body)
	if strings.HasPrefix(contentType, "application/json") {
		text = jsonCode.ReplaceAllString(text, "")
	}
	if found := a.keys.Find(text); len(found) > 0 {
		t.Errorf("%s shows unresolved catalogue keys %q", what, found)
	}
}
