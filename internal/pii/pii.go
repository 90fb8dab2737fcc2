// Package pii protects personal information (个人信息) as PIPL asks: ID
// numbers and other identifiers are sealed with AES-256-GCM under the
// deployment's data key (setting data-key, WENMING_DATA_KEY), so that a
// database dump does not show them; a keyed hash (HMAC-SHA256 under a key
// derived from the data key) finds the same person twice without storing
// the number; and the helpers mask names, phones and ID numbers for lists.
//
// The package also reads a resident ID number (居民身份证号码, GB 11643):
// its check digit, birth date and gender.
//
// Nothing here logs or keeps state between calls; a Key is safe for
// concurrent use.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a data key in bytes (AES-256).
const KeySize = 32

// sealPrefix marks the format of a sealed value, so that a later format
// (another cipher, a rotated key) can be told apart.
const sealPrefix = "v1:"

// ErrNoKey is returned by callers that need a key and were given none; the
// domain maps it to a message naming the setting.
var ErrNoKey = errors.New("pii: no data key configured (data-key, WENMING_DATA_KEY)")

// ErrSealed is wrapped by Open when a sealed value is not in the expected
// format or does not authenticate under the key (a changed key, a forged or
// damaged value).
var ErrSealed = errors.New("pii: sealed value does not open under this key")

// Key is a parsed data key: one AES-256-GCM cipher for sealing and a
// separate HMAC key for the lookup hashes, derived from it.
type Key struct {
	aead cipher.AEAD
	mac  []byte
}

// ParseKey reads a data key given as 64 hexadecimal digits or as base64
// (standard or URL alphabet, padded or not) of exactly 32 bytes.
func ParseKey(s string) (*Key, error) {
	s = strings.TrimSpace(s)
	raw, err := decodeKey(s)
	if err != nil {
		return nil, err
	}
	return NewKey(raw)
}

func decodeKey(s string) ([]byte, error) {
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("pii: data key is %d bytes, want %d", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("pii: data key must be %d bytes as 64 hex digits or base64", KeySize)
}

// NewKey makes a Key of 32 raw bytes.
func NewKey(raw []byte) (*Key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("pii: data key is %d bytes, want %d", len(raw), KeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("pii: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pii: %w", err)
	}
	// The hash key is derived, not the data key itself, so that a hash
	// never exposes anything about the sealing key.
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("wenming pii lookup-hash key v1"))
	return &Key{aead: aead, mac: m.Sum(nil)}, nil
}

// GenerateKey returns a new random data key in base64, for the demo, the
// tests and an administrator's first configuration.
func GenerateKey() string {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		panic("pii: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Seal encrypts plain for storage. purpose binds the value to its use
// (e.g. "volunteer.id_number"): a value sealed for one purpose does not
// open as another, so a ciphertext copied between columns is refused.
// Every call draws a fresh nonce: equal inputs give different outputs.
func (k *Key) Seal(purpose, plain string) (string, error) {
	if k == nil {
		return "", ErrNoKey
	}
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("pii: nonce: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(plain), []byte(purpose))
	return sealPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts a value Seal made for the same purpose.
func (k *Key) Open(purpose, sealed string) (string, error) {
	if k == nil {
		return "", ErrNoKey
	}
	body, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return "", ErrSealed
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < k.aead.NonceSize()+k.aead.Overhead() {
		return "", ErrSealed
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(purpose))
	if err != nil {
		return "", ErrSealed
	}
	return string(plain), nil
}

// Hash is the keyed lookup hash of value for purpose (hex, 64 digits):
// equal for equal inputs under one key, so a unique index finds
// duplicates, and useless without the key, so the column does not give
// the values away (ID numbers are too few to resist a plain hash).
func (k *Key) Hash(purpose, value string) (string, error) {
	if k == nil {
		return "", ErrNoKey
	}
	m := hmac.New(sha256.New, k.mac)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)), nil
}
