// Package password hashes passwords with argon2id into self-describing PHC
// strings ($argon2id$v=19$m=…,t=…,p=…$salt$hash) and generates passwords
// for new accounts.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams follow the OWASP recommendation for argon2id
// (19 MiB, 2 passes, 1 lane).
func DefaultParams() Params { return Params{Memory: 19 * 1024, Time: 2, Threads: 1} }

// MinLength and MaxLength bound what a person may choose.
const (
	MinLength = 8
	MaxLength = 128
)

const (
	saltLen = 16
	keyLen  = 32
)

// ErrMalformedHash means a stored hash cannot be read.
var ErrMalformedHash = errors.New("malformed password hash")

// Hash returns the PHC string of pw.
func Hash(pw string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches the PHC string, using the parameters
// stored in it, in constant time.
func Verify(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Time == 0 || p.Threads == 0 {
		return false, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformedHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrMalformedHash
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// CheckPolicy returns a catalogue key when pw is not acceptable, or "".
func CheckPolicy(pw string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLength:
		return "password.too_short"
	case n > MaxLength:
		return "password.too_long"
	}
	var letter, digit bool
	for _, r := range pw {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letter = true
		}
	}
	if !letter || !digit {
		return "password.too_simple"
	}
	return ""
}

// Generate returns a random password of 14 characters without look-alike
// letters, that satisfies CheckPolicy.
func Generate() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for {
		buf := make([]byte, 14)
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("generate password: %w", err)
		}
		for i, b := range buf {
			buf[i] = alphabet[int(b)%len(alphabet)]
		}
		if pw := string(buf); CheckPolicy(pw) == "" {
			return pw, nil
		}
	}
}
