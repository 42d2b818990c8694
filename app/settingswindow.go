package app

// ShowSettings opens the settings dialog (placeholder until it lands).
func (u *UI) ShowSettings() {}
