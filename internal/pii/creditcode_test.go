package pii

import (
	"errors"
	"testing"
)

func TestCheckCreditCode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		// GB 32100's published example: Σ = 1·9 + 3·1 + 9·3 + 27·5 + 19·0 + 26·1
		// + 16·0 + 17·0 + 20·21(M) + 29·0 + 25·0 + 13·0 + 8·1 + 24·0 + 10·0 +
		// 30·30(Y) + 28·4 = 1640; 1640 mod 31 = 28; 31 − 28 = 3.
		{"91350100M000100Y43", nil},
		{" 91350100m000100y43 ", nil},           // typed in lower case with spaces
		{"91350100M000100Y44", ErrCreditCheck},  // wrong check character
		{"91350100M000100Y4", ErrCreditLength},  // 17 characters
		{"91350100M000100O43", ErrCreditChars},  // O is not a code character
		{"9135A100M000100Y43", ErrCreditRegion}, // the division code has a letter
	} {
		_, err := CheckCreditCode(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("%q: %v, want %v", tc.in, err, tc.want)
		}
	}
	if c, ok := CreditCheckChar("91350100M000100Y4"); !ok || c != '3' {
		t.Errorf("check character %c %v, want 3", c, ok)
	}
}
