// Package checkhistory remembers the outcome of the last pre-flight checks
// (audio, network, pool…), so that starting a lesson can skip BBB's own echo
// test when Tafel's audio check passed recently, and the IT report can show
// what was measured last. It stores one small JSON file in the user's cache
// directory; losing it only means a check runs again.
package checkhistory

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tafel-schule/tafel/internal/atomicfile"
)

// Check kinds.
const (
	Audio   = "audio"
	Network = "network"
	Pool    = "pool"
)

// Entry is the last outcome of one check.
type Entry struct {
	Time    time.Time       `json:"time"`
	Verdict string          `json:"verdict"`           // "pass", "warn" or "fail"
	Code    string          `json:"code,omitempty"`    // machine code, e.g. "OK", "ECHO", "udp_blocked"
	Details json.RawMessage `json:"details,omitempty"` // the check's own JSON report, without secrets
}

// Passed reports whether the entry is a pass or warning (usable) no older than maxAge at now.
func (e Entry) Passed(now time.Time, maxAge time.Duration) bool {
	if e.Time.IsZero() || (e.Verdict != "pass" && e.Verdict != "warn") {
		return false
	}
	age := now.Sub(e.Time)
	return age >= 0 && age <= maxAge
}

// Store reads and writes the history file.
type Store struct {
	Path string
	mu   sync.Mutex
}

// DefaultPath is os.UserCacheDir()/tafel/last-checks.json.
func DefaultPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "tafel", "last-checks.json"), nil
}

// Open returns the store at DefaultPath.
func Open() (*Store, error) {
	p, err := DefaultPath()
	if err != nil {
		return nil, err
	}
	return &Store{Path: p}, nil
}

// All returns every recorded entry. A missing or unreadable file is an empty history.
func (s *Store) All() map[string]Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load()
}

// Last returns the entry for kind and whether there is one.
func (s *Store) Last(kind string) (Entry, bool) {
	e, ok := s.All()[kind]
	return e, ok
}

// Record stores e as the latest outcome of kind.
func (s *Store) Record(kind string, e Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.load()
	m[kind] = e
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(s.Path, append(b, '\n'), 0o600)
}

func (s *Store) load() map[string]Entry {
	m := map[string]Entry{}
	b, err := os.ReadFile(s.Path)
	if err != nil {
		return m // missing or unreadable: no history yet
	}
	if json.Unmarshal(b, &m) != nil {
		return map[string]Entry{} // a damaged cache only means the checks run again
	}
	return m
}
