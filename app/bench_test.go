package app

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tafel-schule/tafel/rooms"
)

// BenchmarkNew builds the whole UI (main window with three rooms) on the
// test driver: the widget and text-measuring part of Tafel's launch time.
func BenchmarkNew(b *testing.B) {
	a := test.NewApp()
	defer a.Quit()
	for b.Loop() {
		fr := newFakeRooms(fakeRoom("Mathe 7b", rooms.PresetLesson, "a.pdf"), fakeRoom("Physik 9a", rooms.PresetLesson),
			fakeRoom("Elternabend 7b", rooms.PresetParents))
		gate := make(chan struct{})
		fr.gate = gate // see newMW: the first load waits until New returned
		u := New(a, Services{Rooms: fr, Lessons: &fakeLessons{rooms: fr}, Settings: &fakeSettings{}}, Options{})
		close(gate)
		u.mv.bg.Wait()
		u.main.Close()
	}
}
