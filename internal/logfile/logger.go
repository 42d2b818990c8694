package logfile

import (
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/tafel-schule/tafel/internal/redact"
)

// LevelEnv names the environment variable that sets the log level
// (debug, info, warn, error); Info when unset.
const LevelEnv = "TAFEL_LOG_LEVEL"

type config struct {
	level    slog.Leveler
	scrubber []func(string) string
}

// Option configures NewLogger.
type Option func(*config)

// WithScrubber adds a scrubber applied to every string before the
// built-in Scrub. It may be given several times.
func WithScrubber(f func(string) string) Option {
	return func(c *config) {
		if f != nil {
			c.scrubber = append(c.scrubber, f)
		}
	}
}

// WithLevel sets the minimum level, overriding TAFEL_LOG_LEVEL.
func WithLevel(l slog.Leveler) Option { return func(c *config) { c.level = l } }

// LevelFromEnv parses TAFEL_LOG_LEVEL; Info if unset or unknown.
func LevelFromEnv() slog.Level {
	v := strings.TrimSpace(os.Getenv(LevelEnv))
	if strings.EqualFold(v, "warning") {
		return slog.LevelWarn
	}
	var l slog.Level
	if v == "" || l.UnmarshalText([]byte(v)) != nil {
		return slog.LevelInfo
	}
	return l
}

// NewLogger returns a JSON logger writing to w whose every string (message,
// attribute values in all groups, error texts, LogValuer results) passes
// through the scrubbers before it is encoded.
func NewLogger(w io.Writer, opts ...Option) *slog.Logger {
	c := config{}
	for _, o := range opts {
		o(&c)
	}
	if c.level == nil {
		c.level = LevelFromEnv()
	}
	return slog.New(NewScrubHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: c.level}), c.scrubber...))
}

// NewScrubHandler wraps inner so that every string reaching it went
// through the extra scrubbers and then Scrub.
func NewScrubHandler(inner slog.Handler, extra ...func(string) string) slog.Handler {
	f := Scrub
	if len(extra) > 0 {
		fs := append([]func(string) string(nil), extra...)
		f = func(s string) string {
			for _, x := range fs {
				s = x(s)
			}
			return Scrub(s)
		}
	}
	return &scrubHandler{inner: inner, scrub: f}
}

type scrubHandler struct {
	inner slog.Handler
	scrub func(string) string
	// secret: inside a group named like a secret (WithGroup("turn_credential")),
	// where every value is masked.
	secret bool
}

func (h *scrubHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	nr := slog.NewRecord(r.Time, r.Level, h.scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, nr)
}

func (h *scrubHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = h.attr(a)
	}
	return &scrubHandler{inner: h.inner.WithAttrs(out), scrub: h.scrub, secret: h.secret}
}

func (h *scrubHandler) WithGroup(name string) slog.Handler {
	return &scrubHandler{inner: h.inner.WithGroup(h.scrub(name)), scrub: h.scrub, secret: h.secret || redact.SecretKey(name)}
}

// attr resolves LogValuers first (SignedURL redacts itself there), then
// scrubs strings; values of other kinds (numbers, times) pass unchanged.
// A key that names a secret ("password", "checksum", "sharedSecret") has
// its value masked whatever it looks like: a bare token has no "key="
// for the text rules to see. Keys are scrubbed like values.
func (h *scrubHandler) attr(a slog.Attr) slog.Attr {
	return h.attrIn(a, h.secret)
}

func (h *scrubHandler) attrIn(a slog.Attr, secret bool) slog.Attr {
	secret = secret || redact.SecretKey(a.Key)
	a.Key = h.scrub(a.Key)
	v := a.Value.Resolve()
	if secret {
		return slog.Attr{Key: a.Key, Value: h.masked(v)}
	}
	switch v.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(h.scrub(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, ga := range g {
			out[i] = h.attrIn(ga, false)
		}
		a.Value = slog.GroupValue(out...)
	case slog.KindAny:
		if x := v.Any(); x != nil {
			a.Value = slog.StringValue(h.scrub(anyText(x)))
		} else {
			a.Value = v
		}
	default:
		a.Value = v
	}
	return a
}

// masked is v under a secret key: Mark, except a flag or an empty value,
// which say only whether the secret is set; groups are masked inside.
func (h *scrubHandler) masked(v slog.Value) slog.Value {
	switch v.Kind() {
	case slog.KindBool:
		return v
	case slog.KindString:
		if v.String() == "" {
			return v
		}
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, ga := range g {
			out[i] = h.attrIn(ga, true)
		}
		return slog.GroupValue(out...)
	case slog.KindAny:
		if v.Any() == nil {
			return v
		}
	}
	return slog.StringValue(redact.Mark)
}

// anyText turns an arbitrary value into text, so that structs such as
// url.URL cannot reach the JSON encoder with their query in a field.
func anyText(x any) (s string) {
	defer func() {
		if r := recover(); r != nil { // e.g. String on a nil pointer
			s = fmt.Sprintf("%T(panic)", x)
		}
	}()
	switch t := x.(type) {
	case error:
		return t.Error()
	case fmt.Stringer:
		return t.String()
	case encoding.TextMarshaler:
		b, err := t.MarshalText()
		if err != nil {
			return fmt.Sprintf("%T(unprintable)", x)
		}
		return string(b)
	case []byte:
		return string(t)
	}
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprintf("%+v", x)
	}
	return string(b)
}
