package app

// ShowLinks shows the room's student links with QR codes (placeholder).
func (u *UI) ShowLinks(room string) {}

// CopyLinks copies the room's student links to the clipboard (placeholder).
func (u *UI) CopyLinks(room string) {}
