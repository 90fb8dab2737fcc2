package media

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
)

// jpegQuality is the quality of the derived JPEGs: no visible loss at
// screen sizes, about a tenth of the original's bytes.
const jpegQuality = 82

// fit returns the size of a w×h image scaled so that its longest side is at
// most longest, keeping the aspect ratio and never enlarging.
func fit(w, h, longest int) (int, int) {
	if w <= longest && h <= longest {
		return w, h
	}
	if w >= h {
		return longest, max(1, (h*longest+w/2)/w)
	}
	return max(1, (w*longest+h/2)/h), longest
}

// swapsAxes reports whether an EXIF orientation turns the image by 90°.
func swapsAxes(orientation int) bool { return orientation >= 5 && orientation <= 8 }

// derived makes the upright display and thumbnail JPEGs of img, whose EXIF
// orientation is orientation. The display copy is scaled from the original
// and the thumbnail from the display copy, which is cheaper and looks the
// same. Re-encoding drops every metadata segment, EXIF included.
func derived(img image.Image, orientation int, lim Limits) (display, thumb []byte, err error) {
	b := img.Bounds()
	// Scale first, in the stored orientation, then turn the smaller image.
	uw, uh := b.Dx(), b.Dy() // upright size
	if swapsAxes(orientation) {
		uw, uh = uh, uw
	}
	dw, dh := fit(uw, uh, lim.DisplaySize)
	sw, sh := dw, dh
	if swapsAxes(orientation) {
		sw, sh = dh, dw
	}
	disp := orient(resample(img, sw, sh), orientation)
	tw, th := fit(dw, dh, lim.ThumbSize)
	small := resample(disp, tw, th)
	if display, err = encodeJPEG(disp); err != nil {
		return nil, nil, err
	}
	if thumb, err = encodeJPEG(small); err != nil {
		return nil, nil, err
	}
	return display, thumb, nil
}

// orient turns an image stored with the given EXIF orientation upright.
func orient(src *image.RGBA, orientation int) *image.RGBA {
	if orientation < 2 || orientation > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if swapsAxes(orientation) {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	// at maps a pixel of the upright image to the stored one.
	var at func(x, y int) (int, int)
	switch orientation {
	case 2: // mirrored left to right
		at = func(x, y int) (int, int) { return w - 1 - x, y }
	case 3: // turned 180°
		at = func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }
	case 4: // mirrored top to bottom
		at = func(x, y int) (int, int) { return x, h - 1 - y }
	case 5: // transposed
		at = func(x, y int) (int, int) { return y, x }
	case 6: // needs turning 90° clockwise
		at = func(x, y int) (int, int) { return y, h - 1 - x }
	case 7: // transversed
		at = func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }
	case 8: // needs turning 90° anticlockwise
		at = func(x, y int) (int, int) { return w - 1 - y, x }
	}
	for y := range dh {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+4*dw]
		for x := range dw {
			sx, sy := at(x, y)
			i := sy*src.Stride + 4*sx
			copy(row[4*x:4*x+4], src.Pix[i:i+4])
		}
	}
	return dst
}

func encodeJPEG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, fmt.Errorf("encode jpeg: %w", err)
	}
	return buf.Bytes(), nil
}
