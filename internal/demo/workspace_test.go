package demo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/checkhistory"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/netcheck"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/slides"
	"github.com/tafel-schule/tafel/studentlinks"
)

// The workspace loads with the app's own loaders, and the app's way into
// the pool (DirectPool from the pool entry and the in-memory secret) gives
// a passing network check.
func TestDemoWorkspace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := Launch(ctx, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := s.Workspace

	u, err := config.LoadUser(w.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := u.ResolvePool("")
	if err != nil {
		t.Fatalf("default pool: %v", err)
	}
	if pool.Name != PoolName || pool.URL != s.Pool.APIURL || pool != w.Pool || u.TeacherName != TeacherName {
		t.Fatalf("config.json pool %+v (teacher %q), want %+v", pool, u.TeacherName, w.Pool)
	}
	raw, err := os.ReadFile(w.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), s.Pool.Secret) {
		t.Fatal("config.json contains the pool secret")
	}
	if got, err := w.Secrets.Get(ctx, pool.SecretKey()); err != nil || got != s.Pool.Secret {
		t.Fatalf("workspace secrets do not hold the demo secret under %q (err %v)", pool.SecretKey(), err)
	}

	st, err := rooms.OpenStore(w.RoomsPath)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{RoomLesson: rooms.PresetLesson, RoomParents: rooms.PresetParents, RoomStaff: rooms.PresetStaff}
	list := st.List()
	if len(list) != len(want) {
		t.Fatalf("%d rooms, want %d", len(list), len(want))
	}
	for _, r := range list {
		if want[r.Name] != r.Preset {
			t.Errorf("room %q preset %q, want %q", r.Name, r.Preset, want[r.Name])
		}
	}
	lesson, err := st.Get(RoomLesson)
	if err != nil {
		t.Fatal(err)
	}
	if len(lesson.Slides) != 1 || lesson.Slides[0].Path != w.SlidesPath || !lesson.Slides[0].Unchanged() || lesson.ClassList != w.ClassListPath {
		t.Fatalf("lesson room slides %+v class list %q", lesson.Slides, lesson.ClassList)
	}
	info, err := slides.Validate(ctx, w.SlidesPath, slides.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Kind != slides.KindPDF || info.Pages < 1 || lesson.Slides[0].Pages != info.Pages {
		t.Fatalf("sample slides: kind %s, %d pages (room says %d)", info.Kind, info.Pages, lesson.Slides[0].Pages)
	}
	cl, err := studentlinks.ParseFile(w.ClassListPath, studentlinks.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Students) != 8 || cl.Separator != ";" || cl.Class != "7b" || cl.Students[0].Name != "Jonas Becker" {
		t.Fatalf("class list: %d students, separator %q, class %q, first %+v", len(cl.Students), cl.Separator, cl.Class, cl.Students[0])
	}

	dp, err := w.DirectPool(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := dp.Check(ctx); err != nil {
		t.Fatalf("demo pool check: %v", err)
	}
	start := time.Now()
	rep, err := netcheck.Run(ctx, netcheck.FromPool(dp), netcheck.Options{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("netcheck via FromPool(DirectPool): %s in %v", rep.Verdict, time.Since(start).Round(time.Millisecond))
	requirePass(t, rep)

	// The demo's check history stays in the workspace.
	if err := w.History.Record(checkhistory.Network, checkhistory.Entry{Time: time.Now(), Verdict: string(rep.Verdict)}); err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(w.History.Path) != w.ConfigDir {
		t.Fatalf("history at %s, outside the workspace", w.History.Path)
	}
}

// Launch without a directory uses a temporary workspace that Close removes.
func TestDemoLaunchTempDir(t *testing.T) {
	s, err := Launch(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := s.Workspace.ConfigDir
	if _, err := os.Stat(s.Workspace.RoomsPath); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("temporary workspace %s still there after Close (%v)", dir, err)
	}
}

// BenchmarkDemoLaunch is the demo's start-up cost before the app can show
// its window: pool, TURN server and workspace (slides validated).
func BenchmarkDemoLaunch(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		s, err := Launch(ctx, Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
