package site

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"

	"rsc.io/qr"
)

// QRPath is the path a site's QR code points to, under the base URL.
const QRPath = "/s/"

// QRURL is the address a site's QR code holds: the base URL (scheme and
// host, maybe a path prefix) followed by /s/ and the site's random token.
func QRURL(baseURL, token string) string {
	return strings.TrimRight(baseURL, "/") + QRPath + token
}

// quietZone is the white margin around a code, in modules, that the QR
// standard requires for reliable scanning.
const quietZone = 4

func encodeQR(text string) (*qr.Code, error) {
	c, err := qr.Encode(text, qr.M) // 15% of the code may be soiled or torn
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	return c, nil
}

// QRPNG draws text as a QR code in a two-colour PNG, scale pixels per
// module (8 when scale is 0 or less, at most 32), with the quiet zone. It
// draws the image itself: the encoder's own PNG writer breaks at scales
// that are not multiples of 8.
func QRPNG(text string, scale int) ([]byte, error) {
	c, err := encodeQR(text)
	if err != nil {
		return nil, err
	}
	if scale <= 0 {
		scale = 8
	}
	scale = min(scale, 32)
	side := (c.Size + 2*quietZone) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0}})
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if !c.Black(x, y) {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				row := img.Pix[((y+quietZone)*scale+dy)*img.Stride:]
				for dx := 0; dx < scale; dx++ {
					row[(x+quietZone)*scale+dx] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("draw QR code: %w", err)
	}
	return buf.Bytes(), nil
}

// QRSVG draws text as a QR code in SVG: one path of black runs on a white
// square with the quiet zone, in module units so that it scales to any
// printed size. title labels the image for screen readers; it is escaped.
func QRSVG(text, title string) (string, error) {
	c, err := encodeQR(text)
	if err != nil {
		return "", err
	}
	n := c.Size + 2*quietZone
	var b strings.Builder
	b.Grow(c.Size * c.Size)
	size := strconv.Itoa(n)
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + size + ` ` + size + `" shape-rendering="crispEdges" role="img">`)
	if title != "" {
		b.WriteString("<title>" + escapeXML(title) + "</title>")
	}
	b.WriteString(`<rect width="` + size + `" height="` + size + `" fill="#fff"/><path fill="#000" d="`)
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; {
			if !c.Black(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < c.Size && c.Black(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quietZone, y+quietZone, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}

func escapeXML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}
