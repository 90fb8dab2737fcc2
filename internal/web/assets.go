package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// assets serves the embedded static files under URLs that carry a hash of
// their content, so browsers may cache them for ever and still see changes.
type assets struct {
	urls   map[string]string // "app.css" -> "/static/3f2a9c1e/app.css"
	files  map[string][]byte // "app.css" -> content
	hashes map[string]string // "app.css" -> "3f2a9c1e"
}

func loadAssets() (*assets, error) {
	a := &assets{urls: map[string]string{}, files: map[string][]byte{}, hashes: map[string]string{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := strings.TrimPrefix(p, "static/")
		hash := hex.EncodeToString(sum[:4])
		a.urls[name] = "/static/" + hash + "/" + name
		a.files[name] = body
		a.hashes[name] = hash
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static files: %w", err)
	}
	return a, nil
}

// URL returns the checksum URL of a static file; unknown names panic in
// tests through the template check, never silently at run time.
func (a *assets) URL(name string) (string, error) {
	u, ok := a.urls[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return u, nil
}

// ServeHTTP serves /static/<hash>/<name>. A file reached through another
// hash — a vendored stylesheet's relative url(images/…) resolves under the
// stylesheet's hash — is still served, but not cached for ever.
func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hash, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/static/"), "/")
	body, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	if hash == a.hashes[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(body)
}
