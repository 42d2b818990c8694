package backend

import (
	"time"

	"github.com/tafel-schule/tafel/studentlinks"
)

// LessonStarted is what Lessons.Start did.
type LessonStarted struct {
	Room            string
	AlreadyRunning  bool
	EchoTestSkipped bool
	SlidesSent      []string
	// Warnings are translated sentences (a slide that did not go up …).
	Warnings []string
}

// SlideCheck is one file's validation result.
type SlideCheck struct {
	Path  string
	Name  string
	OK    bool
	Pages int
	Size  int64
	// Message is the translated verdict: why it was refused, or a notice.
	Message string
}

// SlidesAdded is what Lessons.AddSlides did.
type SlidesAdded struct {
	Checks   []SlideCheck
	Attached []string // names attached to the room
	Uploaded []string // names sent into the running meeting
	Warnings []string
}

// ClassLinks are a class's personal links.
type ClassLinks struct {
	Room  string
	Class string
	Links []studentlinks.Link
	// Notes are translated remarks from reading the class list
	// (duplicates, skipped title lines, shortened names).
	Notes []string
}

// AppSettings are the teacher's preferences.
type AppSettings struct {
	Language          string // "de", "en" or "" (follow the OS)
	Browser           string // "" for the system default
	TeacherName       string
	CheckBeforeLesson bool // run the pre-flight before a start when the last is older than CheckMaxAge
	CloseToTray       bool
}

// CheckMaxAge is how old the last passed pre-flight may be before a lesson
// start runs it again.
const CheckMaxAge = 30 * time.Minute
