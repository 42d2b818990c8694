// Package turnrest mints and checks TURN credentials with the "TURN REST API"
// scheme that BigBlueButton and coturn's use-auth-secret mode share:
//
//	username = "<expiry unix seconds>:<user>"
//	password = base64(HMAC-SHA1(key = static auth secret, data = username))
//
// The simulator mints credentials this way for its stuns answer, and the network
// check mints them when an IT helper gives a TURN secret instead of a pool.
package turnrest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Credential is one minted TURN username/password pair.
type Credential struct {
	Username string
	Password string
	Expires  time.Time
}

// String never shows the password: credentials end up in logs by accident.
func (c Credential) String() string {
	return "turnrest.Credential{Username:" + c.Username + ", Password:[redacted]}"
}

// Mint returns a credential for user valid until now+ttl, as BBB's TurnServer.java does.
func Mint(secret, user string, now time.Time, ttl time.Duration) Credential {
	expires := now.Add(ttl).Truncate(time.Second)
	username := strconv.FormatInt(expires.Unix(), 10)
	if user != "" {
		username += ":" + user
	}
	return Credential{Username: username, Password: Password(secret, username), Expires: expires}
}

// Password is base64(HMAC-SHA1(secret, username)).
func Password(secret, username string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ErrMalformedUsername means the username does not start with an expiry timestamp.
var ErrMalformedUsername = errors.New("turnrest: username does not start with an expiry timestamp")

// Expiry parses the expiry timestamp at the start of a REST username
// ("1735689600:w_abc" or just "1735689600").
func Expiry(username string) (time.Time, error) {
	head, _, _ := strings.Cut(username, ":")
	secs, err := strconv.ParseInt(head, 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, ErrMalformedUsername
	}
	return time.Unix(secs, 0), nil
}

// Valid reports whether password matches username under secret and the
// credential has not expired at now, the check coturn makes.
func Valid(secret, username, password string, now time.Time) bool {
	exp, err := Expiry(username)
	if err != nil || !now.Before(exp) {
		return false
	}
	return hmac.Equal([]byte(Password(secret, username)), []byte(password))
}
