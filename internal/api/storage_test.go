package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestPhotoAPIWithStorageDown: a photo posted to a server whose object
// storage does not answer gets 503 with the storage code and message, not
// a bare internal error, and the photo is not recorded.
func TestPhotoAPIWithStorageDown(t *testing.T) {
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
	admin := app.SignedIn(t, "admin")
	token := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "office"), "12345 热线")
	photo := servertest.JPEGBytes(77)
	req, _ := http.NewRequest("POST", down.URL+"/api/v1/photos", bytes.NewReader(photo))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "image/jpeg")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || servertest.ErrorCode(t, body) != "media.storage_unavailable" ||
		!strings.Contains(string(body), "照片存储暂时无法访问") {
		t.Fatalf("photo with storage down: %d %s", res.StatusCode, body)
	}
	// Nothing recorded: the database does not know the photo.
	sum := sha256.Sum256(photo)
	if _, err := app.Media.Get(context.Background(), hex.EncodeToString(sum[:])); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the failed upload left a photo row: %v", err)
	}
}
