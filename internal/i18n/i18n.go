// Package i18n is the message catalogue: every text a person sees comes from
// here by key. zh-CN is the first and default language; each file under a
// language folder holds the keys of one domain.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed zh-CN/*.json
var files embed.FS

// Catalog maps message keys to texts of one language.
type Catalog struct {
	Lang     string
	messages map[string]string
}

// Load reads the embedded catalogue of lang; two files defining one key is
// an error.
func Load(lang string) (*Catalog, error) {
	names, err := fs.Glob(files, lang+"/*.json")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("no message catalogue for %q", lang)
	}
	sort.Strings(names)
	c := &Catalog{Lang: lang, messages: map[string]string{}}
	origin := map[string]string{}
	for _, name := range names {
		body, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		var m map[string]string
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		for k, v := range m {
			if prev, dup := origin[k]; dup {
				return nil, fmt.Errorf("message %q defined in %s and %s", k, prev, path.Base(name))
			}
			origin[k] = path.Base(name)
			c.messages[k] = v
		}
	}
	return c, nil
}

// MustLoad is Load for the built-in catalogue, which tests keep valid.
func MustLoad(lang string) *Catalog {
	c, err := Load(lang)
	if err != nil {
		panic(err)
	}
	return c
}

// Key marks a message argument that is itself a catalogue key (a state or
// an action named inside an error), so T translates it instead of printing
// the bare key.
type Key string

// T returns the text for key, formatted with args (fmt verbs); arguments of
// type Key are translated first. A missing key is returned as is, so a gap
// shows instead of an empty string.
func (c *Catalog) T(key string, args ...any) string {
	copied := false
	for i, a := range args {
		if k, isKey := a.(Key); isKey {
			if !copied { // the caller's slice (an error's Args) stays as it was
				args, copied = append([]any(nil), args...), true
			}
			args[i] = c.T(string(k))
		}
	}
	msg, ok := c.messages[key]
	if !ok {
		if len(args) > 0 {
			return key + fmt.Sprint(args...)
		}
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Has reports whether key is in the catalogue.
func (c *Catalog) Has(key string) bool {
	_, ok := c.messages[key]
	return ok
}
