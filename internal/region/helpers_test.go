package region_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/region"
)

func newStore(t testing.TB) *region.Store {
	t.Helper()
	return &region.Store{DB: dbtest.Open(t)}
}

// testdata lists the hand-made files in an order that puts children first,
// so the import has to sort by level itself.
func testdata() []region.Source {
	var out []region.Source
	for _, name := range []string{"communities.csv.gz", "streets.csv", "areas.csv", "cities.csv", "provinces.csv"} {
		out = append(out, region.FileSource(filepath.Join("testdata", name)))
	}
	return out
}

// textSource is an in-memory CSV file.
func textSource(name, text string) region.Source {
	return region.Source{Name: name, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(text)), nil
	}}
}

// gzipSource is an in-memory gzipped CSV file.
func gzipSource(t testing.TB, name, text string) region.Source {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	body := buf.Bytes()
	return region.Source{Name: name, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(body)), nil
	}}
}

func mustImport(t testing.TB, s *region.Store, sources ...region.Source) region.ImportReport {
	t.Helper()
	rep, err := s.Import(context.Background(), sources)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rep
}

// wantAppErr fails unless err is an apperr.Error of the given kind and code.
func wantAppErr(t testing.TB, err error, kind apperr.Kind, code string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v, want %s", err, code)
	}
	if ae.Kind != kind || ae.Code != code {
		t.Fatalf("got %v (kind %d), want %s (kind %d)", err, ae.Kind, code, kind)
	}
}

func codes(list []region.Region) []string {
	out := make([]string, len(list))
	for i, r := range list {
		out[i] = r.Code
	}
	return out
}
