package backend

import (
	"strings"

	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/translations"
)

// Settings stores AppSettings in config.json (app.Settings).
type Settings struct{ b *Backend }

// Load returns the saved settings; defaults when there are none or the
// file cannot be read (Open reported why).
func (s *Settings) Load() AppSettings {
	u, _ := s.b.loadUser()
	if u == nil {
		u = &config.User{}
	}
	return AppSettings{
		Language:          u.Language,
		Browser:           u.Browser,
		TeacherName:       u.TeacherName,
		CheckBeforeLesson: u.WantsCheckBeforeLesson(),
		CloseToTray:       u.WantsCloseToTray(),
	}
}

// Save writes the settings atomically, keeping everything else in
// config.json (pools) as it is on disk now.
func (s *Settings) Save(a AppSettings) error {
	b := s.b
	b.cfgMu.Lock()
	defer b.cfgMu.Unlock()
	u, err := b.loadUser()
	if err != nil {
		return err // a newer file is never overwritten
	}
	if l := strings.TrimSpace(a.Language); l != "" {
		a.Language = translations.Normalize(l)
	}
	u.Language = strings.TrimSpace(a.Language)
	u.Browser = strings.TrimSpace(a.Browser)
	u.TeacherName = strings.TrimSpace(a.TeacherName)
	// An untouched switch stays unset, so the file keeps saying "default".
	u.CheckBeforeLesson = boolSetting(u.CheckBeforeLesson, a.CheckBeforeLesson)
	u.CloseToTray = boolSetting(u.CloseToTray, a.CloseToTray)
	if err := config.SaveUser(b.userPath, u); err != nil {
		return err
	}
	b.mu.Lock()
	b.lang = u.Language
	b.mu.Unlock()
	return nil
}

// boolSetting keeps nil (the default, true) when v is true and nothing was
// set before.
func boolSetting(old *bool, v bool) *bool {
	if old == nil && v {
		return nil
	}
	return &v
}

// Locked reports settings fixed by school IT. Nothing is managed yet
// (issue 7 adds the admin layers).
func (s *Settings) Locked(key string) bool { return false }
