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
// config.json (pools) as it is on disk now. Settings school IT fixed are
// not written, and a value equal to what IT recommends (or the default)
// stays unset, so a later recommendation still reaches this teacher.
func (s *Settings) Save(a AppSettings) error {
	b := s.b
	b.cfgMu.Lock()
	defer b.cfgMu.Unlock()
	l, err := b.loadLayers()
	if l == nil {
		return err // a newer file is never overwritten
	}
	u, in := l.User, l.Inherited()
	if lang := strings.TrimSpace(a.Language); lang != "" {
		a.Language = translations.Normalize(lang)
	}
	if !l.Locked(config.KeyLanguage) {
		u.Language = stringSetting(u.Language, strings.TrimSpace(a.Language), in.Language, config.LanguageAuto)
	}
	if !l.Locked(config.KeyBrowser) {
		u.Browser = stringSetting(u.Browser, strings.TrimSpace(a.Browser), in.Browser, config.BrowserSystem)
	}
	u.TeacherName = strings.TrimSpace(a.TeacherName)
	if !l.Locked(config.KeyCheckBeforeLesson) {
		u.CheckBeforeLesson = boolSetting(u.CheckBeforeLesson, a.CheckBeforeLesson, in.WantsCheckBeforeLesson())
	}
	if !l.Locked(config.KeyCloseToTray) {
		u.CloseToTray = boolSetting(u.CloseToTray, a.CloseToTray, in.WantsCloseToTray())
	}
	if err := config.SaveUser(b.userPath, u); err != nil {
		return err
	}
	b.mu.Lock()
	b.lang = l.Effective().Language
	b.mu.Unlock()
	return nil
}

// stringSetting keeps an unset value unset while it equals the inherited
// one (recommended or default). An explicit "" against a recommendation
// is stored as sentinel ("" in the file would inherit IT's value).
func stringSetting(old, v, inherited, sentinel string) string {
	switch {
	case old == "" && v == inherited:
		return ""
	case v == "" && inherited != "":
		return sentinel
	}
	return v
}

// boolSetting keeps nil (inherit) while v equals the inherited value and
// nothing was set before.
func boolSetting(old *bool, v, inherited bool) *bool {
	if old == nil && v == inherited {
		return nil
	}
	return &v
}

// Locked reports settings school IT fixed in managed.json (the GUI
// disables them with "Von der IT Ihrer Schule festgelegt"). Keys: those of
// config ("language", "browser", …) and "pool".
func (s *Settings) Locked(key string) bool {
	l, _ := s.b.loadLayers()
	return l != nil && l.Locked(key)
}
