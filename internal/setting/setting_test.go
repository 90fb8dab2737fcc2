package setting_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/setting"
)

func TestSettingRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := setting.Get(ctx, d, "x.missing"); !errors.Is(err, setting.ErrNotFound) {
		t.Fatalf("missing value: got %v, want ErrNotFound", err)
	}
	stored, err := setting.PutIfAbsent(ctx, d, "x.key", "first")
	if err != nil || !stored {
		t.Fatalf("first PutIfAbsent: stored=%v err=%v", stored, err)
	}
	stored, err = setting.PutIfAbsent(ctx, d, "x.key", "second")
	if err != nil || stored {
		t.Fatalf("second PutIfAbsent: stored=%v err=%v, want not stored", stored, err)
	}
	if v, err := setting.Get(ctx, d, "x.key"); err != nil || v != "first" {
		t.Fatalf("Get after PutIfAbsent = %q, %v; want first", v, err)
	}
	if err := setting.Put(ctx, d, "x.key", "third"); err != nil {
		t.Fatal(err)
	}
	if v, _ := setting.Get(ctx, d, "x.key"); v != "third" {
		t.Fatalf("Get after Put = %q, want third", v)
	}
	if ok, err := setting.Exists(ctx, d, "x.key"); err != nil || !ok {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
	if err := setting.Delete(ctx, d, "x.key"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := setting.Exists(ctx, d, "x.key"); ok {
		t.Fatal("value still there after Delete")
	}
}
