package app

// StartLesson runs the teacher's loop for room: the pre-flight when due,
// then start and open in the browser.
func (u *UI) StartLesson(room string) {}
