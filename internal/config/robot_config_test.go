package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// TestRobotSettings: the robots' and webhooks' settings come from the
// environment, are checked, and private targets are off by default.
func TestRobotSettings(t *testing.T) {
	if d := Defaults(); d.AllowPrivateWebhooks || d.RobotEvery != 15*time.Second || d.WebhookTimeout != 10*time.Second {
		t.Fatalf("defaults %+v", d)
	}
	env := map[string]string{"WENMING_ALLOW_PRIVATE_WEBHOOKS": "true", "WENMING_ROBOT_EVERY": "5s", "WENMING_WEBHOOK_TIMEOUT": "3s"}
	c := Defaults()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := c.Bind(fs, func(k string) string { return env[k] }, func(k string, _ ...any) string { return k }); err != nil {
		t.Fatal(err)
	}
	if !c.AllowPrivateWebhooks || c.RobotEvery != 5*time.Second || c.WebhookTimeout != 3*time.Second {
		t.Fatalf("from the environment: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Defaults()
	bad.RobotEvery, bad.WebhookTimeout = 0, 5*time.Minute
	err := bad.Validate()
	for _, want := range []string{"robot-every", "webhook-timeout"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate does not name %s: %v", want, err)
		}
	}
}
