package pii_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pii"
)

func mustKey(t *testing.T) *pii.Key {
	t.Helper()
	k, err := pii.ParseKey(pii.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestParseKey(t *testing.T) {
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"hex", hex.EncodeToString(raw), true},
		{"hex upper case with spaces", "  " + strings.ToUpper(hex.EncodeToString(raw)) + "\n", true},
		{"base64 generated", pii.GenerateKey(), true},
		{"base64 raw url", "AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK-2vcTL0tk", true},
		{"empty", "", false},
		{"16 bytes of hex", hex.EncodeToString(raw[:16]), false},
		{"31 bytes of base64", "AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK-2vcTL0g", false},
		{"not a key", "correct horse battery staple", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pii.ParseKey(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseKey(%q) error %v, want ok=%v", tc.in, err, tc.ok)
			}
		})
	}
}

func TestSealOpen(t *testing.T) {
	k := mustKey(t)
	const id = "110105194912310021"
	a, err := k.Seal("volunteer.id", id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := k.Seal("volunteer.id", id)
	if a == b || strings.Contains(a, id) || strings.Contains(a, "19491231") {
		t.Fatalf("sealed values must differ and hide the number: %q %q", a, b)
	}
	if got, err := k.Open("volunteer.id", a); err != nil || got != id {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := k.Open("citizen.id", a); !errors.Is(err, pii.ErrSealed) {
		t.Errorf("opened under another purpose: %v", err)
	}
	if _, err := mustKey(t).Open("volunteer.id", a); !errors.Is(err, pii.ErrSealed) {
		t.Errorf("opened under another key: %v", err)
	}
	tampered := a[:len(a)-2] + "AA"
	if tampered == a {
		tampered = a[:len(a)-2] + "BB"
	}
	for _, bad := range []string{tampered, "v1:", "v1:!!!", id, ""} {
		if _, err := k.Open("volunteer.id", bad); !errors.Is(err, pii.ErrSealed) {
			t.Errorf("Open(%q) = %v, want ErrSealed", bad, err)
		}
	}
	var none *pii.Key
	if _, err := none.Seal("x", id); !errors.Is(err, pii.ErrNoKey) {
		t.Errorf("nil key sealed: %v", err)
	}
	if _, err := none.Hash("x", id); !errors.Is(err, pii.ErrNoKey) {
		t.Errorf("nil key hashed: %v", err)
	}
}

func TestHash(t *testing.T) {
	k1, k2 := mustKey(t), mustKey(t)
	h1, _ := k1.Hash("volunteer.id", "110105194912310021")
	again, _ := k1.Hash("volunteer.id", "110105194912310021")
	other, _ := k1.Hash("volunteer.id", "110105194912310030")
	purpose, _ := k1.Hash("citizen.id", "110105194912310021")
	key2, _ := k2.Hash("volunteer.id", "110105194912310021")
	if h1 != again || len(h1) != 64 {
		t.Fatalf("hash not stable: %q %q", h1, again)
	}
	if h1 == other || h1 == purpose || h1 == key2 {
		t.Fatal("hash does not separate values, purposes or keys")
	}
}

func TestParseID(t *testing.T) {
	today := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		in     string
		err    error
		gender string
		birth  string
	}{
		// GB 11643's own example: 11010519491231002X (a woman born 1949-12-31).
		{"standard's example", "11010519491231002X", nil, "f", "1949-12-31"},
		{"lower-case x", " 11010519491231002x ", nil, "f", "1949-12-31"},
		{"a man, digit check", "440524198001010013", nil, "m", "1980-01-01"},
		{"born before 1900", "440524189001010019", pii.ErrIDBirth, "", ""},
		{"wrong check digit", "110105194912310021", pii.ErrIDCheck, "", ""},
		{"no 30 February", "110105194902300027", pii.ErrIDBirth, "", ""},
		{"born in the future", "110105202712310023", pii.ErrIDBirth, "", ""},
		{"too short", "11010519491231002", pii.ErrIDLength, "", ""},
		{"15-digit old number", "110105491231002", pii.ErrIDLength, "", ""},
		{"letters inside", "1101051949123100AX", pii.ErrIDChars, "", ""},
		{"X not last", "X10105194912310021", pii.ErrIDChars, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := pii.ParseID(tc.in, today)
			if !errors.Is(err, tc.err) {
				t.Fatalf("ParseID(%q) error %v, want %v", tc.in, err, tc.err)
			}
			if tc.err != nil {
				return
			}
			if id.Gender() != tc.gender || id.BirthDate() != tc.birth || id.Region != id.Number[:6] {
				t.Fatalf("ParseID(%q) = %+v", tc.in, id)
			}
		})
	}
}

func TestCheckDigitEveryValue(t *testing.T) {
	// Changing the last of the 17 digits walks the check through all of
	// its 11 values; each made number parses, each other character fails.
	seen := map[byte]bool{}
	for d := range 10 {
		for _, base := range []string{"99041119900101001", "99041119900101002"} {
			first := base[:16] + string(rune('0'+d))
			c, ok := pii.CheckDigit(first)
			if !ok {
				t.Fatal("CheckDigit refused digits")
			}
			seen[c] = true
			if _, err := pii.ParseID(first+string(c), time.Now()); err != nil {
				t.Fatalf("%s%c: %v", first, c, err)
			}
		}
	}
	if _, ok := pii.CheckDigit("1234"); ok {
		t.Error("CheckDigit took a short input")
	}
	if len(seen) < 10 {
		t.Errorf("check characters seen: %d", len(seen))
	}
}

func TestAge(t *testing.T) {
	id, err := pii.ParseID("11010519491231002X", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if a := id.AgeOn(time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC)); a != 76 {
		t.Errorf("age the day before the birthday = %d", a)
	}
	if a := id.AgeOn(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)); a != 77 {
		t.Errorf("age on the birthday = %d", a)
	}
}

func TestMasks(t *testing.T) {
	tests := []struct {
		fn       func(string) string
		in, want string
	}{
		{pii.MaskID, "11010519491231002X", "110***********002X"},
		{pii.MaskID, "1234567", "*******"},
		{pii.MaskName, "张伟", "张*"},
		{pii.MaskName, "张晓明", "张*明"},
		{pii.MaskName, "欧阳晓明", "欧**明"},
		{pii.MaskName, "李", "*"},
		{pii.MaskName, "", ""},
		{pii.MaskPhone, "13900000001", "139****0001"},
		{pii.MaskPhone, "12345", "*****"},
	}
	for _, tc := range tests {
		if got := tc.fn(tc.in); got != tc.want {
			t.Errorf("mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, p := range []string{"13900000001", "037112345678", "123456", ""} {
		if pii.MaskPhone(p) != org.MaskPhone(p) {
			t.Errorf("MaskPhone(%q) = %q, org.MaskPhone = %q", p, pii.MaskPhone(p), org.MaskPhone(p))
		}
	}
}
