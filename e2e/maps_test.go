//go:build browser

package e2e

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/site"
)

// chooseOption picks the option of a select whose text is label and tells
// the page, as a tap on the option would.
func chooseOption(sel, label string) chromedp.Action[chromedp.Void] {
	js := `(function(){var s=document.querySelector(` + strconv.Quote(sel) + `);for(var o of s.options){if(o.text===` + strconv.Quote(label) +
		`){s.value=o.value;s.dispatchEvent(new Event("change",{bubbles:true}));return true}}return false})()`
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && !ok {
			err = fmt.Errorf("no option %q in %s", label, sel)
		}
		return chromedp.Void{}, err
	}
}

// TestMapsPickPlaceOnPhone: on a phone-sized screen, with no tile server,
// the 随手拍 form's map shows the district's outlines, and a place is
// picked by street → community → site, filling the form's position and
// region.
func TestMapsPickPlaceOnPhone(t *testing.T) {
	base, app := startAppWith(t)
	ctx0 := context.Background()
	if _, err := site.DemoSites(ctx0, app.Sites); err != nil {
		t.Fatal(err)
	}
	list, _, err := app.Sites.List(ctx0, access.System(), site.Filter{Query: "S410411-0017"}) // 电力社区
	if err != nil || len(list) != 1 || list[0].Name != "电力社区" {
		t.Fatalf("site 电力社区: %v %v", err, list)
	}
	want := list[0]

	ctx := newBrowser(t)
	var lng, lat, regionCode, chosen string
	var paths, tilesDrawn, areaLabels int
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		signIn(base, "volunteer", "wenming-volunteer-2026"),
		chromedp.Navigate(base+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`#map.leaflet-container`)),
		// The outlines arrive: paths in Leaflet's overlay pane, no tiles.
		waitTrue(`document.querySelectorAll('#map .leaflet-overlay-pane path').length >= 10`),
		intInto(`document.querySelectorAll('#map .leaflet-overlay-pane path').length`, &paths),
		intInto(`document.querySelectorAll('#map .leaflet-tile-pane img').length`, &tilesDrawn),
		screenshotTo(t, "report-map-390x844.png"),
		waitTrue(`document.querySelector('[data-pick-street]').options.length > 1`),
		chooseOption(`[data-pick-street]`, "马庄街道"),
		waitTrue(`document.querySelector('[data-pick-community]').options.length > 1`),
		chooseOption(`[data-pick-community]`, "电力社区"),
		waitTrue(`document.querySelector('[data-pick-site]').options.length > 1`),
		chooseOption(`[data-pick-site]`, "电力社区"),
		waitTrue(`document.querySelector('#report-form [name=region_code]').value === "410411001001" && document.getElementById('lng').value !== ""`),
		valueInto(`#lng`, &lng),
		valueInto(`#lat`, &lat),
		valueInto(`#report-form [name=region_code]`, &regionCode),
		textInto(`[data-pick-chosen]`, &chosen),
		// Zoomed in on the site, the communities' names are written.
		waitTrue(`document.querySelectorAll('#map .area-label-5').length > 0`),
		intInto(`document.querySelectorAll('#map .area-label-5').length`, &areaLabels),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, screenshotTo(t, "report-place-390x844.png")); err != nil {
		t.Error(err)
	}
	if tilesDrawn != 0 || paths < 10 {
		t.Errorf("map without tiles: %d outline paths, %d tiles", paths, tilesDrawn)
	}
	gotLng, _ := strconv.ParseFloat(lng, 64)
	gotLat, _ := strconv.ParseFloat(lat, 64)
	if regionCode != "410411001001" || math.Abs(gotLng-want.Lng) > 1e-5 || math.Abs(gotLat-want.Lat) > 1e-5 {
		t.Errorf("picked %s, %s in %s; want %v, %v in 410411001001", lng, lat, regionCode, want.Lng, want.Lat)
	}
	if chosen != "马庄街道 · 电力社区 · 电力社区" {
		t.Errorf("the form says %q was chosen", chosen)
	}
	if areaLabels == 0 {
		t.Error("no community names on the map")
	}
}

// gpsJPEG is a photo whose EXIF block says where it was taken: the little
// TIFF directory a phone writes, with a GPS directory of latitude and
// longitude as degrees, minutes and seconds.
func gpsJPEG(lat, lng float64) []byte {
	le := binary.LittleEndian
	var tiff []byte
	u16 := func(v uint16) { tiff = le.AppendUint16(tiff, v) }
	u32 := func(v uint32) { tiff = le.AppendUint32(tiff, v) }
	entry := func(tag, typ uint16, count, value uint32) { u16(tag); u16(typ); u32(count); u32(value) }
	tiff = append(tiff, 'I', 'I')
	u16(42)
	u32(8)
	// IFD0 at 8: one entry pointing to the GPS IFD at 26.
	u16(1)
	entry(0x8825, 4, 1, 26)
	u32(0)
	// GPS IFD at 26: four entries, rationals from 80 on.
	u16(4)
	entry(1, 2, 2, uint32('N'))
	entry(2, 5, 3, 80)
	entry(3, 2, 2, uint32('E'))
	entry(4, 5, 3, 104)
	u32(0)
	for _, v := range []float64{lat, lng} {
		d := math.Floor(v)
		m := math.Floor((v - d) * 60)
		sec := ((v-d)*60 - m) * 60
		u32(uint32(d))
		u32(1)
		u32(uint32(m))
		u32(1)
		u32(uint32(math.Round(sec * 10000)))
		u32(10000)
	}
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	img := sceneJPEG()
	out := append([]byte{0xFF, 0xD8, 0xFF, 0xE1}, byte((len(app1)+2)>>8), byte(len(app1)+2))
	out = append(out, app1...)
	return append(out, img[2:]...)
}

// TestMapsPhotoPositionFillsPlace: choosing a photo taken with the
// phone's GPS on fills the report's position from its EXIF block.
func TestMapsPhotoPositionFillsPlace(t *testing.T) {
	base := startApp(t)
	photo := filepath.Join(t.TempDir(), "gps.jpg")
	if err := os.WriteFile(photo, gpsJPEG(33.7123, 113.3187), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	var lng, lat string
	var button int
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		signIn(base, "volunteer", "wenming-volunteer-2026"),
		chromedp.Navigate(base+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`#map.leaflet-container`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#report-form input[name=photos]`), []string{photo}),
		waitTrue(`document.getElementById('lng').value !== ""`),
		valueInto(`#lng`, &lng),
		valueInto(`#lat`, &lat),
		intInto(`document.querySelector('[data-photo-place]').hidden ? 0 : 1`, &button),
	)
	if err != nil {
		t.Fatal(err)
	}
	if lng != "113.318700" || lat != "33.712300" || button != 1 {
		t.Errorf("photo position %s, %s (button shown %d), want 113.318700, 33.712300", lng, lat, button)
	}
}
