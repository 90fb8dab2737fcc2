package pdfdoc

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func TestRenderWithImage(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 21, 21))
	for i := range 21 {
		img.Set(i, i, color.Black)
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	n := Notice{Issuer: "湛河区文明办", Title: "志愿服务证明", Sections: []Section{{Paragraphs: []string{"兹证明。"}}},
		Image: pngBuf.Bytes(), ImageMM: 28}
	with := render(t, n)
	n.Image = nil
	without := render(t, n)
	if !bytes.Contains(with, []byte("/Subtype /Image")) || bytes.Contains(without, []byte("/Subtype /Image")) {
		t.Fatal("the image is not drawn (or drawn without one)")
	}
	n.Image = []byte("not a png")
	var buf bytes.Buffer
	if err := Render(&buf, n); err == nil {
		t.Fatal("a broken image rendered")
	}
}
