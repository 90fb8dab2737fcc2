package password

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	p := Params{Memory: 1024, Time: 1, Threads: 1}
	h, err := Hash("correct horse 1", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash not self-describing: %s", h)
	}
	if ok, err := Verify("correct horse 1", h); !ok || err != nil {
		t.Fatalf("right password refused: %v %v", ok, err)
	}
	if ok, _ := Verify("correct horse 2", h); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := Hash("correct horse 1", p)
	if h2 == h {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$aa$bb", "$argon2id$v=19$m=x$aa$bb"} {
		if _, err := Verify("x", bad); err == nil {
			t.Errorf("Verify accepted malformed hash %q", bad)
		}
	}
}

func TestPolicyAndGenerate(t *testing.T) {
	for pw, want := range map[string]string{
		"short1":        "password.too_short",
		"onlyletters":   "password.too_simple",
		"12345678":      "password.too_simple",
		"文明城市创建2026abc": "",
		"good-pass-9":   "",
	} {
		if got := CheckPolicy(pw); got != want {
			t.Errorf("CheckPolicy(%q) = %q, want %q", pw, got, want)
		}
	}
	seen := map[string]bool{}
	for range 20 {
		pw, err := Generate()
		if err != nil || CheckPolicy(pw) != "" || seen[pw] {
			t.Fatalf("Generate gave %q (%v)", pw, err)
		}
		seen[pw] = true
	}
}
