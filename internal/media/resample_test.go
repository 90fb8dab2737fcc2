package media

import (
	"image"
	"image/color"
	"testing"
)

func TestResample(t *testing.T) {
	t.Run("flat colour stays exact", func(t *testing.T) {
		src := image.NewRGBA(image.Rect(0, 0, 97, 61))
		for i := 0; i < len(src.Pix); i += 4 {
			copy(src.Pix[i:], []byte{10, 200, 30, 255})
		}
		for _, size := range [][2]int{{97, 61}, {50, 31}, {7, 5}, {1, 1}, {150, 90}} {
			m := resample(src, size[0], size[1])
			for i := 0; i < len(m.Pix); i += 4 {
				if p := m.Pix[i : i+4]; p[0] != 10 || p[1] != 200 || p[2] != 30 || p[3] != 255 {
					t.Fatalf("%v: pixel %d is %v", size, i/4, p)
				}
			}
		}
	})
	t.Run("fine detail averages instead of aliasing", func(t *testing.T) {
		// A one-pixel checkerboard reduced 5× is a flat mid grey; a
		// point-sampling scaler would give black, white or moiré.
		src := image.NewGray(image.Rect(0, 0, 1000, 1000))
		for y := range 1000 {
			for x := range 1000 {
				if (x+y)%2 == 0 {
					src.Pix[y*src.Stride+x] = 255
				}
			}
		}
		m := resample(src, 200, 200)
		for i := 0; i < len(m.Pix); i += 4 {
			if v := int(m.Pix[i]); v < 124 || v > 132 {
				t.Fatalf("pixel %d,%d is %d, want about 128", (i/4)%200, (i/4)/200, v)
			}
		}
	})
	t.Run("identity at the same size", func(t *testing.T) {
		src := photoLike(64, 40, 11)
		m := resample(src, 64, 40)
		for i := range m.Pix {
			if m.Pix[i] != src.Pix[i] {
				t.Fatalf("byte %d: %d, want %d", i, m.Pix[i], src.Pix[i])
			}
		}
	})
	t.Run("transparency on white", func(t *testing.T) {
		src := image.NewNRGBA(image.Rect(0, 0, 40, 20))
		for x := range 40 {
			for y := range 20 {
				if x < 20 {
					src.SetNRGBA(x, y, color.NRGBA{0, 0, 0, 0}) // clear
				} else {
					src.SetNRGBA(x, y, color.NRGBA{0, 0, 255, 128}) // half blue
				}
			}
		}
		m := resample(src, 20, 10)
		if c := m.RGBAAt(2, 5); c != (color.RGBA{255, 255, 255, 255}) {
			t.Errorf("clear part is %v, want white", c)
		}
		if c := m.RGBAAt(17, 5); !near(c, color.RGBA{127, 127, 255, 255}, 2) {
			t.Errorf("half-blue part is %v, want light blue", c)
		}
	})
	t.Run("extreme shapes", func(t *testing.T) {
		for _, s := range [][4]int{{5000, 1, 1600, 1}, {1, 5000, 1, 1600}, {3, 2, 1, 1}} {
			src := photoLike(s[0], s[1], 3)
			if m := resample(src, s[2], s[3]); m.Bounds().Dx() != s[2] || m.Bounds().Dy() != s[3] {
				t.Errorf("%v: got %v", s, m.Bounds())
			}
		}
	})
}

func TestFit(t *testing.T) {
	for _, c := range [][5]int{
		{4000, 3000, 1600, 1600, 1200},
		{3000, 4000, 1600, 1200, 1600},
		{1600, 900, 1600, 1600, 900},
		{800, 600, 1600, 800, 600},
		{10000, 3, 320, 320, 1},
		{2000, 2000, 320, 320, 320},
	} {
		if w, h := fit(c[0], c[1], c[2]); w != c[3] || h != c[4] {
			t.Errorf("fit(%d, %d, %d) = %d×%d, want %d×%d", c[0], c[1], c[2], w, h, c[3], c[4])
		}
	}
}
