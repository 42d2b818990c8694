package backend_test

import (
	"github.com/tafel-schule/tafel/app"
	"github.com/tafel-schule/tafel/backend"
)

// The backend's parts are the GUI's services (checked at compile time;
// package backend itself must not import app, which imports Fyne). app
// aliases the data types to backend's, so the method sets match exactly.
var (
	_ app.Rooms    = (*backend.Rooms)(nil)
	_ app.Lessons  = (*backend.Lessons)(nil)
	_ app.Settings = (*backend.Settings)(nil)
	_ app.Setup    = (*backend.Setup)(nil)
)
