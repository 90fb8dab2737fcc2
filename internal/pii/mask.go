package pii

import "strings"

// MaskID shows the first three and the last four characters of an ID
// number (410***********002X); anything shorter than eight characters is
// masked whole.
func MaskID(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskName keeps the first character of a name, and the last of a name of
// three or more (张*, 张*明, 欧阳**); a one-character name shows as *.
func MaskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch {
	case len(r) == 0:
		return ""
	case len(r) == 1:
		return "*"
	case len(r) == 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// MaskPhone shows the first three and the last four digits with four
// stars between (139****0001), exactly as org.MaskPhone masks the units'
// contacts; shorter numbers are masked whole.
func MaskPhone(p string) string {
	r := []rune(strings.TrimSpace(p))
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}
