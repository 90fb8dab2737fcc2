package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/wenming-civic/wenming/internal/pii"
)

// demoDataKey is the demo's data key when none is configured: made once
// and kept beside the demo database (readable by its owner only), so that
// the volunteers' sealed ID numbers open again at the next start. A real
// deployment sets WENMING_DATA_KEY instead.
func demoDataKey(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "demo-data-key")
	b, err := os.ReadFile(path)
	if err == nil {
		key := strings.TrimSpace(string(b))
		if _, err := pii.ParseKey(key); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("demo data key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", fmt.Errorf("demo data key: %w", err)
	}
	key := pii.GenerateKey()
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("demo data key: %w", err)
	}
	return key, nil
}
