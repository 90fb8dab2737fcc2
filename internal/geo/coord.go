package geo

import "math"

// InChina reports whether a WGS-84 point is in China, coarsely: inside
// 73.5–135.1°E, 18.1–53.6°N and outside 33 smaller boxes that cut away the
// neighbours that box overlaps (Korea, Japan, the Russian Far East,
// Mongolia, Central Asia, South Asia, Indochina, the Philippines). It is
// meant for deciding whether to apply the GCJ-02 shift and for rejecting
// wildly wrong GPS fixes, not for borders.
//
// Known misses, all within tens of kilometres of a land border or at sea:
// border strips of neighbours count as China (Sinuiju across the Yalu,
// Blagoveshchensk across the Amur, Lao Cai in Vietnam, Phongsaly in Laos,
// northern Bhutan with Thimphu, northern Myanmar), and Chinese islands
// south of 18.1°N (Xisha and Nansha, so Sansha city) do not. Hong Kong,
// Macau and Taiwan are inside: this answers geography, not which map
// providers shift which places.
func InChina(p Point) bool {
	// The box around mainland China, Hainan and Taiwan.
	if !(BBox{MinLng: 73.5, MinLat: 18.1, MaxLng: 135.1, MaxLat: 53.6}).Contains(p) {
		return false
	}
	// Boxes that hold no Chinese territory, each drawn a little inside
	// the neighbour's side of the border so that none cuts off a Chinese
	// town: a neighbour's border strip may pass as China, never the
	// reverse. A local array, not a package variable: no mutable state.
	notChina := [...]BBox{
		// East: Korea, Japan, the Russian Far East.
		{124.6, 18.1, 127.0, 40.0}, // Korea west of 127°E, Yellow Sea, East China Sea
		{127.0, 18.1, 135.1, 41.0}, // Korea east, Japan, Ryukyu Islands
		{131.5, 41.0, 135.1, 44.5}, // Primorye (Vladivostok)
		{134.8, 44.5, 135.1, 48.6}, // Ussuri right bank (Khabarovsk)
		{131.0, 48.6, 135.1, 53.6}, // north of the lower Amur
		{130.6, 49.2, 135.1, 53.6}, // north of the Amur
		{127.6, 50.4, 135.1, 53.6}, // north of the Amur below Heihe
		{127.0, 51.5, 135.1, 53.6}, // north of the upper Amur
		{117.0, 18.1, 124.6, 21.3}, // Luzon Strait, Batanes, northern Luzon
		{122.1, 21.3, 124.6, 25.0}, // Yaeyama Islands
		// North: Russia, Mongolia, Kazakhstan, Kyrgyzstan.
		{73.5, 49.3, 116.0, 53.6},  // Kazakhstan, Altai Republic, Tuva, northern Mongolia
		{91.5, 47.0, 115.5, 49.3},  // Mongolia
		{96.5, 43.3, 110.0, 47.0},  // Mongolia, Gobi
		{110.0, 44.2, 112.5, 47.0}, // Mongolia north of Erenhot
		{112.5, 46.0, 115.5, 47.0}, // Mongolia, Sükhbaatar
		{73.5, 42.3, 80.0, 49.3},   // Kazakhstan, Kyrgyzstan (Almaty, Bishkek)
		{73.5, 41.0, 76.5, 42.3},   // Kyrgyzstan
		{80.0, 45.6, 82.2, 49.3},   // Kazakhstan north of the Dzungarian Alatau
		{82.2, 47.3, 85.2, 49.3},   // Kazakhstan, Zaysan
		// South-west and south: Central and South Asia, Indochina.
		{73.5, 18.1, 74.3, 39.0},    // Tajikistan, Afghanistan, Pakistan
		{74.3, 18.1, 75.9, 35.8},    // Pakistan, Kashmir
		{75.9, 18.1, 78.0, 34.5},    // India, Ladakh (New Delhi, Leh)
		{78.0, 18.1, 78.7, 31.6},    // India, Himachal Pradesh
		{78.7, 18.1, 80.9, 30.2},    // India, Uttarakhand
		{80.9, 18.1, 88.2, 27.8},    // Nepal, northern India
		{88.2, 18.1, 92.1, 27.1},    // Sikkim, southern Bhutan, Bangladesh
		{92.1, 18.1, 97.4, 26.5},    // Assam, Bangladesh, northern Myanmar
		{97.4, 18.1, 98.7, 23.8},    // Myanmar, Shan State
		{98.7, 18.1, 99.3, 22.6},    // Myanmar, Wa State
		{99.3, 18.1, 99.9, 21.9},    // Myanmar, Kengtung
		{99.9, 18.1, 102.0, 21.0},   // Laos, Myanmar, Thailand
		{102.0, 18.1, 108.0, 21.45}, // Laos, northern Vietnam (Hanoi)
		{102.3, 21.45, 106.3, 22.3}, // northern Vietnam
	}
	for _, b := range notChina {
		if b.Contains(p) {
			return false
		}
	}
	return true
}

// Parameters of the GCJ-02 transform: the Krasovsky 1940 ellipsoid.
const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
)

// WGS84ToGCJ02 converts a WGS-84 point to GCJ-02, the shifted datum of
// Chinese basemaps (AMap, Tencent). Points outside China (InChina) are
// returned unchanged, as those maps do.
func WGS84ToGCJ02(p Point) Point {
	if !InChina(p) {
		return p
	}
	return gcjShift(p)
}

// GCJ02ToWGS84 inverts WGS84ToGCJ02. The transform has no closed-form
// inverse, so it iterates w ← w − (gcj(w) − p) from w = p; the shift varies
// slowly, so this converges to well below 1e-6° in a few steps.
func GCJ02ToWGS84(p Point) Point {
	if !InChina(p) {
		return p
	}
	w := p
	for range 30 {
		g := gcjShift(w)
		dLng, dLat := g.Lng-p.Lng, g.Lat-p.Lat
		w.Lng -= dLng
		w.Lat -= dLat
		if math.Abs(dLng) < 1e-9 && math.Abs(dLat) < 1e-9 {
			break
		}
	}
	return w
}

// gcjShift applies the public GCJ-02 formula without the China check.
func gcjShift(p Point) Point {
	x, y := p.Lng-105.0, p.Lat-35.0
	dLat := gcjLat(x, y)
	dLng := gcjLng(x, y)
	radLat := p.Lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLng = (dLng * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return Point{Lng: p.Lng + dLng, Lat: p.Lat + dLat}
}

func gcjLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func gcjLng(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

// EarthRadius is the mean Earth radius (IUGG R1) in metres.
const EarthRadius = 6371008.8

// DistanceMeters is the great-circle distance between two WGS-84 points by
// the haversine formula on a sphere of EarthRadius; within 0.5% of the
// ellipsoidal distance, plenty for "is this photo near that site".
func DistanceMeters(a, b Point) float64 {
	const rad = math.Pi / 180
	lat1, lat2 := a.Lat*rad, b.Lat*rad
	dLat := lat2 - lat1
	dLng := (b.Lng - a.Lng) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * EarthRadius * math.Asin(math.Sqrt(min(1, h)))
}
