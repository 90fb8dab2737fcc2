package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestFaviconAndStaticCaching: /favicon.ico is an icon cached for a day and
// revalidated; hashed static files are cached for ever and sent compressed
// to a browser that accepts it, whole to one that does not.
func TestFaviconAndStaticCaching(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	get := func(path string, hdr map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", app.URL+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		// The transport must not decompress by itself.
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	ico := get("/favicon.ico", nil)
	body, _ := io.ReadAll(ico.Body)
	if ico.StatusCode != 200 || ico.Header.Get("Content-Type") != "image/x-icon" || !bytes.HasPrefix(body, []byte{0, 0, 1, 0}) ||
		ico.Header.Get("Cache-Control") != "public, max-age=86400" || ico.Header.Get("ETag") == "" {
		t.Fatalf("favicon: %d %v % x", ico.StatusCode, ico.Header, body[:min(8, len(body))])
	}
	if again := get("/favicon.ico", map[string]string{"If-None-Match": ico.Header.Get("ETag")}); again.StatusCode != http.StatusNotModified {
		t.Errorf("favicon revalidated: %d", again.StatusCode)
	}
	// Pages name the icon and the scripts by hashed URLs.
	login := app.Browser(t).Get("/login")
	m := regexp.MustCompile(`<link rel="icon" href="(/static/[0-9a-f]{8}/favicon.ico)">`).FindStringSubmatch(login.Body)
	if m == nil {
		t.Fatal("no icon link on the sign-in page")
	}
	if res := get(m[1], nil); res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("hashed icon: %d %s", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	css := regexp.MustCompile(`href="(/static/[0-9a-f]{8}/app.css)"`).FindStringSubmatch(login.Body)
	if css == nil {
		t.Fatal("no stylesheet link")
	}
	plain := get(css[1], nil)
	whole, _ := io.ReadAll(plain.Body)
	zipped := get(css[1], map[string]string{"Accept-Encoding": "br, gzip"})
	packed, _ := io.ReadAll(zipped.Body)
	if plain.Header.Get("Content-Encoding") != "" || zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("encodings: %q %q vary %q", plain.Header.Get("Content-Encoding"), zipped.Header.Get("Content-Encoding"), zipped.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(packed))
	if err != nil {
		t.Fatal(err)
	}
	unpacked, _ := io.ReadAll(zr)
	if !bytes.Equal(unpacked, whole) || len(packed) >= len(whole)/2 {
		t.Errorf("compressed %d of %d bytes, same content %v", len(packed), len(whole), bytes.Equal(unpacked, whole))
	}
	if refused := get(css[1], map[string]string{"Accept-Encoding": "gzip;q=0"}); refused.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent to a browser that refused it")
	}
}
