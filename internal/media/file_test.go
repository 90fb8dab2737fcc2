package media

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
)

func newFiles(t testing.TB, lim FileLimits) (*Files, string) {
	t.Helper()
	dir := t.TempDir()
	return &Files{Blobs: DiskStore{Dir: dir}, DB: dbtest.Open(t), Limits: lim, TempDir: t.TempDir(),
		Now: func() time.Time { return testNow }}, dir
}

// samplePDF renders a real PDF of about pages pages with the notice renderer.
func samplePDF(t testing.TB, paragraphs int) []byte {
	t.Helper()
	var sec pdfdoc.Section
	for i := 0; i < paragraphs; i++ {
		sec.Paragraphs = append(sec.Paragraphs, strings.Repeat("新时代文明实践站活动记录。", 40))
	}
	var buf bytes.Buffer
	if err := pdfdoc.Render(&buf, pdfdoc.Notice{Title: "测试材料", Sections: []pdfdoc.Section{sec}}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ooxml builds a ZIP with the named parts.
func ooxml(t testing.TB, parts map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// countingReader counts what was read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func blobCount(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

func TestFilesIngestKinds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, dir := newFiles(t, FileLimits{MaxBytes: 2 << 20, MaxExpanded: 1 << 20})
	types := []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	docx := ooxml(t, map[string][]byte{"[Content_Types].xml": types, "word/document.xml": []byte("<w:document/>")})
	xlsx := ooxml(t, map[string][]byte{"[Content_Types].xml": types, "xl/workbook.xml": []byte("<workbook/>")})
	bomb := ooxml(t, map[string][]byte{"[Content_Types].xml": types, "word/document.xml": make([]byte, 2<<20)})
	jpg := encodeJPEGBytes(t, halves(800, 600))
	png := encodePNGBytes(t, halves(64, 48))
	pdf := samplePDF(t, 12)

	tests := []struct {
		name, file string
		data       []byte
		kind       FileKind
		code       string
	}{
		{"a PDF", "材料.pdf", pdf, KindPDF, ""},
		{"a JPEG named .pdf is still a JPEG", "photo.pdf", jpg, KindJPEG, ""},
		{"a PNG", "表.png", png, KindPNG, ""},
		{"a Word document", "说明.docx", docx, KindDOCX, ""},
		{"an Excel workbook", "统计.xlsx", xlsx, KindXLSX, ""},
		{"HTML named .pdf", "evil.pdf", []byte("<!doctype html><script>alert(1)</script>"), "", "media.file_type"},
		{"an executable named .pdf", "setup.pdf", append([]byte("MZ\x90\x00"), make([]byte, 200)...), "", "media.file_type"},
		{"a truncated PDF", "half.pdf", pdf[:len(pdf)/2], "", "media.pdf_corrupt"},
		{"a ZIP that is no office document", "x.docx", ooxml(t, map[string][]byte{"a.txt": []byte("hi")}), "", "media.ooxml_invalid"},
		{"a broken ZIP", "x.xlsx", []byte("PK\x03\x04garbage"), "", "media.ooxml_invalid"},
		{"a document expanding past the limit", "bomb.docx", bomb, "", "media.ooxml_too_large"},
		{"a name with path parts", "../../etc/passwd.pdf", pdf, "", "media.file_name_path"},
		{"a Windows path", `C:\temp\a.pdf`, pdf, "", "media.file_name_path"},
		{"an empty file", "empty.pdf", nil, "", "media.file_empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := blobCount(t, dir)
			f, err := s.Ingest(ctx, bytes.NewReader(tc.data), tc.file)
			if tc.code != "" {
				wantAppErr(t, err, apperr.KindInvalid, tc.code)
				if after := blobCount(t, dir); after != before {
					t.Errorf("refused file stored blobs: %d → %d", before, after)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Kind != tc.kind || f.MIME != tc.kind.MIME() || f.Bytes != int64(len(tc.data)) {
				t.Errorf("got %+v", f)
			}
			rc, err := s.Open(ctx, f.Hash)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, tc.data) {
				t.Error("stored bytes differ")
			}
			if f.Kind.IsImage() {
				if !f.Thumb {
					t.Error("image without thumbnail")
				}
				rc, err := s.OpenThumb(ctx, f.Hash, SizeThumb)
				if err != nil {
					t.Fatal(err)
				}
				rc.Close()
			}
		})
	}
	// A second upload of the same bytes is the stored file.
	again, err := s.Ingest(ctx, bytes.NewReader(pdf), "again.pdf")
	if err != nil || again.OriginalName != "材料.pdf" {
		t.Errorf("re-ingest: %+v %v", again, err)
	}
}

func TestFilesPDFPages(t *testing.T) {
	t.Parallel()
	s, _ := newFiles(t, FileLimits{})
	for _, n := range []int{1, 12} {
		pdf := samplePDF(t, n)
		f, err := s.Ingest(context.Background(), bytes.NewReader(pdf), "a.pdf")
		if err != nil {
			t.Fatal(err)
		}
		// Count the page objects by hand.
		want := bytes.Count(pdf, []byte("/Type /Page\n")) + bytes.Count(pdf, []byte("/Type /Page ")) + bytes.Count(pdf, []byte("/Type /Page/"))
		if want == 0 {
			want = strings.Count(string(pdf), "/Type /Page") - strings.Count(string(pdf), "/Type /Pages")
		}
		t.Logf("%d paragraphs: %d pages", n, f.Pages)
		if f.Pages != want || f.Pages < 1 {
			t.Errorf("%d paragraphs: %d pages, want %d", n, f.Pages, want)
		}
	}
}

func TestFilesRefusedBeforeFullyRead(t *testing.T) {
	t.Parallel()
	s, dir := newFiles(t, FileLimits{MaxBytes: 1 << 20})
	big := append(samplePDF(t, 1), make([]byte, 10<<20)...)
	cr := &countingReader{r: bytes.NewReader(big)}
	_, err := s.Ingest(context.Background(), cr, "big.pdf")
	wantAppErr(t, err, apperr.KindInvalid, "media.file_too_large")
	if cr.n > 1<<20+64<<10 {
		t.Errorf("read %d bytes of %d for a 1 MB limit", cr.n, len(big))
	}
	if n := blobCount(t, dir); n != 0 {
		t.Errorf("%d blobs stored", n)
	}
	var rows int
	s.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM media_file").Scan(&rows)
	if rows != 0 {
		t.Errorf("%d rows stored", rows)
	}
}

func TestCheckFileName(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{"材料.pdf": true, "a b.docx": true, "../a.pdf": false, "a/b.pdf": false, `a\b.pdf`: false,
		"..": false, "": false, "x\x00y.pdf": true} {
		_, err := CheckFileName(name)
		if (err == nil) != ok {
			t.Errorf("CheckFileName(%q) = %v", name, err)
		}
	}
}
