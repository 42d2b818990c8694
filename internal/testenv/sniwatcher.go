//go:build linux

package testenv

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

// StartSessionBus starts a private D-Bus session bus (no service
// activation, nothing else on it) for the duration of the test and returns
// its address. Unlike StartBusWithoutSecretService it leaves this process's
// DBUS_SESSION_BUS_ADDRESS alone: pass the address to the programs under
// test (XEnv) or connect with dbus.Connect.
func StartSessionBus(t testing.TB) string {
	t.Helper()
	bin := LookPath(t, "dbus-daemon", "dbus-daemon")
	// Unix socket paths are limited to ~108 bytes; t.TempDir() can be long.
	dir, err := os.MkdirTemp("", "tafel-bus-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s, err := LaunchSecretService(bin, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s.Address
}

// SNIWatcher is a fake tray host (desktop-platform.md §17.4): it owns
// org.kde.StatusNotifierWatcher on a bus, so apps register their
// StatusNotifierItem with it, and then reads and clicks their menus over
// com.canonical.dbusmenu as a panel would.
type SNIWatcher struct {
	conn *dbus.Conn
	reg  chan *SNIItem

	mu    sync.Mutex
	items []*SNIItem
}

// SNIItem is a registered tray item: Service is its owner's unique bus
// name, Path its object path (normally /StatusNotifierItem).
type SNIItem struct {
	Service string
	Path    dbus.ObjectPath
	conn    *dbus.Conn
}

// MenuItem is one entry of a dbusmenu layout. Type is "separator" for
// separators and "" for normal items.
type MenuItem struct {
	ID       int32
	Label    string
	Type     string
	Enabled  bool
	Visible  bool
	Children []MenuItem
}

const (
	sniWatcherName  = "org.kde.StatusNotifierWatcher"
	sniWatcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
	sniItemIface    = "org.kde.StatusNotifierItem"
	dbusmenuIface   = "com.canonical.dbusmenu"
	sniDefaultPath  = dbus.ObjectPath("/StatusNotifierItem")
	sniCallTimeout  = 10 * time.Second
	sniItemDeadline = 60 * time.Second
)

// StartSNIWatcher claims org.kde.StatusNotifierWatcher on the bus at
// busAddress for the duration of the test.
func StartSNIWatcher(t testing.TB, busAddress string) *SNIWatcher {
	t.Helper()
	w, err := LaunchSNIWatcher(busAddress)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

// sniWatcherObject is exported on the bus; its methods are D-Bus methods.
type sniWatcherObject struct{ w *SNIWatcher }

// RegisterStatusNotifierItem accepts either an object path on the caller's
// connection (what fyne.io/systray sends) or a bus name (KDE's convention,
// then the path is /StatusNotifierItem).
func (o sniWatcherObject) RegisterStatusNotifierItem(service string, sender dbus.Sender) *dbus.Error {
	it := &SNIItem{Service: string(sender), Path: sniDefaultPath, conn: o.w.conn}
	if strings.HasPrefix(service, "/") {
		it.Path = dbus.ObjectPath(service)
	} else if service != "" {
		it.Service = service
	}
	o.w.mu.Lock()
	o.w.items = append(o.w.items, it)
	o.w.mu.Unlock()
	select {
	case o.w.reg <- it:
	default: // nobody waits; Items still has it
	}
	_ = o.w.conn.Emit(sniWatcherPath, sniWatcherName+".StatusNotifierItemRegistered", it.Service+string(it.Path))
	return nil
}

// RegisterStatusNotifierHost is part of the interface; hosts are not tracked.
func (o sniWatcherObject) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

// LaunchSNIWatcher is StartSNIWatcher for programs that are not tests; the
// caller must call Close.
func LaunchSNIWatcher(busAddress string) (*SNIWatcher, error) {
	conn, err := dbus.Connect(busAddress)
	if err != nil {
		return nil, fmt.Errorf("testenv: connect to bus: %w", err)
	}
	w := &SNIWatcher{conn: conn, reg: make(chan *SNIItem, 16)}
	if err := conn.Export(sniWatcherObject{w}, sniWatcherPath, sniWatcherName); err != nil {
		conn.Close()
		return nil, err
	}
	// The properties a real watcher has; some items check that a host exists.
	_, err = prop.Export(conn, sniWatcherPath, prop.Map{sniWatcherName: {
		"IsStatusNotifierHostRegistered": {Value: true},
		"ProtocolVersion":                {Value: int32(0)},
		"RegisteredStatusNotifierItems":  {Value: []string{}},
	}})
	if err != nil {
		conn.Close()
		return nil, err
	}
	reply, err := conn.RequestName(sniWatcherName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		conn.Close()
		return nil, fmt.Errorf("testenv: cannot own %s (reply %v): %v", sniWatcherName, reply, err)
	}
	return w, nil
}

// Close releases the name and the connection.
func (w *SNIWatcher) Close() { w.conn.Close() }

// Items returns the items registered so far.
func (w *SNIWatcher) Items() []*SNIItem {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]*SNIItem(nil), w.items...)
}

// WaitForItem returns the first registered item, waiting up to timeout.
func (w *SNIWatcher) WaitForItem(t testing.TB, timeout time.Duration) *SNIItem {
	t.Helper()
	it, err := w.NextItem(timeout)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// NextItem is WaitForItem without a test: the first item registered (at
// once if one already is).
func (w *SNIWatcher) NextItem(timeout time.Duration) (*SNIItem, error) {
	if items := w.Items(); len(items) > 0 {
		return items[0], nil
	}
	select {
	case it := <-w.reg:
		return it, nil
	case <-time.After(timeout):
		return nil, fmt.Errorf("testenv: no StatusNotifierItem registered within %s", timeout)
	}
}

// Menu reads the first registered item's menu (waiting up to a minute for
// the registration).
func (w *SNIWatcher) Menu(t testing.TB) []MenuItem {
	t.Helper()
	return w.WaitForItem(t, sniItemDeadline).Menu(t)
}

// Click clicks menu entry id of the first registered item.
func (w *SNIWatcher) Click(t testing.TB, id int32) {
	t.Helper()
	w.WaitForItem(t, sniItemDeadline).Click(t, id)
}

// Property reads one org.kde.StatusNotifierItem property (Id, Title,
// Status, Menu, IconPixmap, …).
func (it *SNIItem) Property(t testing.TB, name string) any {
	t.Helper()
	v, err := it.GetProperty(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// GetProperty is Property without a test.
func (it *SNIItem) GetProperty(name string) (any, error) {
	v, err := it.conn.Object(it.Service, it.Path).GetProperty(sniItemIface + "." + name)
	if err != nil {
		return nil, fmt.Errorf("testenv: property %s of the tray item: %w", name, err)
	}
	return v.Value(), nil
}

// MenuPath is the object path of the item's dbusmenu, from its Menu
// property (/StatusNotifierItem/menu since fyne.io/systray v1.12.0,
// /StatusNotifierMenu before).
func (it *SNIItem) MenuPath() (dbus.ObjectPath, error) {
	v, err := it.GetProperty("Menu")
	if err != nil {
		return "", err
	}
	p, ok := v.(dbus.ObjectPath)
	if !ok || !p.IsValid() {
		return "", fmt.Errorf("testenv: Menu property is %T %v, not an object path", v, v)
	}
	return p, nil
}

// Menu reads the whole menu with GetLayout(0, -1, []).
func (it *SNIItem) Menu(t testing.TB) []MenuItem {
	t.Helper()
	m, err := it.GetMenu()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// GetMenu is Menu without a test. fyne.io/systray answers its first
// GetLayout with one level only; a second call fills submenus.
func (it *SNIItem) GetMenu() ([]MenuItem, error) {
	path, err := it.MenuPath()
	if err != nil {
		return nil, err
	}
	obj := it.conn.Object(it.Service, path)
	var items []MenuItem
	for range 2 {
		var rev uint32
		var layout struct {
			ID       int32
			Props    map[string]dbus.Variant
			Children []dbus.Variant
		}
		call := obj.Call(dbusmenuIface+".GetLayout", 0, int32(0), int32(-1), []string{})
		if call.Err != nil {
			return nil, fmt.Errorf("testenv: GetLayout: %w", call.Err)
		}
		if err := call.Store(&rev, &layout); err != nil {
			return nil, fmt.Errorf("testenv: GetLayout reply: %w", err)
		}
		items, err = parseMenuChildren(layout.Children)
		if err != nil {
			return nil, err
		}
		if !hasUnfilledSubmenu(items) {
			break
		}
	}
	return items, nil
}

// Click sends Event(id, "clicked", "", 0) as a panel does when the user
// picks the entry.
func (it *SNIItem) Click(t testing.TB, id int32) {
	t.Helper()
	if err := it.ClickItem(id); err != nil {
		t.Fatal(err)
	}
}

// ClickItem is Click without a test.
func (it *SNIItem) ClickItem(id int32) error {
	path, err := it.MenuPath()
	if err != nil {
		return err
	}
	call := it.conn.Object(it.Service, path).Call(dbusmenuIface+".Event", 0,
		id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix()))
	if call.Err != nil {
		return fmt.Errorf("testenv: Event(%d, clicked): %w", id, call.Err)
	}
	return nil
}

// FindMenuItem returns the first entry (depth first) labelled label;
// dbusmenu mnemonics ("_Show") are ignored.
func FindMenuItem(items []MenuItem, label string) (MenuItem, bool) {
	for _, m := range items {
		if strings.ReplaceAll(m.Label, "_", "") == strings.ReplaceAll(label, "_", "") {
			return m, true
		}
		if c, ok := FindMenuItem(m.Children, label); ok {
			return c, true
		}
	}
	return MenuItem{}, false
}

// parseMenuChildren turns dbusmenu's child layouts, each a variant of
// (ia{sv}av), into MenuItems.
func parseMenuChildren(children []dbus.Variant) ([]MenuItem, error) {
	var out []MenuItem
	for _, c := range children {
		fields, ok := c.Value().([]any)
		if !ok || len(fields) != 3 {
			return nil, fmt.Errorf("testenv: menu layout entry is %s, want (ia{sv}av)", c.Signature())
		}
		id, ok1 := fields[0].(int32)
		props, ok2 := fields[1].(map[string]dbus.Variant)
		kids, ok3 := fields[2].([]dbus.Variant)
		if !ok1 || !ok2 || !ok3 {
			return nil, errors.New("testenv: malformed menu layout entry")
		}
		m := MenuItem{ID: id, Enabled: true, Visible: true}
		if v, ok := props["label"].Value().(string); ok {
			m.Label = v
		}
		if v, ok := props["type"].Value().(string); ok && v != "standard" {
			m.Type = v
		}
		if v, ok := props["enabled"].Value().(bool); ok {
			m.Enabled = v
		}
		if v, ok := props["visible"].Value().(bool); ok {
			m.Visible = v
		}
		sub, err := parseMenuChildren(kids)
		if err != nil {
			return nil, err
		}
		m.Children = sub
		if v, ok := props["children-display"].Value().(string); ok && v == "submenu" && m.Children == nil {
			m.Children = []MenuItem{} // marks "submenu not filled yet"
		}
		out = append(out, m)
	}
	return out, nil
}

func hasUnfilledSubmenu(items []MenuItem) bool {
	for _, m := range items {
		if m.Children != nil && len(m.Children) == 0 {
			return true
		}
		if hasUnfilledSubmenu(m.Children) {
			return true
		}
	}
	return false
}
