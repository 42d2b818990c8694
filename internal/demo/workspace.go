package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tafel-schule/tafel/assets"
	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/atomicfile"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/slides"
)

// PoolName is the demo pool's name in the demo workspace's config.json.
const PoolName = "Demo"

// TeacherName is the name the demo teacher joins with.
const TeacherName = "Frau Keller"

// Sample rooms of the demo workspace, one per preset.
const (
	RoomLesson  = "Mathe 7b"
	RoomParents = "Elternabend 7b"
	RoomStaff   = "Fachschaft Mathematik"
)

// Sample file names inside the workspace directory.
const (
	SlidesFileName    = "Willkommen.pdf"
	ClassListFileName = "Klasse-7b.csv"
)

// sampleClassList is a school export as German Excel writes it
// ("CSV (Trennzeichen-getrennt)": semicolons, header row), in UTF-8.
const sampleClassList = `Nachname;Vorname;Klasse
Becker;Jonas;7b
Hoffmann;Emma;7b
Nowak;Lukas;7b
Öztürk;Emir;7b
Schröder;Mia;7b
Wagner;Lea;7b
Weber;Finn;7b
Yılmaz;Ayşe;7b
`

// Workspace is a demo configuration directory: what the app would find in
// os.UserConfigDir()/tafel, but pointing at the demo pool. The app runs
// against it instead of the teacher's real configuration, so a demo never
// touches real rooms, the real keyring or the real check history.
type Workspace struct {
	// ConfigDir holds everything below; the app uses it in place of config.Dir().
	ConfigDir string
	// ConfigPath is ConfigDir/config.json (config.LoadUser).
	ConfigPath string
	// RoomsPath is ConfigDir/rooms.json (rooms.OpenStore).
	RoomsPath string
	// HistoryPath is ConfigDir/last-checks.json, the demo's check history.
	HistoryPath string
	// SlidesPath is the sample presentation attached to RoomLesson.
	SlidesPath string
	// ClassListPath is the sample class list (Nachname;Vorname;Klasse) of RoomLesson.
	ClassListPath string
	// Pool is the demo pool's entry in config.json.
	Pool config.Pool
	// Secrets holds the demo pool's secret under Pool.SecretKey(). It is
	// in memory only: the demo secret never reaches the OS keyring.
	Secrets *config.MemorySecrets
	// History is the check history in HistoryPath.
	History *checkhistory.Store
}

// NewWorkspace writes a demo workspace for the running pool p into dir
// (created if missing): config.json with the demo pool as the only and
// default pool, rooms.json with one sample room per preset, the sample
// slides and the sample class list. Existing files of these names are
// replaced: a workspace belongs to one demo run.
func NewWorkspace(ctx context.Context, dir string, p *Pool) (*Workspace, error) {
	if p == nil {
		return nil, errors.New("demo: NewWorkspace needs a running pool")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("demo: workspace directory: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("demo: workspace directory: %w", err)
	}
	pool, err := config.NewPool(PoolName, p.APIURL, "sha256")
	if err != nil {
		return nil, fmt.Errorf("demo: pool entry: %w", err)
	}
	w := &Workspace{
		ConfigDir:     abs,
		ConfigPath:    filepath.Join(abs, config.UserFileName),
		RoomsPath:     filepath.Join(abs, rooms.FileName),
		HistoryPath:   filepath.Join(abs, "last-checks.json"),
		SlidesPath:    filepath.Join(abs, SlidesFileName),
		ClassListPath: filepath.Join(abs, ClassListFileName),
		Pool:          pool,
		Secrets:       &config.MemorySecrets{},
	}
	w.History = &checkhistory.Store{Path: w.HistoryPath}
	if err := w.Secrets.Set(ctx, pool.SecretKey(), p.Secret); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(w.SlidesPath, assets.DemoSlides, 0o600); err != nil {
		return nil, fmt.Errorf("demo: sample slides: %w", err)
	}
	if err := atomicfile.Write(w.ClassListPath, []byte(sampleClassList), 0o600); err != nil {
		return nil, fmt.Errorf("demo: sample class list: %w", err)
	}
	user := &config.User{DefaultPool: pool.Name, Pools: []config.Pool{pool}, TeacherName: TeacherName}
	if err := config.SaveUser(w.ConfigPath, user); err != nil {
		return nil, fmt.Errorf("demo: config.json: %w", err)
	}
	rs, err := w.sampleRooms(ctx)
	if err != nil {
		return nil, err
	}
	b, err := rooms.Marshal(rs, false)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(w.RoomsPath, b, 0o600); err != nil {
		return nil, fmt.Errorf("demo: rooms.json: %w", err)
	}
	return w, nil
}

// sampleRooms are a lesson with slides and class list, a parents' evening
// (guests wait in the lobby) and a staff meeting.
func (w *Workspace) sampleRooms(ctx context.Context) ([]*rooms.Room, error) {
	info, err := slides.Validate(ctx, w.SlidesPath, slides.Limits{})
	if err != nil {
		return nil, fmt.Errorf("demo: sample slides: %w", err)
	}
	slide, err := rooms.SlideFromFile(w.SlidesPath, info.UploadName, string(info.Kind), info.Pages)
	if err != nil {
		return nil, fmt.Errorf("demo: sample slides: %w", err)
	}
	specs := []struct{ name, preset, welcome string }{
		{RoomLesson, rooms.PresetLesson, "Willkommen im Matheunterricht der 7b! Bitte schaltet euer Mikrofon erst ein, wenn ihr drankommt."},
		{RoomParents, rooms.PresetParents, "Herzlich willkommen zum Elternabend der Klasse 7b. Sie werden gleich eingelassen."},
		{RoomStaff, rooms.PresetStaff, "Willkommen zur Fachkonferenz Mathematik."},
	}
	var out []*rooms.Room
	for _, s := range specs {
		r, err := rooms.NewRoom(s.name, s.preset)
		if err != nil {
			return nil, err
		}
		r.Welcome = s.welcome
		out = append(out, r)
	}
	out[0].AddSlide(slide)
	out[0].ClassList = w.ClassListPath
	return out, nil
}

// DirectPool opens the demo pool the way the app opens any pool: from the
// workspace's pool entry and its in-memory secret.
func (w *Workspace) DirectPool(ctx context.Context) (*rooms.DirectPool, error) {
	return rooms.OpenDirectPool(ctx, w.Pool, w.Secrets, rooms.DirectOptions{})
}

// Session is a whole demo: the running pool and its workspace.
type Session struct {
	Pool      *Pool
	Workspace *Workspace
	removeDir string // a temporary workspace to delete on Close
}

// Launch starts the demo pool (API and TURN) and writes its workspace
// into opt.Dir, or into a fresh temporary directory that Close removes:
// the one call `tafel demo` needs before showing the app.
func Launch(ctx context.Context, opt Options) (*Session, error) {
	dir, remove := opt.Dir, ""
	if dir == "" {
		d, err := os.MkdirTemp("", "tafel-demo-")
		if err != nil {
			return nil, fmt.Errorf("demo: workspace directory: %w", err)
		}
		dir, remove = d, d
	}
	p, err := Start(opt)
	if err != nil {
		removeAll(remove)
		return nil, err
	}
	w, err := NewWorkspace(ctx, dir, p)
	if err != nil {
		p.Close()
		removeAll(remove)
		return nil, err
	}
	return &Session{Pool: p, Workspace: w, removeDir: remove}, nil
}

// Close stops the pool and removes a temporary workspace.
func (s *Session) Close() {
	s.Pool.Close()
	removeAll(s.removeDir)
}

func removeAll(dir string) {
	// Only ever a directory MkdirTemp made for this run.
	if dir != "" && strings.Contains(filepath.Base(dir), "tafel-demo-") {
		_ = os.RemoveAll(dir)
	}
}
