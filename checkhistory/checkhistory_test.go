package checkhistory

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRecordAndPassed(t *testing.T) {
	s := &Store{Path: filepath.Join(t.TempDir(), "c", "last-checks.json")}
	if _, ok := s.Last(Audio); ok {
		t.Fatal("empty store has an entry")
	}
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	if err := s.Record(Audio, Entry{Time: now, Verdict: "pass", Code: "OK"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(Network, Entry{Time: now, Verdict: "fail", Code: "udp_blocked"}); err != nil {
		t.Fatal(err)
	}
	e, ok := s.Last(Audio)
	if !ok || e.Code != "OK" {
		t.Fatalf("got %+v %v", e, ok)
	}
	cases := []struct {
		kind string
		at   time.Duration
		want bool
	}{
		{Audio, 29 * time.Minute, true},
		{Audio, 31 * time.Minute, false},
		{Audio, -time.Minute, false}, // clock went backwards: do not trust
		{Network, time.Minute, false},
	}
	for _, c := range cases {
		e, _ := s.Last(c.kind)
		if got := e.Passed(now.Add(c.at), 30*time.Minute); got != c.want {
			t.Errorf("%s at +%v: Passed=%v want %v", c.kind, c.at, got, c.want)
		}
	}
}

func TestDamagedFileIsEmptyHistory(t *testing.T) {
	p := filepath.Join(t.TempDir(), "last-checks.json")
	os.WriteFile(p, []byte("{not json"), 0o600)
	s := &Store{Path: p}
	if len(s.All()) != 0 {
		t.Fatal("damaged file should read as empty")
	}
	if err := s.Record(Pool, Entry{Time: time.Now(), Verdict: "pass"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Last(Pool); !ok {
		t.Fatal("record after damage lost")
	}
}
