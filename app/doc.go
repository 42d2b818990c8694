// Package app is Tafel's desktop user interface: the tray menu, the main and
// pre-flight windows and the dialogs, built with Fyne.
//
// It talks to the domain packages (rooms, preflight, config, …) only through
// small interfaces so fyne.io/fyne/v2/test can drive every window with fakes.
// Nothing here speaks BBB, audio or WebRTC directly, and only cmd/tafel
// imports fyne.io/fyne/v2/app. The windows arrive with the desktop issue.
package app
