//go:build browser

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// Small chromedp actions the browser tests share.

// evalInto evaluates a JavaScript expression into dst.
func evalInto[T any](expr string, dst *T) chromedp.Action[chromedp.Void] {
	ev := chromedp.Evaluate[T](expr)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := ev(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

// screenshotTo keeps a screenshot of the viewport as a test artefact,
// under the test's temporary directory or WENMING_SCREENSHOT_DIR when set (to look
// at them after the run).
func screenshotTo(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	shot := chromedp.CaptureScreenshot()
	dir := os.Getenv("WENMING_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		b, err := shot(ctx, tg)
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err == nil {
			p := filepath.Join(dir, name)
			if err = os.WriteFile(p, b, 0o644); err == nil {
				t.Logf("screenshot %s", p)
			}
		}
		return chromedp.Void{}, err
	}
}

// valueInto reads the value of the form field matching sel into dst.
func valueInto(sel string, dst *string) chromedp.Action[chromedp.Void] {
	value := chromedp.Value(chromedp.CSS(sel))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := value(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

// intInto evaluates expr into dst.
func intInto(expr string, dst *int) chromedp.Action[chromedp.Void] {
	eval := chromedp.Evaluate[int](expr)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := eval(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}
