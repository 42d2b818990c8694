package app

import (
	"context"
	"time"

	"github.com/tafel-schule/tafel/backend"
	"github.com/tafel-schule/tafel/checkreport"
	"github.com/tafel-schule/tafel/diagnostics"
	"github.com/tafel-schule/tafel/rooms"
)

// Services is everything the UI needs from the domain. cmd/tafel passes the
// real implementations (package backend); tests pass fakes. Every method
// may block on the network, the keyring or the sound card: the UI calls
// them from its own goroutines, never from a Fyne callback, and hops back
// with fyne.Do.
type Services struct {
	Rooms     Rooms
	Lessons   Lessons
	Preflight Preflight
	Settings  Settings
	Setup     Setup
	// Report makes the report for IT; nil hides its buttons.
	Report Report
}

// Rooms is the teacher's rooms file.
type Rooms interface {
	List() []rooms.Room
	Get(name string) (rooms.Room, error)
	Add(name, preset string) (rooms.Room, error)
	Update(name string, f func(r *rooms.Room) error) (rooms.Room, error)
	Remove(name string) error
	// Policy is what school IT fixed (locked settings).
	Policy() rooms.Policy
}

// Lessons runs the teacher's loop against the pool.
type Lessons interface {
	// Start creates or joins the room's meeting with its slides and opens
	// it in the browser as moderator. progress gets slide upload bytes.
	Start(ctx context.Context, room string, progress func(sent, total int64)) (LessonStarted, error)
	// CheckSlides validates files against the room's pool limits without
	// attaching them.
	CheckSlides(ctx context.Context, room string, paths []string) []SlideCheck
	// AddSlides validates files, attaches the good ones to the room and,
	// when its meeting runs, uploads them at once.
	AddSlides(ctx context.Context, room string, paths []string, progress func(sent, total int64)) (SlidesAdded, error)
	// StudentLinks reads a class list and signs one viewer link per
	// student (room-wide: valid for every lesson of the room).
	StudentLinks(ctx context.Context, room, classList string) (ClassLinks, error)
	// SaveSheet writes the printable sheet (HTML with QR codes) to path.
	SaveSheet(links ClassLinks, path string) error
	// OpenSheet writes the sheet to a private temporary file and opens it
	// in the browser for printing.
	OpenSheet(links ClassLinks) error
	// Explain turns any error from these services into one translated
	// sentence for the teacher: what happened and what to do.
	Explain(err error) string
}

// The plain data types are the backend's (Fyne-free, so the CLI and tests
// share them); the UI uses them under these names.
type (
	LessonStarted = backend.LessonStarted
	SlideCheck    = backend.SlideCheck
	SlidesAdded   = backend.SlidesAdded
	ClassLinks    = backend.ClassLinks
	AppSettings   = backend.AppSettings
)

// Preflight runs the pre-flight checks.
type Preflight interface {
	// Run runs all checks under one deadline. onResult is called from any
	// goroutine as each check finishes.
	Run(ctx context.Context, onResult func(checkreport.Result)) *checkreport.Report
	// Levels streams the microphone level (dBFS, ~20 Hz) until ctx ends.
	Levels(ctx context.Context) (<-chan float64, error)
	// Last is when the pre-flight last passed (zero: never).
	Last() time.Time
}

// CheckMaxAge is how old the last passed pre-flight may be before a lesson
// start runs it again.
const CheckMaxAge = backend.CheckMaxAge

// Settings stores AppSettings.
type Settings interface {
	Load() AppSettings
	Save(AppSettings) error
	// Locked reports settings fixed by school IT (issue 7): the widget is
	// disabled with a note. Keys: "language", "browser", "check_before_lesson",
	// "close_to_tray", "pool".
	Locked(key string) bool
}

// Setup is the first run.
type Setup interface {
	// NeedsPool is true when no pool is configured, or its secret is
	// missing from the keyring.
	NeedsPool() bool
	// ManagedPool is the pool name and URL school IT pre-configured, if
	// any; the first run then asks only for what is missing.
	ManagedPool() (name, url string, ok bool)
	// AddPool tests the pool with the secret first and, only if it
	// answers and accepts it, stores the secret in the keyring and the
	// pool in the settings.
	AddPool(ctx context.Context, name, url, secret string) error
}

// Report makes the report for IT ("Bericht für die IT"): built on this
// machine, shown to the teacher, saved or opened only where the teacher
// says. Nothing is sent anywhere.
type Report interface {
	// Build collects a fresh report; redactIPs replaces IP addresses by
	// their kind.
	Build(ctx context.Context, redactIPs bool) (*diagnostics.Report, error)
	// Save writes the HTML page and the JSON file into dir and returns
	// their paths.
	Save(r *diagnostics.Report, dir string) ([]string, error)
	// OpenInBrowser shows the HTML page in the browser (a private
	// temporary file).
	OpenInBrowser(r *diagnostics.Report) error
}
