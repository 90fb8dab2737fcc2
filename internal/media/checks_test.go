package media

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/i18n"
)

func TestDistanceMeters(t *testing.T) {
	for _, c := range []struct {
		name                   string
		lat1, lng1, lat2, lng2 float64
		want, tol              float64
	}{
		{"same point", 33.7, 113.3, 33.7, 113.3, 0, 1e-9},
		{"one degree of latitude", 33, 113.3, 34, 113.3, 111_195, 10},
		{"one degree of longitude on the equator", 0, 113, 0, 114, 111_195, 10},
		// Pingdingshan (平顶山) to Zhengzhou (郑州), about 116 km.
		{"Pingdingshan to Zhengzhou", 33.7350, 113.3000, 34.7466, 113.6253, 116_000, 2_000},
		{"antipodes", 0, 0, 0, 180, math.Pi * geo.EarthRadius, 1},
	} {
		got := DistanceMeters(c.lat1, c.lng1, c.lat2, c.lng2)
		if math.Abs(got-c.want) > c.tol {
			t.Errorf("%s: %.1f m, want %.0f±%.0f", c.name, got, c.want, c.tol)
		}
		if back := DistanceMeters(c.lat2, c.lng2, c.lat1, c.lng1); math.Abs(back-got) > 1e-6 {
			t.Errorf("%s: not symmetric: %v and %v", c.name, got, back)
		}
	}
}

func TestWarnings(t *testing.T) {
	created := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	gps := func(lat, lng float64, taken time.Time) Photo {
		return Photo{Lat: lat, Lng: lng, HasGPS: true, TakenAt: taken}
	}
	after := created.Add(48 * time.Hour)
	place := [2]float64{33.7, 113.3}
	// 0.004° of latitude is about 445 m; 0.01° about 1.1 km.
	for _, c := range []struct {
		name     string
		p        Photo
		placeLat float64
		placeLng float64
		created  time.Time
		want     []Warning
	}{
		{"on the spot and after", gps(33.704, 113.3, after), place[0], place[1], created, nil},
		{"far away", gps(33.71, 113.3, after), place[0], place[1], created,
			[]Warning{{"media.warn_far", []any{"1.1"}}}},
		{"in another city", gps(34.7466, 113.6253, after), place[0], place[1], created,
			[]Warning{{"media.warn_far", []any{"120.2"}}}},
		{"older than the case", gps(33.7, 113.3, created.Add(-time.Hour)), place[0], place[1], created,
			[]Warning{{"media.warn_older", []any{"2025-03-01 07:00"}}}},
		{"far and older", gps(33.8, 113.3, created.Add(-24*time.Hour)), place[0], place[1], created,
			[]Warning{{"media.warn_far", []any{"11.1"}}, {"media.warn_older", []any{"2025-02-28 08:00"}}}},
		{"no EXIF", Photo{}, place[0], place[1], created, []Warning{{Code: "media.warn_no_exif"}}},
		{"time but no position", Photo{TakenAt: after}, place[0], place[1], created, []Warning{{Code: "media.warn_no_exif"}}},
		{"position but no time, far", gps(33.8, 113.3, time.Time{}), place[0], place[1], created,
			[]Warning{{Code: "media.warn_no_exif"}, {"media.warn_far", []any{"11.1"}}}},
		{"place unknown", gps(33.8, 113.3, after), 0, 0, created, nil},
		{"case time unknown", gps(33.7, 113.3, created.Add(-time.Hour)), place[0], place[1], time.Time{}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Warnings(c.p, c.placeLat, c.placeLng, c.created)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestCatalogue checks that every code of the package has a Chinese text
// that takes the arguments the package gives it.
func TestCatalogue(t *testing.T) {
	cat := i18n.MustLoad("zh-CN")
	for code, args := range map[string][]any{
		"media.too_large":       {formatBytes(10 << 20)},
		"media.not_image":       nil,
		"media.corrupt":         nil,
		"media.too_many_pixels": {50000, 50000, formatPixels(40_000_000)},
		"media.not_found":       nil,
		"media.bad_hash":        nil,
		"media.bad_size":        {"huge"},
		"media.warn_no_exif":    nil,
		"media.warn_far":        {"1.2"},
		"media.warn_older":      {"2025-02-28 07:00"},
	} {
		if !cat.Has(code) {
			t.Errorf("%s is not in the catalogue", code)
			continue
		}
		msg := cat.T(code, args...)
		if strings.Contains(msg, "%!") || strings.Count(msg, "%") != 0 {
			t.Errorf("%s with %v: %q", code, args, msg)
		}
		for _, a := range args {
			if !strings.Contains(msg, fmt.Sprint(a)) {
				t.Errorf("%s: %q does not show %v", code, msg, a)
			}
		}
	}
}
