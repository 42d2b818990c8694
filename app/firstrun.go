package app

// ShowFirstRun asks for the pool, language and browser, then calls done
// (placeholder until it lands).
func (u *UI) ShowFirstRun(done func()) { done() }
