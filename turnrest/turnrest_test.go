package turnrest

import (
	"strings"
	"testing"
	"time"
)

// Vector from bbb-api.md §7.3 (computed with openssl).
func TestPasswordVector(t *testing.T) {
	got := Password("coturn-static-auth-secret", "1735689600:w_testuser01")
	if want := "BTWmnSIkRUhg0SFTNkdqab8Sg3Q="; got != want {
		t.Fatalf("Password = %q, want %q", got, want)
	}
}

func TestMintAndValid(t *testing.T) {
	now := time.Unix(1735603200, 0)
	c := Mint("coturn-static-auth-secret", "w_testuser01", now, 24*time.Hour)
	if c.Username != "1735689600:w_testuser01" || c.Password != "BTWmnSIkRUhg0SFTNkdqab8Sg3Q=" {
		t.Fatalf("Mint = %+v", c)
	}
	if !Valid("coturn-static-auth-secret", c.Username, c.Password, now) {
		t.Fatal("fresh credential not valid")
	}
	if Valid("other-secret", c.Username, c.Password, now) {
		t.Fatal("credential valid under the wrong secret")
	}
	if Valid("coturn-static-auth-secret", c.Username, c.Password, c.Expires) {
		t.Fatal("credential valid at its expiry")
	}
	if s := c.String(); s == "" || strings.Contains(s, c.Password) {
		t.Fatalf("String leaks the password: %q", s)
	}
}

func TestExpiryMalformed(t *testing.T) {
	for _, u := range []string{"", "abc:def", ":user", "-5:x"} {
		if _, err := Expiry(u); err == nil {
			t.Errorf("Expiry(%q) succeeded", u)
		}
	}
}
