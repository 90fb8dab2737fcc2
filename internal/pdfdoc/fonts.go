package pdfdoc

import (
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The fonts are compiled into the binary so that rendering never depends on
// what is installed on the server; see fonts/README.md for their origin and
// licences.
//
//go:embed fonts/DroidSansFallbackFull.ttf fonts/LiberationSans-Regular.ttf
var fontFiles embed.FS

const (
	cjkFontFile   = "fonts/DroidSansFallbackFull.ttf"
	latinFontFile = "fonts/LiberationSans-Regular.ttf"

	// fpdf family names of the two faces.
	cjkFamily   = "droidsansfallback"
	latinFamily = "liberationsans"
)

// Indexes into renderer.faces; a shaped rune records which face draws it.
const (
	faceCJK   = 0
	faceLatin = 1
)

// face holds the little of a TrueType font that layout needs: which runes it
// has a glyph for and how wide each glyph is. fpdf knows both but keeps them
// private, and its own line breaking cannot be used (see layout.go), so the
// tables are read here directly from the embedded bytes.
//
// Glyph lookup deliberately mirrors fpdf's utf8FontFile: the first format-4
// cmap subtable for Unicode (platform 0, or platform 3 encoding 1), and
// advances scaled to 1/1000 em and rounded as fpdf does. That way the widths
// used for wrapping and alignment equal the ones fpdf uses when it draws.
type face struct {
	family string
	data   []byte

	scale       float64 // 1000 / unitsPerEm
	numHMetrics int
	hmtx        int // offset of the hmtx table

	// format-4 cmap subtable, as offsets into data
	segCount    int
	endCodes    int
	startCodes  int
	idDeltas    int
	idRangeOffs int
}

var errBadFont = errors.New("malformed TrueType font")

// loadFace reads an embedded TrueType file and parses the tables layout needs.
func loadFace(family, name string) (*face, error) {
	data, err := fontFiles.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("pdfdoc: read embedded font %s: %w", name, err)
	}
	fc, err := parseFace(family, data)
	if err != nil {
		return nil, fmt.Errorf("pdfdoc: font %s: %w", name, err)
	}
	return fc, nil
}

func parseFace(family string, data []byte) (*face, error) {
	tables, err := tableDirectory(data)
	if err != nil {
		return nil, err
	}
	fc := &face{family: family, data: data}

	head, ok := tables["head"]
	if !ok || head[1] < 54 {
		return nil, fmt.Errorf("%w: no head table", errBadFont)
	}
	upem := int(binary.BigEndian.Uint16(data[head[0]+18:]))
	if upem == 0 {
		return nil, fmt.Errorf("%w: unitsPerEm is 0", errBadFont)
	}
	fc.scale = 1000 / float64(upem)

	hhea, ok := tables["hhea"]
	if !ok || hhea[1] < 36 {
		return nil, fmt.Errorf("%w: no hhea table", errBadFont)
	}
	fc.numHMetrics = int(binary.BigEndian.Uint16(data[hhea[0]+34:]))
	hmtx, ok := tables["hmtx"]
	if !ok || fc.numHMetrics == 0 || hmtx[1] < 4*fc.numHMetrics {
		return nil, fmt.Errorf("%w: bad hmtx table", errBadFont)
	}
	fc.hmtx = hmtx[0]

	cmap, ok := tables["cmap"]
	if !ok || cmap[1] < 4 {
		return nil, fmt.Errorf("%w: no cmap table", errBadFont)
	}
	if err := fc.parseCmap(cmap[0], cmap[0]+cmap[1]); err != nil {
		return nil, err
	}
	return fc, nil
}

// tableDirectory maps table tags to [offset, length], bounds-checked so that
// later reads inside a table cannot run past the file.
func tableDirectory(data []byte) (map[string][2]int, error) {
	if len(data) < 12 {
		return nil, fmt.Errorf("%w: too short", errBadFont)
	}
	if v := binary.BigEndian.Uint32(data); v != 0x00010000 && v != 0x74727565 /* "true" */ {
		// OpenType/CFF ("OTTO") and collections ("ttcf") are rejected here
		// because fpdf cannot embed them either.
		return nil, fmt.Errorf("%w: not a TrueType outline font (tag %08x)", errBadFont, v)
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if len(data) < 12+16*n {
		return nil, fmt.Errorf("%w: truncated table directory", errBadFont)
	}
	tables := make(map[string][2]int, n)
	for i := 0; i < n; i++ {
		rec := data[12+16*i:]
		off := int(binary.BigEndian.Uint32(rec[8:]))
		length := int(binary.BigEndian.Uint32(rec[12:]))
		if off < 0 || length < 0 || off+length > len(data) {
			return nil, fmt.Errorf("%w: table %q out of bounds", errBadFont, rec[:4])
		}
		tables[string(rec[:4])] = [2]int{off, length}
	}
	return tables, nil
}

func (fc *face) parseCmap(start, end int) error {
	d := fc.data
	n := int(binary.BigEndian.Uint16(d[start+2:]))
	if start+4+8*n > end {
		return fmt.Errorf("%w: truncated cmap", errBadFont)
	}
	for i := 0; i < n; i++ {
		rec := d[start+4+8*i:]
		platform := binary.BigEndian.Uint16(rec)
		encoding := binary.BigEndian.Uint16(rec[2:])
		sub := start + int(binary.BigEndian.Uint32(rec[4:]))
		if !(platform == 0 || (platform == 3 && encoding == 1)) || sub+14 > end {
			continue
		}
		if binary.BigEndian.Uint16(d[sub:]) != 4 {
			continue
		}
		segCount := int(binary.BigEndian.Uint16(d[sub+6:])) / 2
		if sub+16+8*segCount > end {
			return fmt.Errorf("%w: truncated cmap format 4", errBadFont)
		}
		fc.segCount = segCount
		fc.endCodes = sub + 14
		fc.startCodes = fc.endCodes + 2*segCount + 2 // skip reservedPad
		fc.idDeltas = fc.startCodes + 2*segCount
		fc.idRangeOffs = fc.idDeltas + 2*segCount
		return nil
	}
	return fmt.Errorf("%w: no Unicode BMP cmap (format 4)", errBadFont)
}

func (fc *face) u16(off int) int {
	if off < 0 || off+2 > len(fc.data) {
		return 0
	}
	return int(binary.BigEndian.Uint16(fc.data[off:]))
}

// glyph returns the glyph index of r, 0 when the font has no glyph for it.
func (fc *face) glyph(r rune) int {
	if r < 0 || r > 0xFFFF {
		return 0
	}
	c := int(r)
	// Binary search for the first segment whose endCode >= c.
	lo, hi := 0, fc.segCount
	for lo < hi {
		mid := (lo + hi) / 2
		if fc.u16(fc.endCodes+2*mid) < c {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == fc.segCount {
		return 0
	}
	start := fc.u16(fc.startCodes + 2*lo)
	if start > c {
		return 0
	}
	delta := fc.u16(fc.idDeltas + 2*lo)
	roPos := fc.idRangeOffs + 2*lo
	ro := fc.u16(roPos)
	if ro == 0 {
		return (c + delta) & 0xFFFF
	}
	g := fc.u16(roPos + ro + 2*(c-start))
	if g == 0 {
		return 0
	}
	return (g + delta) & 0xFFFF
}

// has reports whether the font has a real glyph for r.
func (fc *face) has(r rune) bool { return fc.glyph(r) != 0 }

// advance returns the advance width of r in 1/1000 em, rounded the way fpdf
// rounds it, so that our measurements agree with fpdf's GetStringWidth.
func (fc *face) advance(r rune) int {
	g := fc.glyph(r)
	if g >= fc.numHMetrics {
		g = fc.numHMetrics - 1
	}
	adv := fc.u16(fc.hmtx + 4*g)
	if adv >= 1<<15 {
		adv = 0
	}
	return int(math.Round(fc.scale * float64(adv)))
}
