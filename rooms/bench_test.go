package rooms

import (
	"testing"

	"github.com/tafel-schule/tafel/internal/bbbsim"
)

// BenchmarkStartLessonRejoin is StartLesson for a running lesson whose
// slides are already on the whiteboard (in-process; the whole-command
// figure with keyring and browser is bench/start).
func BenchmarkStartLessonRejoin(b *testing.B) {
	e := newSim(b, bbbsim.Config{})
	room, _ := NewRoom("Mathe 7b", "")
	room.AddSlide(writeSlide(b, b.TempDir(), "folien.pdf", 5))
	ctx := b.Context()
	if _, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "T"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "T"})
		if err != nil || !res.Meeting.Existed {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartLessonFresh creates the meeting with its slide each time.
func BenchmarkStartLessonFresh(b *testing.B) {
	e := newSim(b, bbbsim.Config{})
	room, _ := NewRoom("Mathe 7b", "")
	room.AddSlide(writeSlide(b, b.TempDir(), "folien.pdf", 5))
	ctx := b.Context()
	for b.Loop() {
		room.RotateMeetingID() // a new meeting every time
		res, err := StartLesson(ctx, e.pool, room, StartOptions{TeacherName: "T"})
		if err != nil || res.Meeting.Existed || len(res.SlidesSent) != 1 {
			b.Fatal(err)
		}
	}
}
