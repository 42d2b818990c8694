package app

// AddSlidesDialog lets the teacher pick slides for room (placeholder).
func (u *UI) AddSlidesDialog(room string) {}
