package bbbclient

import (
	"net/url"
	"strconv"
	"strings"
)

// Params is an ordered set of query parameters. It encodes in insertion
// order, so the string that is hashed is reproducible and equal to the one
// that is sent; url.Values would work too but sorts, which makes logs and
// tests harder to compare with the BBB docs.
//
// Keys are case-sensitive ("record" works, "Record" is ignored by BBB).
// Control characters 0x00–0x1F are removed from keys and values, because
// the server strips them before hashing and the checksum would not match.
type Params struct {
	kv []param
}

type param struct{ key, value string }

// Set sets key to value, replacing an earlier value in place.
func (p *Params) Set(key, value string) {
	key, value = stripControl(key), stripControl(value)
	for i := range p.kv {
		if p.kv[i].key == key {
			p.kv[i].value = value
			return
		}
	}
	p.kv = append(p.kv, param{key, value})
}

// SetBool sets a boolean in the only form BBB accepts: lowercase true/false.
func (p *Params) SetBool(key string, v bool) { p.Set(key, strconv.FormatBool(v)) }

// SetInt sets a number as plain digits.
func (p *Params) SetInt(key string, v int64) { p.Set(key, strconv.FormatInt(v, 10)) }

// setOpt sets a string only when it is non-empty (rule 5: send only what the
// room sets, so the server and load-balancer defaults stay in charge).
func (p *Params) setOpt(key, value string) {
	if value != "" {
		p.Set(key, value)
	}
}

func (p *Params) setBoolPtr(key string, v *bool) {
	if v != nil {
		p.SetBool(key, *v)
	}
}

func (p *Params) setIntPtr(key string, v *int) {
	if v != nil {
		p.SetInt(key, int64(*v))
	}
}

// Get returns the value of key.
func (p *Params) Get(key string) (string, bool) {
	if p == nil {
		return "", false
	}
	for _, kv := range p.kv {
		if kv.key == key {
			return kv.value, true
		}
	}
	return "", false
}

// Del removes key.
func (p *Params) Del(key string) {
	for i := range p.kv {
		if p.kv[i].key == key {
			p.kv = append(p.kv[:i], p.kv[i+1:]...)
			return
		}
	}
}

// Len is the number of parameters.
func (p *Params) Len() int {
	if p == nil {
		return 0
	}
	return len(p.kv)
}

// Encode returns the query string with url.QueryEscape (space → "+").
// This is the exact string that is hashed and sent.
func (p *Params) Encode() string {
	if p == nil || len(p.kv) == 0 {
		return ""
	}
	var b strings.Builder
	for i, kv := range p.kv {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv.key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv.value))
	}
	return b.String()
}

func stripControl(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

func isControl(r rune) bool { return r < 0x20 }
