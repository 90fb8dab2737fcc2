package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestPrecedenceAndValidation(t *testing.T) {
	env := map[string]string{"WENMING_ADDR": "0.0.0.0:9000", "WENMING_SESSION_TTL": "2h", "WENMING_LOG_LEVEL": "debug"}
	c := Defaults()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := c.Bind(fs, func(k string) string { return env[k] }, func(k string, _ ...any) string { return k }); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"-addr", "127.0.0.1:7000", "-trust-proxy"}); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" || c.SessionTTL != 2*time.Hour || c.LogLevel != "debug" || !c.TrustProxy {
		t.Fatalf("flag over env over default broken: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Defaults()
	bad.Addr, bad.CookieSecure, bad.SQLiteReaders, bad.BaseURL = "nonsense", "maybe", 0, "ftp://x"
	err := bad.Validate()
	for _, want := range []string{"addr", "cookie-secure", "sqlite-readers", "base-url"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate does not name %s: %v", want, err)
		}
	}
}

func TestDatabaseChoiceAndCookies(t *testing.T) {
	c := Defaults()
	if c.IsPostgres() || c.SQLitePath() != "data/wenming.db" {
		t.Errorf("default database: %v %s", c.IsPostgres(), c.SQLitePath())
	}
	c.DatabaseURL = "postgresql://u@h/db"
	if !c.IsPostgres() {
		t.Error("postgresql:// not recognised")
	}
	c.DatabaseURL = "sqlite:/var/lib/wm.db"
	if c.SQLitePath() != "/var/lib/wm.db" {
		t.Errorf("sqlite path: %s", c.SQLitePath())
	}
	c.BaseURL = "https://wm.example.gov.cn"
	if !c.SecureCookies() {
		t.Error("https base URL should make cookies Secure")
	}
	c.CookieSecure = "false"
	if c.SecureCookies() {
		t.Error("cookie-secure=false ignored")
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "",
		"postgres://wm:secret@db:5432/x":  "postgres://wm:xxxxx@db:5432/x",
		"postgres://db/x?password=secret": "postgres://db/x?password=xxxxx",
		"data/wenming.db":                 "data/wenming.db",
		"host=db user=wm password=secret": "xxxxx",
	} {
		if got := Redact(in); got != want || strings.Contains(got, "secret") {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDataKeyAndVolunteerSettings(t *testing.T) {
	const hexKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	tests := []struct {
		name, key, stars string
		margin           time.Duration
		wantErr          string
	}{
		{"defaults: no key", "", "100,300,600,1000,1500", 30 * time.Minute, ""},
		{"hex key", hexKey, "100,300,600,1000,1500", 0, ""},
		{"short key", hexKey[:40], "100,300,600,1000,1500", time.Minute, "data-key"},
		{"stars not rising", hexKey, "100,300,300,1000,1500", time.Minute, "volunteer-stars"},
		{"four stars", hexKey, "100,300,600,1000", time.Minute, "volunteer-stars"},
		{"negative margin", hexKey, "1,2,3,4,5", -time.Minute, "checkin-margin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Defaults()
			c.DataKey, c.VolunteerStars, c.CheckinMargin = tc.key, tc.stars, tc.margin
			err := c.Validate()
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Validate = %v, want %q", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), hexKey[:40]) {
				t.Fatalf("the error shows the key: %v", err)
			}
		})
	}
	c := Defaults()
	c.DataKey = hexKey
	var out strings.Builder
	c.Print(&out)
	if strings.Contains(out.String(), hexKey) || !strings.Contains(out.String(), "WENMING_DATA_KEY") {
		t.Fatalf("data key not redacted:\n%s", out.String())
	}
}

func TestStorageSettingsValidatedAndRedacted(t *testing.T) {
	c := Defaults()
	c.StorageURL, c.S3Endpoint = "s3://wenming-photos/prod", "http://127.0.0.1:8333"
	c.S3AccessKey, c.S3SecretKey = "AKIAEXAMPLEKEY", "s3cr3t-value-never-printed"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	c.Print(&out)
	if strings.Contains(out.String(), "s3cr3t-value-never-printed") || strings.Contains(out.String(), "AKIAEXAMPLEKEY") {
		t.Errorf("config prints an S3 key:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "s3://wenming-photos/prod") {
		t.Errorf("config does not print the storage URL:\n%s", out.String())
	}
	for _, bad := range []struct{ url, endpoint, key, want string }{
		{"file:///tmp/x", "", "k", "storage-url"},
		{"s3://b", "", "", "s3-access-key"},
		{"s3://b", "ftp://h", "k", "s3-endpoint"},
	} {
		c := Defaults()
		c.StorageURL, c.S3Endpoint, c.S3AccessKey, c.S3SecretKey = bad.url, bad.endpoint, bad.key, bad.key
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: Validate = %v, want it to name %s", bad, err, bad.want)
		}
	}
}
