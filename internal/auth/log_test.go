package auth

import "testing"

func TestLoggedLoginMasksPhones(t *testing.T) {
	for in, want := range map[string]string{
		"13812345678":      "138****5678",
		"acct:13812345678": "acct:138****5678",
		"addr:10.0.0.1":    "addr:10.0.0.1",
		"office":           "office",
	} {
		if got := loggedLogin(in); got != want {
			t.Errorf("loggedLogin(%q) = %q, want %q", in, got, want)
		}
	}
}
