package geo_test

import (
	"math"
	"testing"

	"github.com/wenming-civic/wenming/internal/geo"
)

func TestWGS84ToGCJ02Known(t *testing.T) {
	// Tiananmen: a pair published with the transform.
	got := geo.WGS84ToGCJ02(geo.Point{Lng: 116.397128, Lat: 39.916527})
	want := geo.Point{Lng: 116.403370, Lat: 39.917929}
	if math.Abs(got.Lng-want.Lng) > 1e-4 || math.Abs(got.Lat-want.Lat) > 1e-4 {
		t.Errorf("GCJ-02 = %.6f, %.6f; want about %.6f, %.6f", got.Lng, got.Lat, want.Lng, want.Lat)
	}
	// The shift is a few hundred metres, not zero.
	if d := geo.DistanceMeters(got, geo.Point{Lng: 116.397128, Lat: 39.916527}); d < 300 || d > 800 {
		t.Errorf("shift is %.0f m", d)
	}
}

func TestGCJRoundTrip(t *testing.T) {
	var worst float64
	for lng := 74.0; lng <= 134.5; lng += 0.37 {
		for lat := 18.2; lat <= 53.5; lat += 0.29 {
			w := geo.Point{Lng: lng, Lat: lat}
			if !geo.InChina(w) {
				continue
			}
			g := geo.WGS84ToGCJ02(w)
			if !geo.InChina(g) {
				continue // shifted across the coarse border: passes through on the way back
			}
			back := geo.GCJ02ToWGS84(g)
			worst = max(worst, math.Abs(back.Lng-w.Lng), math.Abs(back.Lat-w.Lat))
		}
	}
	if worst >= 1e-5 {
		t.Errorf("worst round-trip error %.3g°, want < 1e-5°", worst)
	}
	t.Logf("worst round-trip error %.3g°", worst)
}

func TestGCJOutsideChina(t *testing.T) {
	for _, p := range []geo.Point{{Lng: 139.6917, Lat: 35.6895}, {Lng: -0.1276, Lat: 51.5072}, {Lng: 126.978, Lat: 37.5665}} {
		if got := geo.WGS84ToGCJ02(p); got != p {
			t.Errorf("WGS84ToGCJ02(%v) = %v, want unchanged", p, got)
		}
		if got := geo.GCJ02ToWGS84(p); got != p {
			t.Errorf("GCJ02ToWGS84(%v) = %v, want unchanged", p, got)
		}
	}
}

func TestInChina(t *testing.T) {
	tests := []struct {
		name string
		p    geo.Point
		want bool
	}{
		{"Beijing", geo.Point{Lng: 116.4074, Lat: 39.9042}, true},
		{"Urumqi", geo.Point{Lng: 87.6168, Lat: 43.8256}, true},
		{"Sanya", geo.Point{Lng: 109.5119, Lat: 18.2528}, true},
		{"Pingdingshan", geo.Point{Lng: 113.1927, Lat: 33.7662}, true},
		{"Lhasa", geo.Point{Lng: 91.1409, Lat: 29.6456}, true},
		{"Harbin", geo.Point{Lng: 126.5349, Lat: 45.8038}, true},
		{"Tokyo", geo.Point{Lng: 139.6917, Lat: 35.6895}, false},
		{"Seoul", geo.Point{Lng: 126.9780, Lat: 37.5665}, false},
		{"Hanoi", geo.Point{Lng: 105.8342, Lat: 21.0278}, false},
		{"Pyongyang", geo.Point{Lng: 125.7625, Lat: 39.0392}, false},
		{"Busan", geo.Point{Lng: 129.0756, Lat: 35.1796}, false},
		{"Vladivostok", geo.Point{Lng: 131.8869, Lat: 43.1155}, false},
		{"Khabarovsk", geo.Point{Lng: 135.0719, Lat: 48.4802}, false},
		{"Ulaanbaatar", geo.Point{Lng: 106.9057, Lat: 47.8864}, false},
		{"Almaty", geo.Point{Lng: 76.8512, Lat: 43.2220}, false},
		{"Bishkek", geo.Point{Lng: 74.5698, Lat: 42.8746}, false},
		{"New Delhi", geo.Point{Lng: 77.2090, Lat: 28.6139}, false},
		{"Kathmandu", geo.Point{Lng: 85.3240, Lat: 27.7172}, false},
		{"Dhaka", geo.Point{Lng: 90.4125, Lat: 23.8103}, false},
		{"Vientiane", geo.Point{Lng: 102.6331, Lat: 17.9757}, false},
		{"Manila", geo.Point{Lng: 120.9842, Lat: 14.5995}, false},
		{"London", geo.Point{Lng: -0.1276, Lat: 51.5072}, false},
		// Chinese towns on the border, which no cut-out box may remove.
		{"Dandong", geo.Point{Lng: 124.3545, Lat: 40.0006}, true},
		{"Hunchun", geo.Point{Lng: 130.3658, Lat: 42.8623}, true},
		{"Heihe", geo.Point{Lng: 127.4990, Lat: 50.2450}, true},
		{"Mohe", geo.Point{Lng: 122.5386, Lat: 52.9724}, true},
		{"Fuyuan", geo.Point{Lng: 134.2945, Lat: 48.3647}, true},
		{"Manzhouli", geo.Point{Lng: 117.3786, Lat: 49.5978}, true},
		{"Erenhot", geo.Point{Lng: 111.9770, Lat: 43.6532}, true},
		{"Altay", geo.Point{Lng: 88.1396, Lat: 47.8484}, true},
		{"Tacheng", geo.Point{Lng: 82.9857, Lat: 46.7463}, true},
		{"Horgos", geo.Point{Lng: 80.4187, Lat: 44.2140}, true},
		{"Kashgar", geo.Point{Lng: 75.9898, Lat: 39.4704}, true},
		{"Tashkurgan", geo.Point{Lng: 75.2290, Lat: 37.7755}, true},
		{"Zhangmu", geo.Point{Lng: 85.9826, Lat: 27.9897}, true},
		{"Yadong", geo.Point{Lng: 88.9069, Lat: 27.4856}, true},
		{"Ruili", geo.Point{Lng: 97.8514, Lat: 24.0128}, true},
		{"Mengla", geo.Point{Lng: 101.5647, Lat: 21.4598}, true},
		{"Hekou", geo.Point{Lng: 103.9393, Lat: 22.5293}, true},
		{"Pingxiang", geo.Point{Lng: 106.7570, Lat: 22.1059}, true},
		{"Dongxing", geo.Point{Lng: 107.9717, Lat: 21.5476}, true},
		{"Hong Kong", geo.Point{Lng: 114.1694, Lat: 22.3193}, true},
		{"Taipei", geo.Point{Lng: 121.5654, Lat: 25.0330}, true},
		// Known misses of the coarse boxes (documented on InChina).
		{"Sinuiju, North Korea (miss)", geo.Point{Lng: 124.4000, Lat: 40.1000}, true},
		{"Blagoveshchensk, Russia (miss)", geo.Point{Lng: 127.5405, Lat: 50.2907}, true},
		{"Lao Cai, Vietnam (miss)", geo.Point{Lng: 103.9750, Lat: 22.4856}, true},
		{"Thimphu, Bhutan (miss)", geo.Point{Lng: 89.6390, Lat: 27.4728}, true},
		{"Sansha, Yongxing Island (miss)", geo.Point{Lng: 112.3390, Lat: 16.8340}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := geo.InChina(tt.p); got != tt.want {
				t.Errorf("InChina(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestDistanceMeters(t *testing.T) {
	tests := []struct {
		name string
		a, b geo.Point
		want float64
		tol  float64
	}{
		{"same point", geo.Point{Lng: 113.3, Lat: 33.7}, geo.Point{Lng: 113.3, Lat: 33.7}, 0, 1e-9},
		// One degree of a meridian on the mean sphere is 2πR/360.
		{"one degree of latitude", geo.Point{Lng: 0, Lat: 0}, geo.Point{Lng: 0, Lat: 1}, 2 * math.Pi * geo.EarthRadius / 360, 1e-6},
		{"half the equator", geo.Point{Lng: 0, Lat: 0}, geo.Point{Lng: 180, Lat: 0}, math.Pi * geo.EarthRadius, 1e-6},
		{"Beijing to Shanghai", geo.Point{Lng: 116.4074, Lat: 39.9042}, geo.Point{Lng: 121.4737, Lat: 31.2304}, 1_067_300, 2_000},
		{"100 m east in Pingdingshan", geo.Point{Lng: 113.3, Lat: 33.7}, geo.Point{Lng: 113.3 + 100/(2*math.Pi*geo.EarthRadius/360*math.Cos(33.7*math.Pi/180)), Lat: 33.7}, 100, 1e-3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := geo.DistanceMeters(tt.a, tt.b)
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("DistanceMeters = %.4f, want %.4f ± %g", got, tt.want, tt.tol)
			}
			if back := geo.DistanceMeters(tt.b, tt.a); math.Abs(back-got) > 1e-9 {
				t.Errorf("not symmetric: %v and %v", got, back)
			}
		})
	}
}
