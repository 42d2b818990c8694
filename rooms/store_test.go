package rooms

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/config"
)

func TestStoreCRUD(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tafel", FileName)
	s, err := OpenStore(path)
	if err != nil || len(s.List()) != 0 {
		t.Fatalf("empty store: %v", err)
	}
	r, _ := NewRoom("Deutsch 5a", "")
	if err := s.Add(r); err != nil {
		t.Fatal(err)
	}
	dup, _ := NewRoom("deutsch 5A", PresetStaff)
	if err := s.Add(dup); !errors.Is(err, ErrRoomExists) {
		t.Fatalf("names are unique case-insensitively: %v", err)
	}
	got, err := s.Update("DEUTSCH 5a", func(r *Room) error {
		r.Welcome = "Guten Morgen"
		return r.SetOverride(Policy{}, "mute_on_start", "false")
	})
	if err != nil || got.Welcome != "Guten Morgen" {
		t.Fatal(err)
	}
	if _, err := s.Update("Deutsch 5a", func(r *Room) error { r.Name = "x"; return nil }); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("invalid update: %v", err)
	}
	// Reload from disk.
	s2, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	g, err := s2.Get("deutsch 5a")
	if err != nil || g.MeetingID != r.MeetingID || *g.Overrides.MuteOnStart || g.Welcome != "Guten Morgen" {
		t.Fatalf("reloaded: %+v %v", g, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("rooms file mode %v", fi.Mode())
	}
	raw, _ := os.ReadFile(path)
	var f map[string]any
	if json.Unmarshal(raw, &f) != nil || f["format"] != FormatName || f["version"] != float64(1) {
		t.Fatalf("file header: %s", raw)
	}
	if _, err := s2.Remove("Deutsch 5a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Get("Deutsch 5a"); !errors.Is(err, ErrRoomNotFound) {
		t.Fatal(err)
	}
}

func TestStoreCorruptFileMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	junk := `{"format":"tafel-rooms","version":1,"rooms":[{"name":"Mathe","meeting_id":"tafel-abc",`
	os.WriteFile(path, []byte(junk), 0o600)
	s, err := OpenStore(path)
	var ce *config.CorruptError
	if !errors.As(err, &ce) || ce.MovedTo == "" {
		t.Fatalf("want CorruptError, got %v", err)
	}
	if !strings.HasPrefix(filepath.Base(ce.MovedTo), "rooms.json.corrupt-") {
		t.Fatal(ce.MovedTo)
	}
	if b, _ := os.ReadFile(ce.MovedTo); string(b) != junk {
		t.Fatal("damaged content must be kept")
	}
	// The store is usable and the next save starts a fresh file.
	r, _ := NewRoom("Neu", "")
	if err := s.Add(r); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(ce.MovedTo); string(b) != junk {
		t.Fatal("the kept file must not be overwritten")
	}

	// One invalid room (hand-edited) keeps the valid ones and the original.
	os.WriteFile(path, []byte(`{"format":"tafel-rooms","version":1,"rooms":[
	  {"name":"Gut","meeting_id":"tafel-good","preset":"lesson"},
	  {"name":"Kaputt","meeting_id":"tafel-bad","preset":"disco"}]}`), 0o600)
	s, err = OpenStore(path)
	if !errors.As(err, &ce) {
		t.Fatalf("want CorruptError, got %v", err)
	}
	if l := s.List(); len(l) != 1 || l[0].Name != "Gut" {
		t.Fatalf("valid rooms kept: %+v", l)
	}
	if s2, err := OpenStore(path); err != nil || len(s2.List()) != 1 {
		t.Fatalf("the valid rooms were saved: %v", err)
	}

	// A file from a newer Tafel: read-only, untouched.
	newer := `{"format":"tafel-rooms","version":7,"rooms":[]}`
	os.WriteFile(path, []byte(newer), 0o600)
	s, err = OpenStore(path)
	if !errors.Is(err, config.ErrNewerFormat) {
		t.Fatal(err)
	}
	if err := s.Add(r); err == nil {
		t.Fatal("a newer file must not be overwritten")
	}
	if b, _ := os.ReadFile(path); string(b) != newer {
		t.Fatal("newer file changed")
	}
}

func TestExportImport(t *testing.T) {
	dir := t.TempDir()
	a, _ := OpenStore(filepath.Join(dir, "a.json"))
	r1, _ := NewRoom("Chemie", "")
	r1.Live = &Live{CreateTime: 123, Uploaded: []string{"x"}}
	r1.Slides = []Slide{{Path: "/home/l/chemie.pdf", Name: "chemie.pdf", Size: 10}}
	r2, _ := NewRoom("Kollegium", PresetStaff)
	a.Add(r1)
	a.Add(r2)
	data, err := a.Export()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "create_time") || strings.Contains(string(data), "live") {
		t.Fatalf("exports leave out per-machine state: %s", data)
	}
	b, _ := OpenStore(filepath.Join(dir, "b.json"))
	existing, _ := NewRoom("Kollegium", PresetLesson)
	b.Add(existing)
	res, err := b.Import(data, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Added, res.Skipped, res.Replaced) != "[Chemie] [Kollegium] []" {
		t.Fatalf("import: %+v", res)
	}
	c, _ := b.Get("Chemie")
	if c.MeetingID != r1.MeetingID || len(c.Slides) != 1 || c.Live != nil {
		t.Fatalf("imported room: %+v", c)
	}
	res, _ = b.Import(data, ImportOptions{Replace: true, NewMeetingIDs: true})
	if len(res.Replaced) != 2 {
		t.Fatalf("replace: %+v", res)
	}
	if k, _ := b.Get("Kollegium"); k.Preset != PresetStaff || k.MeetingID == r2.MeetingID {
		t.Fatalf("replaced with new ID: %+v", k)
	}
	for _, bad := range []string{`nope`, `{"format":"other","version":1,"rooms":[]}`, `{"format":"tafel-rooms","version":9,"rooms":[]}`,
		`{"format":"tafel-rooms","version":1,"rooms":[{"name":"A","meeting_id":"m1","preset":"lesson"},{"name":"a","meeting_id":"m2","preset":"lesson"}]}`,
		`{"format":"tafel-rooms","version":1,"rooms":[{"name":"Ok","meeting_id":"m,1","preset":"lesson"}]}`} {
		if _, err := b.Import([]byte(bad), ImportOptions{}); !errors.Is(err, ErrImportFormat) {
			t.Errorf("import %s: %v", bad, err)
		}
	}
	// UTF-8 BOM (exported and edited on Windows) is fine.
	if _, err := ParseExport(append([]byte("\xef\xbb\xbf"), data...)); err != nil {
		t.Fatal(err)
	}
}

// Crash safety: a child process rewrites the rooms file in a loop and is
// killed with SIGKILL at varying moments; the file left behind is always a
// complete, valid rooms file (the previous or the new version).
func TestStoreSurvivesKillDuringWrite(t *testing.T) {
	if p := os.Getenv("TAFEL_ROOMS_CRASH_CHILD"); p != "" {
		crashChild(p)
		return
	}
	path := filepath.Join(t.TempDir(), FileName)
	s, _ := OpenStore(path)
	r, _ := NewRoom("Start", "")
	if err := s.Add(r); err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStoreSurvivesKillDuringWrite$")
		cmd.Env = append(os.Environ(), "TAFEL_ROOMS_CRASH_CHILD="+path)
		ready, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1)
		ready.Read(buf) // the child has started writing
		time.Sleep(time.Duration(5+i*7) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		s, err := OpenStore(path)
		if err != nil {
			t.Fatalf("round %d: file damaged after kill: %v", i, err)
		}
		l := s.List()
		if len(l) != 1 || !(l[0].Name == "Start" || strings.HasPrefix(l[0].Name, "Runde ")) || len(l[0].Welcome) != 0 && len(l[0].Welcome) != 200_000 {
			t.Fatalf("round %d: unexpected content: %d rooms", i, len(l))
		}
	}
}

func crashChild(path string) {
	s, err := OpenStore(path)
	if err != nil {
		os.Exit(3)
	}
	name := s.List()[0].Name
	os.Stdout.Write([]byte{'.'})
	for i := 0; ; i++ {
		next := fmt.Sprintf("Runde %d", i)
		// A big welcome text makes each write take a while.
		if _, err := s.Update(name, func(r *Room) error {
			r.Name = next
			r.Welcome = strings.Repeat(string(rune('a'+i%26)), 200_000)
			return nil
		}); err != nil {
			os.Exit(4)
		}
		name = next
	}
}

// The tray app and a CLI command each hold a Store on the same file; every
// change re-reads the file under a lock, so no room is lost.
func TestStoresOnSameFileDoNotLoseRooms(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rooms.json")
	app, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, s := range []*Store{app, cli} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				r, _ := NewRoom(fmt.Sprintf("Raum %d-%d", i, j), "")
				if err := s.Add(r); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if _, err := app.Update("Raum 1-3", func(r *Room) error { r.Welcome = "Hallo"; return nil }); err != nil {
		t.Fatalf("app sees the CLI's room: %v", err)
	}
	again, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(again.List()); n != 20 {
		t.Fatalf("%d rooms on disk, want 20", n)
	}
	if r, _ := again.Get("Raum 1-3"); r.Welcome != "Hallo" {
		t.Fatal("update lost")
	}
	if err := cli.Reload(); err != nil || len(cli.List()) != 20 {
		t.Fatalf("reload: %v, %d rooms", err, len(cli.List()))
	}
}

// corruptCopies returns the moved-aside copies of path.
func corruptCopies(t *testing.T, path string) []string {
	t.Helper()
	m, _ := filepath.Glob(path + ".corrupt-*")
	return m
}

// Two rooms whose names differ only in case: the file is kept aside (the
// second room is not silently dropped) and the first room stays usable.
func TestDuplicateRoomNamesKeptAside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rooms.json")
	a, _ := NewRoom("Mathe", "")
	b, _ := NewRoom("mathe", "")
	b.MeetingID = "tafel-second-room"
	data, _ := Marshal([]*Room{a, b}, true)
	os.WriteFile(path, data, 0o600)
	s, err := OpenStore(path)
	var ce *config.CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a CorruptError", err)
	}
	if got := s.List(); len(got) != 1 || got[0].Name != "Mathe" {
		t.Fatalf("rooms %v", got)
	}
	copies := corruptCopies(t, path)
	if len(copies) != 1 {
		t.Fatalf("copies %v", copies)
	}
	if kept, _ := os.ReadFile(copies[0]); !strings.Contains(string(kept), "tafel-second-room") {
		t.Fatal("the duplicate room is lost")
	}
}

// A room made invalid on disk while a store is open is not dropped by the
// next change: the file is kept aside first.
func TestChangeAfterHandEditKeepsFileAside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rooms.json")
	s, _ := OpenStore(path)
	r, _ := NewRoom("Mathe", "")
	if err := s.Add(r); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(raw), `"lesson"`, `"no-such-preset"`, 1)), 0o600)
	r2, _ := NewRoom("Bio", "")
	if err := s.Add(r2); err != nil {
		t.Fatal(err)
	}
	copies := corruptCopies(t, path)
	if len(copies) != 1 {
		t.Fatalf("hand-edited file not kept aside: %v", copies)
	}
	if kept, _ := os.ReadFile(copies[0]); !strings.Contains(string(kept), "no-such-preset") {
		t.Fatal("kept copy is not the hand-edited file")
	}
}

// Import takes the same lock and re-reads the file like every other change.
func TestImportKeepsConcurrentAdd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rooms.json")
	app, _ := OpenStore(path)
	cli, _ := OpenStore(path)
	r, _ := NewRoom("Vom CLI", "")
	if err := cli.Add(r); err != nil {
		t.Fatal(err)
	}
	imp, _ := NewRoom("Importiert", "")
	data, err := Marshal([]*Room{imp}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Import(data, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	again, _ := OpenStore(path)
	if n := len(again.List()); n != 2 {
		t.Fatalf("%d rooms after import, want 2", n)
	}
}
