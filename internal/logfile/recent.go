package logfile

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/internal/filelock"
)

// MaxLineBytes caps one log line; longer lines are skipped when reading.
const MaxLineBytes = 64 << 10

// Record is one log record as read back from the file. Attrs are
// flattened ("group.key") and rendered as text.
type Record struct {
	Time  time.Time
	Level string
	Msg   string
	Attrs map[string]string
}

// Recent returns the last max records (oldest first) at or above minLevel
// and not before since (zero: any time) from dir's current and rotated log
// files. max <= 0 means no limit. Broken lines are skipped; a missing or
// empty directory gives no records and no error.
func Recent(dir string, minLevel slog.Level, max int, since time.Time) ([]Record, error) {
	files, err := logFiles(dir)
	if err != nil || len(files) == 0 {
		return nil, err
	}
	// Hold off rotations while reading, so no file is read twice or
	// missed; if the lock is busy, read anyway.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	if unlock, err := filelock.Lock(ctx, filepath.Join(dir, FileName)); err == nil {
		defer unlock()
		if files, err = logFiles(dir); err != nil {
			cancel()
			return nil, err
		}
	}
	cancel()

	var ring []Record
	next := 0
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		scanLines(f, func(line []byte) {
			if l, ok := quickLevel(line); ok && l < minLevel {
				return // most lines are INFO: skip them without decoding
			}
			r, ok := ParseLine(line)
			if !ok || r.level() < minLevel || (!since.IsZero() && r.Time.Before(since)) {
				return
			}
			if max <= 0 || len(ring) < max {
				ring = append(ring, r)
				return
			}
			ring[next] = r
			next = (next + 1) % max
		})
		f.Close()
	}
	if next > 0 {
		ring = append(ring[next:], ring[:next]...)
	}
	return ring, nil
}

// quickLevel reads the level of a line as slog's JSON handler writes it
// ({"time":"…","level":"INFO",…}) without decoding the line; ok is false
// for any other layout, which then gets the full parse.
func quickLevel(line []byte) (slog.Level, bool) {
	const head, mid = `{"time":"`, `","level":"`
	rest, ok := bytes.CutPrefix(line, []byte(head))
	if !ok {
		return 0, false
	}
	i := bytes.IndexByte(rest, '"')
	if i < 0 || !bytes.HasPrefix(rest[i:], []byte(mid)) {
		return 0, false
	}
	rest = rest[i+len(mid):]
	j := bytes.IndexByte(rest, '"')
	var l slog.Level
	if j < 0 || l.UnmarshalText(rest[:j]) != nil {
		return 0, false
	}
	return l, true
}

// logFiles lists tafel.log.N (highest N first, the oldest) then tafel.log.
func logFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	type rot struct {
		n    int
		name string
	}
	var rots []rot
	current := false
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() {
			continue
		}
		if name == FileName {
			current = true
			continue
		}
		if s, ok := strings.CutPrefix(name, FileName+"."); ok {
			if n, err := strconv.Atoi(s); err == nil && n > 0 && strconv.Itoa(n) == s {
				rots = append(rots, rot{n, name})
			}
		}
	}
	sort.Slice(rots, func(i, j int) bool { return rots[i].n > rots[j].n })
	var out []string
	for _, r := range rots {
		out = append(out, filepath.Join(dir, r.name))
	}
	if current {
		out = append(out, filepath.Join(dir, FileName))
	}
	return out, nil
}

// scanLines calls fn for each line of r up to MaxLineBytes; longer lines
// are dropped whole, without ever holding more than that in memory.
func scanLines(r io.Reader, fn func([]byte)) {
	br := bufio.NewReaderSize(r, 32<<10)
	var buf []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 && !tooLong {
			if len(buf)+len(chunk) > MaxLineBytes+1 { // +1: the newline
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil && err != io.EOF:
			return
		}
		if !tooLong && len(buf) > 0 {
			fn(bytes.TrimRight(buf, "\r\n"))
		}
		buf, tooLong = buf[:0], false
		if err == io.EOF {
			return
		}
	}
}

// ParseLine parses one JSON log line as written by NewLogger. It reports
// false for anything that is not a JSON object with string "level" and
// "msg" fields; "time" is optional (zero if missing or unparsable).
func ParseLine(line []byte) (Record, bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || len(line) > MaxLineBytes || line[0] != '{' {
		return Record{}, false
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.More() {
		return Record{}, false
	}
	lvl, ok1 := m[slog.LevelKey].(string)
	msg, ok2 := m[slog.MessageKey].(string)
	if !ok1 || !ok2 {
		return Record{}, false
	}
	var l slog.Level
	if l.UnmarshalText([]byte(lvl)) != nil {
		return Record{}, false
	}
	r := Record{Level: lvl, Msg: msg, Attrs: map[string]string{}}
	if ts, ok := m[slog.TimeKey].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
			r.Time = t
		}
	}
	delete(m, slog.LevelKey)
	delete(m, slog.MessageKey)
	delete(m, slog.TimeKey)
	flatten("", m, r.Attrs)
	return r, true
}

func (r Record) level() slog.Level {
	var l slog.Level
	if l.UnmarshalText([]byte(r.Level)) != nil {
		return slog.LevelInfo
	}
	return l
}

func flatten(prefix string, m map[string]any, out map[string]string) {
	for k, v := range m {
		key := prefix + k
		switch t := v.(type) {
		case map[string]any:
			flatten(key+".", t, out)
		case string:
			out[key] = t
		case json.Number:
			out[key] = t.String()
		case bool:
			out[key] = strconv.FormatBool(t)
		case nil:
			out[key] = "null"
		default:
			b, _ := json.Marshal(t)
			out[key] = string(b)
		}
	}
}
