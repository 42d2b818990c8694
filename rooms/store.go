package rooms

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/atomicfile"
	"github.com/tafel-schule/tafel/internal/filelock"
)

// lockWait bounds how long a change waits for another Tafel process (the
// tray app and a CLI command) that is changing the rooms file.
const lockWait = 5 * time.Second

// FileName is the rooms file inside config.Dir().
const FileName = "rooms.json"

// Format identifies the rooms file (and exports) and its version.
const (
	FormatName    = "tafel-rooms"
	FormatVersion = 1
)

// File is the rooms file's content (docs/rooms-file.md).
type File struct {
	Format  string  `json:"format"`
	Version int     `json:"version"`
	Rooms   []*Room `json:"rooms"`
}

// Store is the rooms file: loaded once, every change written at once and
// atomically (a crash leaves the previous file). Safe for concurrent use
// within one process and between processes: each change takes a file lock,
// re-reads the file and applies itself to what is on disk, so the tray app
// never overwrites a room the CLI has just added.
type Store struct {
	path     string
	mu       sync.Mutex
	rooms    []*Room
	readOnly bool
}

// DefaultPath is config.Dir()/rooms.json.
func DefaultPath() (string, error) {
	d, err := config.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, FileName), nil
}

// OpenStore loads the rooms file at path. A missing file is an empty store.
// A damaged file is moved aside (rooms.json.corrupt-<time>) and the store
// starts empty: the store is returned together with the *config.CorruptError
// to show. A file with some invalid or duplicate rooms is moved aside too,
// and the store keeps the valid rooms. A file from a newer Tafel gives a
// read-only store and config.ErrNewerFormat, so it is never overwritten.
func OpenStore(path string) (*Store, error) {
	s := &Store{path: path}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	defer cancel()
	unlock, err := filelock.Lock(ctx, path)
	if err != nil {
		return s, err
	}
	defer unlock()
	return s, s.refresh()
}

// loadRooms reads the rooms file. Rooms that are invalid or repeat a name
// (ignoring case) make it a damaged file: the whole file is moved aside
// (nothing is lost) and the valid rooms are returned together with the
// *config.CorruptError, for the caller to write back.
func loadRooms(path string) (rooms []*Room, newer bool, err error) {
	var f File
	err = config.ReadJSON(path, &f)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case f.Format != FormatName && f.Format != "":
		return nil, false, config.MoveAside(path, errors.New("not a Tafel rooms file"))
	case f.Version > FormatVersion:
		return nil, true, &config.NewerFormatError{Path: path, Version: f.Version}
	}
	seen := map[string]bool{}
	var bad error
	for _, r := range f.Rooms {
		if r == nil {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(r.Name))
		switch err := r.Validate(); {
		case err != nil:
			bad = err
		case seen[key]:
			bad = &Error{Code: CodeRoomExists, Detail: r.Name}
		default:
			seen[key] = true
			rooms = append(rooms, r)
		}
	}
	if bad != nil {
		return rooms, false, config.MoveAside(path, bad)
	}
	return rooms, false, nil
}

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

// List returns copies of all rooms, sorted by name.
func (s *Store) List() []Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Room, 0, len(s.rooms))
	for _, r := range s.rooms {
		out = append(out, r.copy())
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// Get returns a copy of the room called name (case-insensitive).
func (s *Store) Get(name string) (Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.find(name); r != nil {
		return r.copy(), nil
	}
	return Room{}, &Error{Code: CodeRoomNotFound, Detail: name}
}

func (s *Store) find(name string) *Room {
	name = strings.TrimSpace(name)
	for _, r := range s.rooms {
		if strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

// Add stores a new room; its name must be free.
func (s *Store) Add(r *Room) error {
	if err := r.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lockAndRefresh()
	if err != nil {
		return err
	}
	defer unlock()
	if s.find(r.Name) != nil {
		return &Error{Code: CodeRoomExists, Detail: r.Name}
	}
	c := r.copy()
	s.rooms = append(s.rooms, &c)
	return s.commit(func() { s.rooms = s.rooms[:len(s.rooms)-1] })
}

// Update applies f to the room called name and saves it. If f fails or the
// result is invalid, nothing changes.
func (s *Store) Update(name string, f func(r *Room) error) (Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lockAndRefresh()
	if err != nil {
		return Room{}, err
	}
	defer unlock()
	r := s.find(name)
	if r == nil {
		return Room{}, &Error{Code: CodeRoomNotFound, Detail: name}
	}
	c := r.copy()
	if err := f(&c); err != nil {
		return Room{}, err
	}
	if err := c.Validate(); err != nil {
		return Room{}, err
	}
	if other := s.find(c.Name); other != nil && other != r {
		return Room{}, &Error{Code: CodeRoomExists, Detail: c.Name}
	}
	old := *r
	*r = c
	if err := s.commit(func() { *r = old }); err != nil {
		return Room{}, err
	}
	return c.copy(), nil
}

// Remove deletes the room called name and returns it.
func (s *Store) Remove(name string) (Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lockAndRefresh()
	if err != nil {
		return Room{}, err
	}
	defer unlock()
	for i, r := range s.rooms {
		if strings.EqualFold(r.Name, strings.TrimSpace(name)) {
			before := append([]*Room(nil), s.rooms...)
			s.rooms = append(s.rooms[:i:i], s.rooms[i+1:]...)
			if err := s.commit(func() { s.rooms = before }); err != nil {
				return Room{}, err
			}
			return r.copy(), nil
		}
	}
	return Room{}, &Error{Code: CodeRoomNotFound, Detail: name}
}

// Reload re-reads the rooms file (after another process changed it). On an
// error the rooms in memory stay as they were.
func (s *Store) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refresh()
}

// lockAndRefresh takes the cross-process lock and loads what is on disk, so
// a change applies to the latest file. Call with s.mu held.
func (s *Store) lockAndRefresh() (func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	defer cancel()
	unlock, err := filelock.Lock(ctx, s.path)
	if err != nil {
		return nil, err
	}
	if err := s.refresh(); err != nil && !errors.As(err, new(*config.CorruptError)) {
		unlock()
		return nil, err
	}
	// A file damaged since we loaded it has been moved aside (nothing is
	// lost); the change then writes the last good state we know.
	return unlock, nil
}

// refresh replaces the rooms in memory with the file's. Call with s.mu and
// the file lock held. A file with bad rooms has been moved aside by
// loadRooms; the valid rooms are written back at once, so the file on disk
// and the store agree again.
func (s *Store) refresh() error {
	rooms, newer, err := loadRooms(s.path)
	if newer {
		s.readOnly = true
		return err
	}
	var ce *config.CorruptError
	switch {
	case err == nil:
		s.rooms = rooms
		return nil
	case errors.As(err, &ce) && len(rooms) > 0:
		s.rooms = rooms
		if werr := s.saveLocked(); werr != nil {
			return werr
		}
		return err
	case errors.As(err, &ce):
		// Unreadable as a whole: what we knew last is the best state left.
		return err
	}
	return err
}

// commit writes the file; on failure undo restores the in-memory state.
func (s *Store) commit(undo func()) error {
	if err := s.saveLocked(); err != nil {
		undo()
		return err
	}
	return nil
}

func (s *Store) saveLocked() error {
	if s.readOnly {
		return &config.NewerFormatError{Path: s.path}
	}
	b, err := Marshal(s.rooms, true)
	if err != nil {
		return err
	}
	return atomicfile.Write(s.path, b, 0o600)
}

// Marshal encodes rooms in the rooms-file format. Without withLive the
// per-machine Live state is left out (exports).
func Marshal(rooms []*Room, withLive bool) ([]byte, error) {
	f := File{Format: FormatName, Version: FormatVersion, Rooms: make([]*Room, 0, len(rooms))}
	for _, r := range rooms {
		c := r.copy()
		if !withLive {
			c.Live = nil
		}
		f.Rooms = append(f.Rooms, &c)
	}
	return config.MarshalFile(f)
}

// copy returns a deep copy (slices and pointers are not shared).
func (r *Room) copy() Room {
	c := *r
	c.Overrides = r.Overrides.clone()
	c.Slides = append([]Slide(nil), r.Slides...)
	if r.Live != nil {
		l := *r.Live
		l.Uploaded = append([]string(nil), r.Live.Uploaded...)
		c.Live = &l
	}
	return c
}
