package app

// ShowPreflight opens the pre-flight window (placeholder until it lands).
func (u *UI) ShowPreflight() {}

// preflightBeforeStart runs the pre-flight when it is due and calls proceed
// when the lesson may start (placeholder: always proceeds).
func (u *UI) preflightBeforeStart(proceed func()) { proceed() }
