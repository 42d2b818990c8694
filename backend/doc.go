// Package backend is the real implementation of the GUI's services
// (app.Rooms, app.Lessons, app.Settings, app.Setup): the teacher's loop
// — rooms, lesson start, slides, student links, settings and the first
// run — on top of the domain packages, doing what the CLI commands do
// (cmd/tafel start, slides, links, pool add) with the same translation
// keys. It does not import Fyne or package app: its types satisfy app's
// interfaces structurally, and app aliases the plain data types defined
// here (LessonStarted, SlideCheck, …).
//
// Every method may block on the network, the keyring or the disk; the GUI
// calls them from its own goroutines. Errors are typed and carry no
// secrets or signed URLs; Explain turns them into one translated sentence.
package backend
