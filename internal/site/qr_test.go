package site_test

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/site"
)

func TestQRURL(t *testing.T) {
	for _, c := range []struct{ base, want string }{
		{"https://wm.example.gov.cn", "https://wm.example.gov.cn/s/abc"},
		{"https://wm.example.gov.cn/", "https://wm.example.gov.cn/s/abc"},
		{"http://10.0.0.5:8080/wenming", "http://10.0.0.5:8080/wenming/s/abc"},
	} {
		if got := site.QRURL(c.base, "abc"); got != c.want {
			t.Errorf("QRURL(%q) = %q, want %q", c.base, got, c.want)
		}
	}
}

func TestQRPNG(t *testing.T) {
	data, err := site.QRPNG("https://wm.example.gov.cn/s/0123456789abcdefghijkl", 0)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < 200 {
		t.Errorf("image %v", b)
	}
	// The quiet zone is white, the finder pattern's corner black.
	if r, _, _, _ := img.At(2, 2).RGBA(); r != 0xffff {
		t.Error("quiet zone is not white")
	}
	if r, _, _, _ := img.At(4*8+2, 4*8+2).RGBA(); r != 0 {
		t.Error("finder pattern is not black")
	}
}

// TestQRSVG checks that the SVG is well-formed XML and that its path draws
// exactly the modules of the PNG of the same text.
func TestQRSVG(t *testing.T) {
	text := "https://wm.example.gov.cn/s/0123456789abcdefghijkl"
	svg, err := site.QRSVG(text, `湛河区"政务"<中心>&`)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(strings.NewReader(svg))
	var path, title string
	var inTitle bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			inTitle = el.Name.Local == "title"
			for _, at := range el.Attr {
				if el.Name.Local == "path" && at.Name.Local == "d" {
					path = at.Value
				}
			}
		case xml.CharData:
			if inTitle {
				title += string(el)
			}
		case xml.EndElement:
			inTitle = false
		}
	}
	if title != `湛河区"政务"<中心>&` {
		t.Errorf("title %q", title)
	}
	data, err := site.QRPNG(text, 1)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	n := img.Bounds().Dx()
	black := make([][]bool, n)
	for y := range black {
		black[y] = make([]bool, n)
	}
	run := regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
	for _, m := range run.FindAllStringSubmatch(path, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		w, _ := strconv.Atoi(m[3])
		for i := 0; i < w; i++ {
			black[y][x+i] = true
		}
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			if (r == 0) != black[y][x] {
				t.Fatalf("module %d,%d differs between SVG and PNG", x, y)
			}
		}
	}
}
