package logfile

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// FuzzParseLine: any bytes from a log file parse or are refused, without
// panicking, and an accepted record is self-consistent.
func FuzzParseLine(f *testing.F) {
	f.Add([]byte(`{"time":"2026-11-27T14:00:00.123Z","level":"ERROR","msg":"call failed","component":"gui","err":"x"}`))
	f.Add([]byte(`{"level":"INFO","msg":"m","g":{"a":1,"b":{"c":[1,"x",null]}}}`))
	f.Add([]byte(`{"level":"WARN+2","msg":""}`))
	f.Add([]byte(`{"level":"INFO","msg":"m"} trailing`))
	f.Add([]byte("\x00\xff{"))
	f.Fuzz(func(t *testing.T, line []byte) {
		r, ok := ParseLine(line)
		if !ok {
			return
		}
		var l slog.Level
		if l.UnmarshalText([]byte(r.Level)) != nil {
			t.Fatalf("accepted level %q does not parse", r.Level)
		}
		if r.Attrs == nil {
			t.Fatal("nil Attrs")
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, dup := r.Attrs[k]; dup {
				t.Fatalf("built-in key %s among attrs", k)
			}
		}
		if len(bytes.TrimSpace(line)) > MaxLineBytes {
			t.Fatal("accepted an over-long line")
		}
	})
}

// FuzzScrub: whatever text surrounds a signed URL, its checksum never
// survives the built-in scrubber.
func FuzzScrub(f *testing.F) {
	f.Add("open ", ": connection refused")
	f.Add(`Get "`, `": EOF`)
	f.Add("pw=a", "&x")
	f.Add(`{"token":"`, `"}`)
	f.Add("xhttp:", "#")
	f.Fuzz(func(t *testing.T, prefix, suffix string) {
		const mark = "SEKRETmark42"
		if strings.Contains(prefix+suffix, "SEKRET") {
			return
		}
		out := Scrub(prefix + "https://bbb.example/api/join?meetingID=m&checksum=" + mark + suffix)
		if strings.Contains(out, mark) {
			t.Fatalf("checksum survived: prefix %q suffix %q", prefix, suffix)
		}
	})
}
