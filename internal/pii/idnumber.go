package pii

import (
	"errors"
	"strings"
	"time"
)

// The ways an ID number can be wrong, so that a form can say which.
var (
	ErrIDLength = errors.New("pii: an ID number has 18 characters")
	ErrIDChars  = errors.New("pii: an ID number is 17 digits and a digit or X")
	ErrIDBirth  = errors.New("pii: the ID number's birth date does not exist or lies in the future")
	ErrIDCheck  = errors.New("pii: the ID number's check digit is wrong")
)

// ResidentID is a checked 18-character resident ID number (GB 11643-1999).
type ResidentID struct {
	Number string    // normalised: upper-case X
	Region string    // the first six digits: the division code of registration
	Birth  time.Time // the birth date (midnight UTC)
	Male   bool      // the 17th digit is odd for men
}

// Gender is "m" or "f".
func (id ResidentID) Gender() string {
	if id.Male {
		return "m"
	}
	return "f"
}

// BirthDate is the birth date as YYYY-MM-DD.
func (id ResidentID) BirthDate() string { return id.Birth.Format("2006-01-02") }

// checkWeights are GB 11643's weights 2^(17-i) mod 11 for i = 0..16.
var checkWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkChars maps the weighted sum mod 11 to the check character.
const checkChars = "10X98765432"

// CheckDigit is the check character of the first 17 digits of an ID
// number; ok is false when first17 is not 17 digits.
func CheckDigit(first17 string) (c byte, ok bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := range 17 {
		d := first17[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		sum += int(d-'0') * checkWeights[i]
	}
	return checkChars[sum%11], true
}

// NormaliseID trims white space and upper-cases a trailing x.
func NormaliseID(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// ParseID checks an 18-character ID number: its characters, its birth date
// (a real date, not after today nor before 1900) and its check digit.
// The region code is not looked up: the demo's numbers use province 99,
// which does not exist, so that they can never be a real person's.
func ParseID(s string, today time.Time) (ResidentID, error) {
	s = NormaliseID(s)
	if len(s) != 18 {
		return ResidentID{}, ErrIDLength
	}
	want, ok := CheckDigit(s[:17])
	if !ok || !(s[17] >= '0' && s[17] <= '9' || s[17] == 'X') {
		return ResidentID{}, ErrIDChars
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(today) {
		return ResidentID{}, ErrIDBirth
	}
	if s[17] != want {
		return ResidentID{}, ErrIDCheck
	}
	return ResidentID{Number: s, Region: s[:6], Birth: birth, Male: (s[16]-'0')%2 == 1}, nil
}

// AgeOn is the age in whole years on day.
func (id ResidentID) AgeOn(day time.Time) int {
	y := day.Year() - id.Birth.Year()
	if day.Month() < id.Birth.Month() || day.Month() == id.Birth.Month() && day.Day() < id.Birth.Day() {
		y--
	}
	return y
}
