package web_test

import (
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/media/s3test"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestStorageDownRefusesReportsCleanly runs a second server whose object
// storage does not answer: /readyz says so, and a report with a photo is
// refused with the storage message while nothing of it is recorded.
func TestStorageDownRefusesReportsCleanly(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	down := app.Another(t, func(c *config.Config) {
		c.StorageURL, c.S3Endpoint, c.S3AccessKey, c.S3SecretKey = "s3://wenming/photos", "http://"+dead, "k", "s"
	})
	if r := app.Browser(t).Get("/readyz"); r.Status != http.StatusOK {
		t.Fatalf("readyz with disk storage: %d %s", r.Status, r.Body)
	}
	if r := down.Browser(t).Get("/readyz"); r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "storage") {
		t.Fatalf("readyz with storage down: %d %s", r.Status, r.Body)
	}
	inspector := down.SignedIn(t, "inspector")
	inspector.Get("/report")
	const what = "存储故障时上报：人行道井盖缺失"
	res := inspector.PostMultipart("/report", map[string]string{
		"source": "inspection", "category_id": servertest.CategoryID(t, app, "SR01"), "description": what,
		"address": "建设路", "region_code": "410411001001",
	}, map[string][][]byte{"photos": {servertest.JPEGBytes(41)}})
	if res.Status != http.StatusServiceUnavailable {
		t.Fatalf("report with storage down: %d %s", res.Status, res.Location)
	}
	servertest.MustContain(t, res.Body, "照片存储暂时无法访问", "没有保存")
	// Nothing half-written: no case with that description on either server.
	list := app.SignedIn(t, "office").Get("/problems?q=" + "井盖缺失")
	servertest.MustNotContain(t, list.Body, what)
}

// TestPhotoThroughObjectStorageServedByAnotherServer uploads a report's
// photo through one server with S3 storage and sees it served, behind the
// same scope check, by another server on the same database and bucket.
func TestPhotoThroughObjectStorageServedByAnotherServer(t *testing.T) {
	t.Parallel()
	s3 := s3test.Config(t)
	app := servertest.New(t)
	withS3 := func(c *config.Config) {
		c.StorageURL, c.S3Endpoint, c.S3Region, c.S3AccessKey, c.S3SecretKey = s3.URL, s3.Endpoint, s3.Region, s3.AccessKey, s3.SecretKey
	}
	one, two := app.Another(t, withS3), app.Another(t, withS3)
	if r := one.Browser(t).Get("/readyz"); r.Status != http.StatusOK {
		t.Fatalf("readyz with S3 storage: %d %s", r.Status, r.Body)
	}
	inspector := one.SignedIn(t, "inspector")
	inspector.Get("/report")
	res := inspector.PostMultipart("/report", map[string]string{
		"source": "inspection", "category_id": servertest.CategoryID(t, app, "SR01"), "description": "对象存储：路边堆放建筑垃圾",
		"address": "建设路", "region_code": "410411001001",
	}, map[string][][]byte{"photos": {servertest.JPEGBytes(42)}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("report: %d %s", res.Status, res.Body)
	}
	office := two.SignedIn(t, "office")
	page := office.Get(res.Location)
	ph := regexp.MustCompile(`src="(/photos/[0-9a-f]{64}/thumb)"`).FindStringSubmatch(page.Body)
	if ph == nil {
		t.Fatalf("no photo on the case page served by the other server")
	}
	if r := office.Get(ph[1]); r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/jpeg" || len(r.Body) < 100 {
		t.Fatalf("photo through the other server: %d %s %d bytes", r.Status, r.Header.Get("Content-Type"), len(r.Body))
	}
	if r := two.SignedIn(t, "citizen").Get(ph[1]); r.Status != http.StatusNotFound {
		t.Fatalf("photo shown to a citizen who did not report it: %d", r.Status)
	}
	// The disk server on the same database does not have it: the photo
	// really lives in the bucket.
	if r := app.SignedIn(t, "office").Get(ph[1]); r.Status != http.StatusNotFound {
		t.Fatalf("photo found on the disk server's directory: %d", r.Status)
	}
}
