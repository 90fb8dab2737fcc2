package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func catalogue(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load("zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func photoHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestRefusedReportKeepsPhotos: a report the ledger refuses files no
// case, on the public form and on 随手拍, and comes back with its photos
// kept by ticket (the after-photos of 立拍立改 only when it was ticked).
func TestRefusedReportKeepsPhotos(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	cat := catalogue(t)
	category := servertest.CategoryID(t, app, "SR02")
	tests := []struct {
		name   string
		role   string // "" for a citizen on the public form
		fields map[string]string
		want   string // the reason shown on the form
	}{
		{"public, no description", "", map[string]string{"region_code": "410411001001"}, cat.T("problem.description_required")},
		{"public, bad phone", "", map[string]string{"description": "路灯不亮", "region_code": "410411001001", "reporter_phone": "12345"},
			cat.T("problem.phone_invalid")},
		{"public, unknown region", "", map[string]string{"description": "路灯不亮", "region_code": "419999"},
			cat.T("problem.region_unknown", "419999")},
		{"snapshot, no category", "inspector", map[string]string{"source": "snapshot", "description": "井盖缺失", "region_code": "410411001001"},
			cat.T("problem.category_required")},
		{"snapshot fixed on the spot, no description", "inspector", map[string]string{"source": "inspection", "category_id": category,
			"region_code": "410411001001", "fixed": "1"}, cat.T("problem.description_required")},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path, b := "/public/report", app.Browser(t)
			if tc.role != "" {
				path, b = "/report", app.SignedIn(t, tc.role)
			}
			b.Get(path)
			before, after := servertest.JPEGBytes(100+i), servertest.JPEGBytes(200+i)
			res := b.PostMultipart(path, tc.fields, map[string][][]byte{"photos": {before}, "after_photos": {after}})
			if res.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.Status)
			}
			body := html.UnescapeString(res.Body)
			servertest.MustContain(t, body, tc.want, `name="kept_photo" value="`+photoHash(before)+`.`)
			if _, err := app.Media.Get(context.Background(), photoHash(before)); err != nil {
				t.Errorf("the photo of the refused form was not kept: %v", err)
			}
			_, err := app.Media.Get(context.Background(), photoHash(after))
			if fixed := tc.fields["fixed"] == "1"; fixed != (err == nil) || fixed != strings.Contains(body, `name="kept_after" value="`+photoHash(after)+`.`) {
				t.Errorf("after-photo kept %v (%v), want %v", err == nil, err, fixed)
			}
		})
	}
	t.Cleanup(func() {
		if _, n, err := app.Problems.List(context.Background(), access.System(), problem.Filter{}); err != nil || n != 0 {
			t.Errorf("%d cases filed from refused reports (%v)", n, err)
		}
	})
}

// TestPublicFormKeepsInput: a refused public report is shown again with
// what the citizen entered, the scanned site included.
func TestPublicFormKeepsInput(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	withDemoSites(t, app)
	x := siteByCode(t, app, "S410411-0002")
	cat := catalogue(t)
	fields := func(phone string) map[string]string {
		return map[string]string{"description": "广场东侧垃圾桶满溢", "address": "建设路 12 号", "region_code": x.RegionCode,
			"lng": "113.301234", "lat": "33.701234", "reporter_name": "王小明", "reporter_phone": phone, "site": x.QRToken}
	}
	tests := []struct {
		name   string
		fields map[string]string
		photos [][]byte
		want   string
	}{
		{"bad phone", fields("1381234"), nil, cat.T("problem.phone_invalid")},
		{"not a photo", fields("13812345678"), [][]byte{[]byte("MZ not a photo")}, cat.T("media.not_image")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			citizen := app.Browser(t)
			citizen.Get("/public/report?site=" + x.QRToken)
			res := citizen.PostMultipart("/public/report", tc.fields, map[string][][]byte{"photos": tc.photos})
			if res.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.Status)
			}
			body := html.UnescapeString(res.Body)
			servertest.MustContain(t, body, tc.want, tc.fields["description"], `value="`+tc.fields["address"]+`"`,
				`value="`+tc.fields["reporter_name"]+`"`, `value="`+tc.fields["reporter_phone"]+`"`,
				`value="113.301234"`, `value="33.701234"`, `name="site" value="`+x.QRToken+`"`, x.Name)
		})
	}
}

// TestPublicSiteLookupFailure: when the site of a scanned code cannot be
// read, the public form says the server failed instead of going on as if
// no code had been scanned, and files nothing.
func TestPublicSiteLookupFailure(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	withDemoSites(t, app)
	x := siteByCode(t, app, "S410411-0002")
	// The site table out of reach stands for a database failure.
	if _, err := app.DB.Exec(context.Background(), "ALTER TABLE site RENAME TO site_out_of_reach"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func(b *servertest.Browser) servertest.Response
	}{
		{"form", func(b *servertest.Browser) servertest.Response { return b.Get("/public/report?site=" + x.QRToken) }},
		{"submit", func(b *servertest.Browser) servertest.Response {
			b.Get("/public/report")
			return b.PostMultipart("/public/report", map[string]string{"description": "垃圾桶满了", "region_code": x.RegionCode,
				"site": x.QRToken}, nil)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if res := tc.do(app.Browser(t)); res.Status != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", res.Status)
			}
		})
	}
	t.Cleanup(func() {
		if _, n, _ := app.Problems.List(context.Background(), access.System(), problem.Filter{}); n != 0 {
			t.Errorf("%d cases filed while the site could not be read", n)
		}
	})
}

// TestFixOnTheSpotRefused: when the ledger refuses to rectify a new case
// on the spot, the reporter sees the case and the reason; the case stays
// reported.
func TestFixOnTheSpotRefused(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	cat := catalogue(t)
	category := servertest.CategoryID(t, app, "JM04")
	tests := []struct {
		name   string
		role   string
		fields map[string]string
		after  [][]byte
		want   string
	}{
		{"no after-photo", "inspector", map[string]string{"source": "inspection"}, nil,
			cat.T("problem.photo_required", cat.T("problem.action.fix_on_spot"))},
		{"not an inspector", "office", map[string]string{"source": "snapshot"}, [][]byte{servertest.JPEGBytes(31)}, ""},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := app.SignedIn(t, tc.role)
			b.Get("/report")
			desc := "配电箱上贴满小广告 " + tc.name
			tc.fields["category_id"], tc.fields["description"], tc.fields["region_code"] = category, desc, "410411001002"
			tc.fields["fixed"], tc.fields["fix_note"] = "1", "已当场铲除"
			res := b.PostMultipart("/report", tc.fields, map[string][][]byte{"photos": {servertest.JPEGBytes(40 + i)}, "after_photos": tc.after})
			if res.Status < 400 || res.Status >= 500 {
				t.Fatalf("status %d, want the refusal's", res.Status)
			}
			body := html.UnescapeString(res.Body)
			prefix, _, _ := strings.Cut(cat.T("report.fix_failed", ""), "：")
			servertest.MustContain(t, body, prefix, desc, tc.want)
			cases, _, err := app.Problems.List(context.Background(), access.System(), problem.Filter{Text: tc.name})
			if err != nil || len(cases) != 1 || cases[0].State != problem.Reported {
				t.Fatalf("the report should be filed, not rectified: %+v %v", cases, err)
			}
			servertest.MustContain(t, body, cases[0].Code)
		})
	}
}
