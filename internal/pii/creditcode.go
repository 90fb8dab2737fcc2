package pii

import (
	"errors"
	"strings"
)

// The ways a unified social credit code (统一社会信用代码, GB 32100-2015)
// can be wrong, so that a form can say which.
var (
	ErrCreditLength = errors.New("pii: a unified social credit code has 18 characters")
	ErrCreditChars  = errors.New("pii: a unified social credit code uses digits and capital letters but I, O, Z, S, V")
	ErrCreditRegion = errors.New("pii: characters 3 to 8 of a unified social credit code are a division code")
	ErrCreditCheck  = errors.New("pii: the unified social credit code's check character is wrong")
)

// creditChars are GB 32100's 31 code characters in value order (0–30):
// the digits and the capital letters but I, O, Z, S and V.
const creditChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are 3^i mod 31 for the first 17 positions.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCheckChar is the check character of the first 17 characters of a
// unified social credit code: 31 − (Σ value·weight mod 31), with 31 read
// as 0. ok is false when first17 is not 17 code characters.
func CreditCheckChar(first17 string) (c byte, ok bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := range 17 {
		v := strings.IndexByte(creditChars, first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * creditWeights[i]
	}
	return creditChars[(31-sum%31)%31], true
}

// NormaliseCreditCode trims white space and upper-cases a code as typed.
func NormaliseCreditCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// CheckCreditCode checks a unified social credit code: its length, its
// characters, the division code in characters 3–8 (digits) and the check
// character. It returns the normalised code.
func CheckCreditCode(s string) (string, error) {
	s = NormaliseCreditCode(s)
	if len([]rune(s)) != 18 {
		return s, ErrCreditLength
	}
	for i := range 18 {
		if strings.IndexByte(creditChars, s[i]) < 0 {
			return s, ErrCreditChars
		}
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return s, ErrCreditRegion
		}
	}
	want, _ := CreditCheckChar(s[:17])
	if s[17] != want {
		return s, ErrCreditCheck
	}
	return s, nil
}
