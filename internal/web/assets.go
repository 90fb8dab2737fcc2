package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
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
	// gzipped holds the compressed text files (scripts, stylesheets): a
	// phone on a slow network fetches a third of the bytes.
	gzipped map[string][]byte
}

// compressible says which files are worth compressing once at start.
func compressible(name string) bool {
	switch path.Ext(name) {
	case ".js", ".css", ".svg", ".json", ".map", ".txt":
		return true
	}
	return false
}

func loadAssets() (*assets, error) {
	a := &assets{urls: map[string]string{}, files: map[string][]byte{}, hashes: map[string]string{}, gzipped: map[string][]byte{}}
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
		if compressible(name) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			if _, err := zw.Write(body); err != nil {
				return fmt.Errorf("compress %s: %w", name, err)
			}
			if err := zw.Close(); err != nil {
				return fmt.Errorf("compress %s: %w", name, err)
			}
			if buf.Len() < len(body)*9/10 {
				a.gzipped[name] = buf.Bytes()
			}
		}
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
	cache := "public, max-age=300"
	if hash == a.hashes[name] {
		cache = "public, max-age=31536000, immutable"
	}
	a.serve(w, r, name, cache)
}

// file serves one static file at a fixed address (/favicon.ico, which
// browsers ask for by that name): cached for a day, revalidated by its
// hash.
func (a *assets) file(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.serve(w, r, name, "public, max-age=86400")
	})
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request, name, cache string) {
	body, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if path.Ext(name) == ".ico" { // not in every system's MIME table
		ct = "image/x-icon"
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", cache)
	h.Set("X-Content-Type-Options", "nosniff")
	etag := `"` + a.hashes[name] + `"`
	h.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gz, ok := a.gzipped[name]; ok {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// acceptsGzip reads Accept-Encoding: gzip listed and not refused (q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
