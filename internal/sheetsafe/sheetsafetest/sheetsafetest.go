// Package sheetsafetest holds what the exporters' formula-injection tests
// share: the texts to put into the data and the check of a cell read back.
package sheetsafetest

import (
	"strings"
	"testing"
)

// Payloads are texts a spreadsheet program would take for a formula (or
// that hide one behind a tab or carriage return), each distinct so a test
// can tell its cells apart.
func Payloads() []string {
	return []string{"=cmd|' /C calc'!A0", "+1", "-2", "@x", "\t=1+1", "\r=2+2"}
}

// Check fails t unless got, a cell read back from an exported file, is
// payload neutralised: an apostrophe, then the payload.
func Check(t testing.TB, where, payload, got string) {
	t.Helper()
	if !strings.HasPrefix(got, "'") || got[1:] != payload {
		t.Errorf("%s: cell %q, want %q", where, got, "'"+payload)
	}
}
