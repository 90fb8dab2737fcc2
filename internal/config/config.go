// Package config gathers the settings of a wenming process from flags and
// WENMING_* environment variables into one typed, validated struct.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/pii"
)

// Config holds every setting of the server and the command-line verbs.
type Config struct {
	Addr            string        // listen address of serve and demo
	DataDir         string        // where the SQLite file and uploaded files live
	DatabaseURL     string        // empty or a SQLite path: embedded; postgres:// URL: PostgreSQL
	BaseURL         string        // public URL, used for links and to decide Secure cookies
	CookieSecure    string        // auto, true or false
	LogFormat       string        // text or json
	LogLevel        string        // debug, info, warn, error
	SessionTTL      time.Duration // idle lifetime of a sign-in session
	SessionMaxAge   time.Duration // absolute lifetime of a sign-in session
	SQLiteReaders   int           // size of the SQLite reader pool
	ShutdownTimeout time.Duration // grace period for in-flight requests
	LoginMaxFailure int           // failed sign-ins per account name before a lockout
	LoginLockout    time.Duration // how long a lockout lasts
	AddrMaxFailure  int           // failed sign-ins per client address before a lockout
	TrustProxy      bool          // take the client address from X-Forwarded-For
	MapTiles        string        // basemap tile URL template; empty: maps without tiles
	MapTilesCRS     string        // wgs84 or gcj02
	MapAttribution  string        // credit shown on maps
	PhotoMaxBytes   int           // largest photo accepted, bytes
	PublicPerHour   int           // public reports per client address and hour
	EscalateEvery   time.Duration // how often the escalation job runs
	DuplicateMeters int           // reports of one category this close are likely duplicates
	SMSURL          string        // SMS gateway endpoint (POST JSON); empty: messages wait in the outbox
	SMSToken        string        // bearer token of the SMS gateway
	SMSEvery        time.Duration // how often the outbox is sent
	BoundaryPoll    time.Duration // how often a server asks whether another changed the grid boundaries
	// DataKey seals personal identifiers (ID numbers) in the database and
	// keys their lookup hashes (internal/pii): 32 bytes as 64 hex digits
	// or base64. Empty: the features that record ID numbers refuse, and
	// say which setting they need.
	DataKey string
	// VolunteerStars are the star levels' thresholds in hours, lowest
	// first (一星 … 五星).
	VolunteerStars string
	// CheckinMargin is how long before an activity starts and after it
	// ends a volunteer may still check in or out.
	CheckinMargin time.Duration
	// StorageURL says where photos and files live: empty keeps them on
	// disk under DataDir/photos; s3://bucket/prefix puts them in an
	// S3-compatible bucket reached at S3Endpoint with the keys below.
	StorageURL  string
	S3Endpoint  string // e.g. https://s3.example.com or http://127.0.0.1:8333; empty: Amazon S3
	S3Region    string
	S3AccessKey string
	S3SecretKey string
	// RobotEvery is how often the group robots' and webhooks' outbox is
	// sent (and the robots' daily digests queued).
	RobotEvery time.Duration
	// WebhookTimeout bounds one request to a robot platform or a webhook
	// receiver; one that hangs is retried later.
	WebhookTimeout time.Duration
	// AllowPrivateWebhooks lets robots and webhooks post to loopback,
	// private and link-local addresses (an intranet receiver, tests);
	// off, such targets are refused when saved and when dialled.
	AllowPrivateWebhooks bool
	// FileMaxMB is the largest file (dossier evidence) accepted, in MB.
	FileMaxMB int
	// DossierRemindDays is how many working days before a dossier item's
	// due date its unit is reminded.
	DossierRemindDays int
}

// Defaults returns the configuration used when nothing is set.
func Defaults() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		DataDir:           "data",
		CookieSecure:      "auto",
		LogFormat:         "text",
		LogLevel:          "info",
		SessionTTL:        12 * time.Hour,
		SessionMaxAge:     7 * 24 * time.Hour,
		SQLiteReaders:     4,
		ShutdownTimeout:   15 * time.Second,
		LoginMaxFailure:   5,
		LoginLockout:      15 * time.Minute,
		AddrMaxFailure:    30,
		MapTilesCRS:       "wgs84",
		PhotoMaxBytes:     10 << 20,
		PublicPerHour:     10,
		EscalateEvery:     5 * time.Minute,
		DuplicateMeters:   100,
		SMSEvery:          time.Minute,
		BoundaryPoll:      time.Second,
		VolunteerStars:    "100,300,600,1000,1500",
		CheckinMargin:     30 * time.Minute,
		RobotEvery:        15 * time.Second,
		WebhookTimeout:    10 * time.Second,
		FileMaxMB:         50,
		DossierRemindDays: 3,
	}
}

// field describes one setting once, for flags, environment and printing.
type field struct {
	flag, env, usage string // usage is a catalogue key
	secret           secrecy
	value            flag.Value
}

// secrecy says how a setting is printed.
type secrecy int

const (
	plain     secrecy = iota
	urlSecret         // a URL that may carry a password: Redact
	token             // a secret printed as xxxxx whatever it looks like
)

// fields lists the settings bound to the given struct.
func (c *Config) fields() []field {
	return []field{
		{"addr", "WENMING_ADDR", "config.flag.addr", plain, (*stringValue)(&c.Addr)},
		{"data-dir", "WENMING_DATA_DIR", "config.flag.data_dir", plain, (*stringValue)(&c.DataDir)},
		{"database-url", "WENMING_DATABASE_URL", "config.flag.database_url", urlSecret, (*stringValue)(&c.DatabaseURL)},
		{"base-url", "WENMING_BASE_URL", "config.flag.base_url", plain, (*stringValue)(&c.BaseURL)},
		{"cookie-secure", "WENMING_COOKIE_SECURE", "config.flag.cookie_secure", plain, (*stringValue)(&c.CookieSecure)},
		{"log-format", "WENMING_LOG_FORMAT", "config.flag.log_format", plain, (*stringValue)(&c.LogFormat)},
		{"log-level", "WENMING_LOG_LEVEL", "config.flag.log_level", plain, (*stringValue)(&c.LogLevel)},
		{"session-ttl", "WENMING_SESSION_TTL", "config.flag.session_ttl", plain, (*durationValue)(&c.SessionTTL)},
		{"session-max-age", "WENMING_SESSION_MAX_AGE", "config.flag.session_max_age", plain, (*durationValue)(&c.SessionMaxAge)},
		{"sqlite-readers", "WENMING_SQLITE_READERS", "config.flag.sqlite_readers", plain, (*intValue)(&c.SQLiteReaders)},
		{"shutdown-timeout", "WENMING_SHUTDOWN_TIMEOUT", "config.flag.shutdown_timeout", plain, (*durationValue)(&c.ShutdownTimeout)},
		{"login-max-failures", "WENMING_LOGIN_MAX_FAILURES", "config.flag.login_max_failures", plain, (*intValue)(&c.LoginMaxFailure)},
		{"login-lockout", "WENMING_LOGIN_LOCKOUT", "config.flag.login_lockout", plain, (*durationValue)(&c.LoginLockout)},
		{"addr-max-failures", "WENMING_ADDR_MAX_FAILURES", "config.flag.addr_max_failures", plain, (*intValue)(&c.AddrMaxFailure)},
		{"trust-proxy", "WENMING_TRUST_PROXY", "config.flag.trust_proxy", plain, (*boolValue)(&c.TrustProxy)},
		{"map-tiles", "WENMING_MAP_TILES", "config.flag.map_tiles", plain, (*stringValue)(&c.MapTiles)},
		{"map-tiles-crs", "WENMING_MAP_TILES_CRS", "config.flag.map_tiles_crs", plain, (*stringValue)(&c.MapTilesCRS)},
		{"map-attribution", "WENMING_MAP_ATTRIBUTION", "config.flag.map_attribution", plain, (*stringValue)(&c.MapAttribution)},
		{"photo-max-bytes", "WENMING_PHOTO_MAX_BYTES", "config.flag.photo_max_bytes", plain, (*intValue)(&c.PhotoMaxBytes)},
		{"public-per-hour", "WENMING_PUBLIC_PER_HOUR", "config.flag.public_per_hour", plain, (*intValue)(&c.PublicPerHour)},
		{"escalate-every", "WENMING_ESCALATE_EVERY", "config.flag.escalate_every", plain, (*durationValue)(&c.EscalateEvery)},
		{"duplicate-meters", "WENMING_DUPLICATE_METERS", "config.flag.duplicate_meters", plain, (*intValue)(&c.DuplicateMeters)},
		{"sms-url", "WENMING_SMS_URL", "config.flag.sms_url", urlSecret, (*stringValue)(&c.SMSURL)},
		{"sms-token", "WENMING_SMS_TOKEN", "config.flag.sms_token", token, (*stringValue)(&c.SMSToken)},
		{"sms-every", "WENMING_SMS_EVERY", "config.flag.sms_every", plain, (*durationValue)(&c.SMSEvery)},
		{"boundary-poll", "WENMING_BOUNDARY_POLL", "config.flag.boundary_poll", plain, (*durationValue)(&c.BoundaryPoll)},
		{"data-key", "WENMING_DATA_KEY", "config.flag.data_key", token, (*stringValue)(&c.DataKey)},
		{"volunteer-stars", "WENMING_VOLUNTEER_STARS", "config.flag.volunteer_stars", plain, (*stringValue)(&c.VolunteerStars)},
		{"checkin-margin", "WENMING_CHECKIN_MARGIN", "config.flag.checkin_margin", plain, (*durationValue)(&c.CheckinMargin)},
		{"storage-url", "WENMING_STORAGE_URL", "config.flag.storage_url", plain, (*stringValue)(&c.StorageURL)},
		{"s3-endpoint", "WENMING_S3_ENDPOINT", "config.flag.s3_endpoint", urlSecret, (*stringValue)(&c.S3Endpoint)},
		{"s3-region", "WENMING_S3_REGION", "config.flag.s3_region", plain, (*stringValue)(&c.S3Region)},
		{"s3-access-key", "WENMING_S3_ACCESS_KEY", "config.flag.s3_access_key", token, (*stringValue)(&c.S3AccessKey)},
		{"s3-secret-key", "WENMING_S3_SECRET_KEY", "config.flag.s3_secret_key", token, (*stringValue)(&c.S3SecretKey)},
		{"robot-every", "WENMING_ROBOT_EVERY", "config.flag.robot_every", plain, (*durationValue)(&c.RobotEvery)},
		{"webhook-timeout", "WENMING_WEBHOOK_TIMEOUT", "config.flag.webhook_timeout", plain, (*durationValue)(&c.WebhookTimeout)},
		{"allow-private-webhooks", "WENMING_ALLOW_PRIVATE_WEBHOOKS", "config.flag.allow_private_webhooks", plain, (*boolValue)(&c.AllowPrivateWebhooks)},
		{"file-max-mb", "WENMING_FILE_MAX_MB", "config.flag.file_max_mb", plain, (*intValue)(&c.FileMaxMB)},
		{"dossier-remind-days", "WENMING_DOSSIER_REMIND_DAYS", "config.flag.dossier_remind_days", plain, (*intValue)(&c.DossierRemindDays)},
	}
}

// Bind registers every setting as a flag of fs, its help text looked up
// with t. Environment variables are applied to c first, so a flag given on
// the command line wins over the environment, which wins over the default.
func (c *Config) Bind(fs *flag.FlagSet, getenv func(string) string, t func(string, ...any) string) error {
	var errs []error
	for _, f := range c.fields() {
		if v := getenv(f.env); v != "" {
			if err := f.value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", f.env, v, err))
			}
		}
		fs.Var(f.value, f.flag, t(f.usage)+" ["+f.env+"]")
	}
	return errors.Join(errs...)
}

// Validate checks the settings and returns every problem at once.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: %w", c.Addr, err))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data-dir must not be empty"))
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("base-url %q must be an http or https URL", c.BaseURL))
		}
	}
	if c.IsPostgres() {
		if _, err := url.Parse(c.DatabaseURL); err != nil {
			errs = append(errs, fmt.Errorf("database-url is not a valid URL: %w", err))
		}
	}
	switch c.CookieSecure {
	case "auto", "true", "false":
	default:
		errs = append(errs, fmt.Errorf("cookie-secure %q must be auto, true or false", c.CookieSecure))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log-format %q must be text or json", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level %q must be debug, info, warn or error", c.LogLevel))
	}
	if c.SessionTTL < time.Minute || c.SessionMaxAge < c.SessionTTL {
		errs = append(errs, errors.New("session-ttl must be at least 1m and session-max-age at least session-ttl"))
	}
	if c.SQLiteReaders < 1 || c.SQLiteReaders > 64 {
		errs = append(errs, fmt.Errorf("sqlite-readers %d must be between 1 and 64", c.SQLiteReaders))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("shutdown-timeout must be positive"))
	}
	if c.LoginMaxFailure < 1 || c.AddrMaxFailure < 1 || c.LoginLockout <= 0 {
		errs = append(errs, errors.New("login-max-failures, addr-max-failures and login-lockout must be positive"))
	}
	if c.MapTilesCRS != "wgs84" && c.MapTilesCRS != "gcj02" {
		errs = append(errs, fmt.Errorf("map-tiles-crs %q must be wgs84 or gcj02", c.MapTilesCRS))
	}
	if c.MapTiles != "" && !strings.HasPrefix(c.MapTiles, "https://") && !strings.HasPrefix(c.MapTiles, "http://") {
		errs = append(errs, fmt.Errorf("map-tiles %q must be an http(s) URL template", c.MapTiles))
	}
	if c.PhotoMaxBytes < 100<<10 || c.PhotoMaxBytes > 50<<20 {
		errs = append(errs, errors.New("photo-max-bytes must be between 100 KB and 50 MB"))
	}
	if c.DuplicateMeters < 1 || c.DuplicateMeters > 5000 {
		errs = append(errs, errors.New("duplicate-meters must be between 1 and 5000"))
	}
	if c.SMSURL != "" && !strings.HasPrefix(c.SMSURL, "https://") && !strings.HasPrefix(c.SMSURL, "http://") {
		errs = append(errs, fmt.Errorf("sms-url %q must be an http(s) URL", Redact(c.SMSURL)))
	}
	if c.SMSEvery < 5*time.Second {
		errs = append(errs, errors.New("sms-every must be at least 5s"))
	}
	if c.BoundaryPoll < 100*time.Millisecond || c.BoundaryPoll > time.Minute {
		errs = append(errs, errors.New("boundary-poll must be between 100ms and 1m"))
	}
	if c.DataKey != "" {
		if _, err := pii.ParseKey(c.DataKey); err != nil {
			errs = append(errs, errors.New("data-key must be 32 bytes as 64 hex digits or base64 (generate one with: openssl rand -base64 32)"))
		}
	}
	if _, err := ParseStars(c.VolunteerStars); err != nil {
		errs = append(errs, fmt.Errorf("volunteer-stars %q: %w", c.VolunteerStars, err))
	}
	if c.CheckinMargin < 0 || c.CheckinMargin > 6*time.Hour {
		errs = append(errs, errors.New("checkin-margin must be between 0 and 6h"))
	}
	if c.StorageURL != "" {
		if u, err := url.Parse(c.StorageURL); err != nil || u.Scheme != "s3" || u.Host == "" {
			errs = append(errs, fmt.Errorf("storage-url %q must be empty (files on disk) or s3://bucket/prefix", c.StorageURL))
		}
		if c.S3AccessKey == "" || c.S3SecretKey == "" {
			errs = append(errs, errors.New("storage-url needs s3-access-key and s3-secret-key"))
		}
	}
	if c.S3Endpoint != "" {
		if u, err := url.Parse(c.S3Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("s3-endpoint %q must be an http(s) URL", Redact(c.S3Endpoint)))
		}
	}
	if c.RobotEvery < time.Second || c.RobotEvery > 10*time.Minute {
		errs = append(errs, errors.New("robot-every must be between 1s and 10m"))
	}
	if c.WebhookTimeout < time.Second || c.WebhookTimeout > time.Minute {
		errs = append(errs, errors.New("webhook-timeout must be between 1s and 1m"))
	}
	// Every form's body is bounded at 64 MB (internal/web), so a file can be
	// at most 60 MB.
	if c.FileMaxMB < 1 || c.FileMaxMB > 60 {
		errs = append(errs, errors.New("file-max-mb must be between 1 and 60"))
	}
	if c.DossierRemindDays < 1 || c.DossierRemindDays > 30 {
		errs = append(errs, errors.New("dossier-remind-days must be between 1 and 30"))
	}
	if c.PublicPerHour < 1 || c.EscalateEvery < time.Minute {
		errs = append(errs, errors.New("public-per-hour must be positive and escalate-every at least 1m"))
	}
	return errors.Join(errs...)
}

// ParseStars reads the star thresholds: five whole hours (一星 to 五星),
// rising, comma-separated.
func ParseStars(v string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n <= 0 {
			return nil, errors.New("thresholds must be whole hours above zero, separated by commas")
		}
		if len(out) > 0 && n <= out[len(out)-1] {
			return nil, errors.New("thresholds must rise")
		}
		out = append(out, n)
	}
	if len(out) != 5 {
		return nil, errors.New("five thresholds, one for each star level")
	}
	return out, nil
}

// ObjectStorage reports whether photos and files live in an S3 bucket.
func (c *Config) ObjectStorage() bool { return c.StorageURL != "" }

// IsPostgres reports whether the database URL names a PostgreSQL server.
func (c *Config) IsPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// SQLitePath is the SQLite file used when the database is embedded.
func (c *Config) SQLitePath() string {
	if c.DatabaseURL != "" && !c.IsPostgres() {
		return strings.TrimPrefix(c.DatabaseURL, "sqlite:")
	}
	return filepath.Join(c.DataDir, "wenming.db")
}

// SecureCookies tells whether cookies carry the Secure attribute.
func (c *Config) SecureCookies() bool {
	switch c.CookieSecure {
	case "true":
		return true
	case "false":
		return false
	}
	return strings.HasPrefix(c.BaseURL, "https://")
}

// Print writes every setting with its source name, secrets redacted.
func (c *Config) Print(w io.Writer) {
	for _, f := range c.fields() {
		v := f.value.String()
		switch {
		case f.secret == token && v != "":
			v = "xxxxx"
		case f.secret == urlSecret:
			v = Redact(v)
		}
		fmt.Fprintf(w, "%-28s %-20s %s\n", f.env, f.flag, v)
	}
}

// Redact hides the password of a URL-shaped secret, and any other secret
// whole, so that it can be printed or logged.
func Redact(v string) string {
	if v == "" {
		return ""
	}
	if u, err := url.Parse(v); err == nil && u.Scheme != "" && u.Host != "" {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	if strings.Contains(v, "://") || strings.ContainsAny(v, "=@") {
		return "xxxxx"
	}
	return v
}

type stringValue string

func (s *stringValue) Set(v string) error { *s = stringValue(v); return nil }
func (s *stringValue) String() string     { return string(*s) }

type intValue int

func (i *intValue) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("not a whole number")
	}
	*i = intValue(n)
	return nil
}
func (i *intValue) String() string { return strconv.Itoa(int(*i)) }

type durationValue time.Duration

func (d *durationValue) Set(v string) error {
	x, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("not a duration such as 30s, 15m or 12h")
	}
	*d = durationValue(x)
	return nil
}
func (d *durationValue) String() string { return time.Duration(*d).String() }

type boolValue bool

func (b *boolValue) Set(v string) error {
	x, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("not true or false")
	}
	*b = boolValue(x)
	return nil
}
func (b *boolValue) String() string   { return strconv.FormatBool(bool(*b)) }
func (b *boolValue) IsBoolFlag() bool { return true }
