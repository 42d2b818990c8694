//go:build linux

package testenv

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

type fakeLayout = struct {
	V0 int32
	V1 map[string]dbus.Variant
	V2 []dbus.Variant
}

// fakeMenu is a dbusmenu with "Show", a separator and a "More" submenu
// holding "Hello"; clicks land in the clicked channel.
type fakeMenu struct{ clicked chan int32 }

func (m fakeMenu) GetLayout(parent, depth int32, props []string) (uint32, fakeLayout, *dbus.Error) {
	item := func(id int32, p map[string]dbus.Variant, kids ...dbus.Variant) dbus.Variant {
		return dbus.MakeVariant(fakeLayout{id, p, kids})
	}
	label := func(s string) map[string]dbus.Variant { return map[string]dbus.Variant{"label": dbus.MakeVariant(s)} }
	return 7, fakeLayout{0, map[string]dbus.Variant{}, []dbus.Variant{
		item(1, label("_Show")),
		item(2, map[string]dbus.Variant{"type": dbus.MakeVariant("separator")}),
		item(3, map[string]dbus.Variant{"label": dbus.MakeVariant("More"), "children-display": dbus.MakeVariant("submenu")},
			item(4, map[string]dbus.Variant{"label": dbus.MakeVariant("Hello"), "enabled": dbus.MakeVariant(false)})),
	}}, nil
}

func (m fakeMenu) Event(id int32, event string, data dbus.Variant, ts uint32) *dbus.Error {
	if event == "clicked" {
		m.clicked <- id
	}
	return nil
}

// The watcher against an in-process fake item: registration by path,
// properties, menu layout with a submenu, clicks. No Fyne build needed.
func TestSNIWatcherWithFakeItem(t *testing.T) {
	addr := StartSessionBus(t)
	w := StartSNIWatcher(t, addr)

	app, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	menu := fakeMenu{clicked: make(chan int32, 1)}
	if err := app.Export(menu, "/StatusNotifierItem/menu", "com.canonical.dbusmenu"); err != nil {
		t.Fatal(err)
	}
	if _, err := prop.Export(app, "/StatusNotifierItem", prop.Map{"org.kde.StatusNotifierItem": {
		"Id":     {Value: "fake"},
		"Status": {Value: "Active"},
		"Menu":   {Value: dbus.ObjectPath("/StatusNotifierItem/menu")},
	}}); err != nil {
		t.Fatal(err)
	}
	// As fyne.io/systray does: first check a host exists, then register.
	var host dbus.Variant
	host, err = app.Object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher").GetProperty("org.kde.StatusNotifierWatcher.IsStatusNotifierHostRegistered")
	if err != nil || host.Value() != true {
		t.Fatalf("IsStatusNotifierHostRegistered = %v, %v", host, err)
	}
	if call := app.Object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher").
		Call("org.kde.StatusNotifierWatcher.RegisterStatusNotifierItem", 0, "/StatusNotifierItem"); call.Err != nil {
		t.Fatal(call.Err)
	}

	it := w.WaitForItem(t, 10*time.Second)
	if it.Service != app.Names()[0] || it.Path != "/StatusNotifierItem" {
		t.Fatalf("item %s %s, want %s /StatusNotifierItem", it.Service, it.Path, app.Names()[0])
	}
	if got := it.Property(t, "Status"); got != "Active" {
		t.Fatalf("Status = %v", got)
	}
	items := w.Menu(t)
	if len(items) != 3 || items[0].Label != "_Show" || items[1].Type != "separator" || len(items[2].Children) != 1 {
		t.Fatalf("menu = %+v", items)
	}
	hello, ok := FindMenuItem(items, "Hello")
	if !ok || hello.ID != 4 || hello.Enabled {
		t.Fatalf("Hello = %+v, %v", hello, ok)
	}
	if show, ok := FindMenuItem(items, "Show"); !ok || show.ID != 1 {
		t.Fatalf("Show (mnemonic ignored) = %+v, %v", show, ok)
	}
	w.Click(t, 4)
	select {
	case id := <-menu.clicked:
		if id != 4 {
			t.Fatalf("clicked %d", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("click did not arrive")
	}

	// A second watcher on the same bus cannot take the name.
	if w2, err := LaunchSNIWatcher(addr); err == nil {
		w2.Close()
		t.Fatal("second watcher owned the name too")
	}
}

// The real thing: a Fyne tray app (testdata/trayapp) under Xvfb on a
// private bus registers with the fake watcher; its menu is read and
// clicked, and Quit ends it. Building Fyne takes minutes on a cold cache.
func TestSNIWatcherTrayApp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Fyne app")
	}
	goBin := LookPath(t, "go", "golang-go")
	display := StartXvfb(t)
	addr := StartSessionBus(t)
	w := StartSNIWatcher(t, addr)

	dir := t.TempDir()
	bin := filepath.Join(dir, "trayapp")
	// Not -race: fyne.io/systray (v1.12.3-0.20260810170012) has a data race
	// of its own on the first GetLayout (instance.menuVersion, read in
	// GetLayout under menuLock, written by refresh() under instance.lock),
	// which a race-built app reports with exit status 66.
	build := exec.Command(goBin, "build", "-tags", "migrated_fynedo", "-o", bin, "./testdata/trayapp")
	start := time.Now()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build trayapp: %v\n%s", err, out)
	}
	t.Logf("built trayapp in %s", time.Since(start).Round(100*time.Millisecond))

	home := filepath.Join(dir, "home")
	cmd := exec.Command(bin)
	cmd.Env = XEnv(display, addr, home)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &SyncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 32)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		if t.Failed() && !strings.Contains(stderr.String(), "goroutine ") {
			t.Logf("trayapp stderr:\n%s", lastLines(stderr.String(), 120))
		}
	})
	expect := func(want string) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case l := <-lines:
				if l == want {
					return
				}
			case <-deadline:
				t.Fatalf("trayapp did not print %q", want)
			}
		}
	}

	WaitForWindow(t, display, "Tray test", 60*time.Second)
	it := w.WaitForItem(t, 60*time.Second)
	if got := it.Property(t, "Status"); got != "Active" {
		t.Errorf("Status = %v", got)
	}
	items := it.Menu(t)
	var labels []string
	for _, m := range items {
		labels = append(labels, m.Label)
	}
	t.Logf("tray menu: %q", labels)
	for _, l := range []string{"Show", "Hello", "Hide", "Quit"} {
		if _, ok := FindMenuItem(items, l); !ok {
			t.Fatalf("tray menu %q lacks %q", labels, l)
		}
	}
	hello, _ := FindMenuItem(items, "Hello")
	it.Click(t, hello.ID)
	expect("clicked Hello")

	// Hidden to the tray and back: the flow single-instance "show" and
	// the tray's Show item rely on.
	hide, _ := FindMenuItem(items, "Hide")
	it.Click(t, hide.ID)
	expect("clicked Hide")
	WaitForWindowGone(t, display, "Tray test", 30*time.Second)
	show, _ := FindMenuItem(items, "Show")
	it.Click(t, show.ID)
	expect("clicked Show")
	WaitForWindow(t, display, "Tray test", 30*time.Second)

	Screenshot(t, display, filepath.Join(dir, "shot.png"))
	if fi, err := os.Stat(filepath.Join(dir, "shot.png")); err != nil || fi.Size() == 0 {
		t.Fatalf("screenshot: %v", err)
	}

	quit, _ := FindMenuItem(items, "Quit")
	it.Click(t, quit.ID)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("trayapp exited with %v", err)
		}
		// The environment (XEnv) is complete: Fyne found its directories.
		// (Other Fyne errors happen: a "Preferences load error: EOF" when
		// its file watcher reads preferences.json mid-write at quit.)
		if strings.Contains(stderr.String(), "Failed to create") {
			t.Fatalf("Fyne complained:\n%s", stderr)
		}
	case <-time.After(30 * time.Second):
		// A goroutine dump (Go prints it on SIGQUIT) shows where it hangs.
		cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
		}
		t.Fatalf("trayapp did not quit from its tray menu; its stderr:\n%s", stderr)
	}
}
