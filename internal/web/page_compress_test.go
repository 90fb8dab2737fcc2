package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestPagesCompressedTokenMasked: pages go out gzipped to a browser that
// accepts it, and the CSRF token differs on every page (masked with a
// fresh pad) while each one is accepted; a token altered in one byte is
// refused.
func TestPagesCompressedTokenMasked(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	b := app.SignedIn(t, "office")
	first := b.Get("/problems").Body
	tok1 := b.CSRF
	b.Get("/problems")
	tok2 := b.CSRF
	if tok1 == "" || tok1 == tok2 {
		t.Fatalf("tokens %q and %q: want two different masks", tok1, tok2)
	}
	for i, tok := range []string{tok1, tok2} {
		res := b.Post("/notifications/read", url.Values{"csrf": {tok}})
		if res.Status != http.StatusSeeOther {
			t.Errorf("token %d refused: %d", i, res.Status)
		}
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok1)
	raw[len(raw)-1] ^= 1
	if res := b.Post("/notifications/read", url.Values{"csrf": {base64.RawURLEncoding.EncodeToString(raw)}}); res.Status != http.StatusForbidden {
		t.Errorf("altered token: %d", res.Status)
	}

	// The same page, asked for with and without gzip.
	get := func(enc string) *http.Response {
		req, _ := http.NewRequest("GET", app.URL+"/problems", nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		for _, c := range b.HTTP.Jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	zipped := get("gzip")
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("page not compressed: %v", zipped.Header)
	}
	packed, _ := io.ReadAll(zipped.Body)
	zr, err := gzip.NewReader(bytes.NewReader(packed))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(zr)
	if !bytes.Contains(page, []byte("问题台账")) || len(packed)*2 > len(page) || len(page) < len(first)/2 {
		t.Errorf("compressed page: %d bytes for %d", len(packed), len(page))
	}
	if plain := get(""); plain.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent to a client that did not ask for it")
	}
}
