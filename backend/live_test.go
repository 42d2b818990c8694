package backend

import (
	"slices"
	"sync"
	"testing"

	"github.com/tafel-schule/tafel/rooms"
)

// What another call records for the running meeting while AddSlides
// uploads (a second Tafel, the CLI, a Start at the same time) is kept:
// AddSlides merges its uploads into the room as it is on file then,
// instead of writing back the copy it read before the upload. Otherwise
// the other slide would be sent again at the next start.
func TestAddSlidesKeepsConcurrentUploadRecord(t *testing.T) {
	e := newEnv(t)
	e.addPoolAndRoom("Mathe 7b")
	l := e.b.Lessons()
	if _, err := l.Start(e.ctx(), "Mathe 7b", nil); err != nil {
		t.Fatal(l.Explain(err))
	}
	room, _ := e.b.Rooms().Get("Mathe 7b")
	ct := room.Live.CreateTime
	other, err := rooms.SlideFromFile(e.pdf("andere.pdf", 1), "andere.pdf", "pdf", 1)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	res, err := l.AddSlides(e.ctx(), "Mathe 7b", []string{e.pdf("neu.pdf", 2)}, func(sent, total int64) {
		once.Do(func() {
			if _, err := e.b.Rooms().Update("Mathe 7b", func(r *rooms.Room) error {
				r.MarkUploaded(ct, other)
				return nil
			}); err != nil {
				t.Error(err)
			}
		})
	})
	if err != nil || len(res.Uploaded) != 1 {
		t.Fatalf("%v %+v", err, res)
	}
	room, _ = e.b.Rooms().Get("Mathe 7b")
	if !room.Uploaded(ct, other) {
		t.Error("the upload recorded meanwhile was lost")
	}
	if len(room.Slides) != 1 || !room.Uploaded(ct, room.Slides[0]) {
		t.Errorf("the new slide is not recorded: %+v", room.Live)
	}
}

func TestMergeLive(t *testing.T) {
	for _, c := range []struct {
		name      string
		file, run *rooms.Live
		want      *rooms.Live
	}{
		{"nothing on file", nil, &rooms.Live{CreateTime: 5, Uploaded: []string{"a"}}, &rooms.Live{CreateTime: 5, Uploaded: []string{"a"}}},
		{"nil changes nothing", &rooms.Live{CreateTime: 5, Uploaded: []string{"a"}}, nil, &rooms.Live{CreateTime: 5, Uploaded: []string{"a"}}},
		{"same instance: union", &rooms.Live{CreateTime: 5, Uploaded: []string{"a", "b"}}, &rooms.Live{CreateTime: 5, Uploaded: []string{"b", "c"}},
			&rooms.Live{CreateTime: 5, Uploaded: []string{"a", "b", "c"}}},
		{"older on file: replaced", &rooms.Live{CreateTime: 4, Uploaded: []string{"a"}}, &rooms.Live{CreateTime: 5, Uploaded: []string{"c"}},
			&rooms.Live{CreateTime: 5, Uploaded: []string{"c"}}},
		{"newer on file: kept", &rooms.Live{CreateTime: 6, Uploaded: []string{"a"}}, &rooms.Live{CreateTime: 5, Uploaded: []string{"c"}},
			&rooms.Live{CreateTime: 6, Uploaded: []string{"a"}}},
	} {
		r := &rooms.Room{Live: c.file}
		mergeLive(r, c.run)
		if (r.Live == nil) != (c.want == nil) || r.Live != nil && (r.Live.CreateTime != c.want.CreateTime || !slices.Equal(r.Live.Uploaded, c.want.Uploaded)) {
			t.Errorf("%s: %+v", c.name, r.Live)
		}
	}
}
