package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// layers writes the given files (empty content = absent) and loads them.
func layers(t *testing.T, recommended, user, managed string) *Layered {
	t.Helper()
	dir := t.TempDir()
	admin := filepath.Join(dir, "admin")
	if err := os.MkdirAll(admin, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(path, content string) {
		if content == "" {
			return
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(admin, RecommendedFileName), recommended)
	write(filepath.Join(admin, ManagedFileName), managed)
	userPath := filepath.Join(dir, "user", UserFileName)
	if err := os.MkdirAll(filepath.Dir(userPath), 0o700); err != nil {
		t.Fatal(err)
	}
	write(userPath, user)
	l, err := Load(LoadOptions{UserPath: userPath, AdminDir: admin})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return l
}

func value(t *testing.T, l *Layered, key string) Value {
	t.Helper()
	for _, v := range l.Values() {
		if v.Key == key {
			return v
		}
	}
	t.Fatalf("no value %q in %+v", key, l.Values())
	return Value{}
}

func TestLayerPrecedence(t *testing.T) {
	const (
		rec = `{"language":"en","browser":"chromium","check_before_lesson":false,"close_to_tray":false}`
		usr = `{"version":1,"pools":[],"language":"de","browser":"firefox","close_to_tray":true}`
		man = `{"version":1,"browser":"epiphany","check_before_lesson":true}`
	)
	tests := []struct {
		name                 string
		rec, usr, man        string
		key                  string
		want                 string
		src                  Source
		locked               bool
		effLang, effBrowser  string
		effCheck, effToTray  bool
		lockedKey, unlockKey string
	}{
		{name: "defaults only", key: KeyLanguage, want: "", src: SourceDefault,
			effCheck: true, effToTray: true, unlockKey: KeyLanguage},
		{name: "recommended beats default", rec: rec, key: KeyLanguage, want: "en", src: SourceRecommended,
			effLang: "en", effBrowser: "chromium", effCheck: false, effToTray: false, unlockKey: KeyBrowser},
		{name: "user beats recommended", rec: rec, usr: usr, key: KeyLanguage, want: "de", src: SourceUser,
			effLang: "de", effBrowser: "firefox", effCheck: false, effToTray: true, unlockKey: KeyLanguage},
		{name: "managed beats user", rec: rec, usr: usr, man: man, key: KeyBrowser, want: "epiphany", src: SourceManaged, locked: true,
			effLang: "de", effBrowser: "epiphany", effCheck: true, effToTray: true, lockedKey: KeyCheckBeforeLesson, unlockKey: KeyCloseToTray},
		{name: "managed bool over recommended", rec: rec, man: man, key: KeyCheckBeforeLesson, want: "true", src: SourceManaged, locked: true,
			effLang: "en", effBrowser: "epiphany", effCheck: true, effToTray: false, lockedKey: KeyBrowser, unlockKey: KeyLanguage},
		{name: "default bool is true", key: KeyCloseToTray, want: "true", src: SourceDefault, effCheck: true, effToTray: true},
		{name: "teacher name only from user", usr: `{"version":1,"pools":[],"teacher_name":"Frau Abt"}`, man: man,
			key: KeyTeacherName, want: "Frau Abt", src: SourceUser, effBrowser: "epiphany", effCheck: true, effToTray: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := layers(t, tc.rec, tc.usr, tc.man)
			if w := l.Warnings(); len(w) != 0 {
				t.Fatalf("warnings: %v", w)
			}
			v := value(t, l, tc.key)
			if v.Value != tc.want || v.Source != tc.src || v.Locked != tc.locked {
				t.Errorf("%s = %+v, want %q from %s (locked %v)", tc.key, v, tc.want, tc.src, tc.locked)
			}
			eff := l.Effective()
			if eff.Language != tc.effLang || eff.Browser != tc.effBrowser ||
				eff.WantsCheckBeforeLesson() != tc.effCheck || eff.WantsCloseToTray() != tc.effToTray {
				t.Errorf("effective = lang %q browser %q check %v tray %v", eff.Language, eff.Browser,
					eff.WantsCheckBeforeLesson(), eff.WantsCloseToTray())
			}
			if tc.lockedKey != "" && !l.Locked(tc.lockedKey) {
				t.Errorf("%s not locked", tc.lockedKey)
			}
			if tc.lockedKey != "" && !errors.Is(l.CheckChange(tc.lockedKey), ErrManaged) {
				t.Errorf("CheckChange(%s) = %v", tc.lockedKey, l.CheckChange(tc.lockedKey))
			}
			if tc.unlockKey != "" && (l.Locked(tc.unlockKey) || l.CheckChange(tc.unlockKey) != nil) {
				t.Errorf("%s locked", tc.unlockKey)
			}
		})
	}
}

func TestLayeredPools(t *testing.T) {
	const (
		rec = `{"pools":[{"name":"Kreis-BBB","url":"https://kreis.example/bigbluebutton/api/"},
		                 {"name":"Schul-BBB","url":"https://old.schule.example"}],"default_pool":"Kreis-BBB"}`
		usr = `{"version":1,"pools":[{"name":"schul-bbb","url":"https://mine.example/bigbluebutton/api","checksum":"sha256"},
		                             {"name":"Privat","url":"https://privat.example/bigbluebutton/api","checksum":"sha1"}],
		        "default_pool":"Privat"}`
		man = `{"pools":[{"name":"Schul-BBB","url":"https://bbb.schule.example","checksum":"sha512"}],"default_pool":"Schul-BBB"}`
	)
	t.Run("user over recommended", func(t *testing.T) {
		l := layers(t, rec, usr, "")
		eff := l.Effective()
		got := map[string]string{}
		for _, p := range eff.Pools {
			got[p.Name] = p.URL + " " + string(p.Source())
		}
		want := map[string]string{
			"schul-bbb": "https://mine.example/bigbluebutton/api user",
			"Privat":    "https://privat.example/bigbluebutton/api user",
			"Kreis-BBB": "https://kreis.example/bigbluebutton/api recommended",
		}
		if len(got) != len(want) {
			t.Fatalf("pools %v", got)
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("pool %s = %q, want %q", k, got[k], w)
			}
		}
		if eff.DefaultPool != "Privat" || value(t, l, KeyDefaultPool).Source != SourceUser {
			t.Errorf("default %q", eff.DefaultPool)
		}
		if l.Locked("pool") || l.Locked("pools.Kreis-BBB") {
			t.Error("nothing is managed")
		}
		if p, ok := l.AdminPool("kreis-bbb"); !ok || p.Source() != SourceRecommended {
			t.Errorf("AdminPool = %+v %v", p, ok)
		}
	})
	t.Run("managed over user", func(t *testing.T) {
		l := layers(t, rec, usr, man)
		eff := l.Effective()
		p, err := eff.ResolvePool("")
		if err != nil || p.Name != "Schul-BBB" || p.URL != "https://bbb.schule.example/bigbluebutton/api" ||
			p.Checksum != "sha512" || p.Source() != SourceManaged {
			t.Fatalf("default pool %+v %v", p, err)
		}
		if len(eff.Pools) != 3 {
			t.Errorf("pools %+v", eff.Pools)
		}
		for _, key := range []string{"pool", KeyPools, KeyDefaultPool, "pools.schul-bbb"} {
			if !l.Locked(key) {
				t.Errorf("%s not locked", key)
			}
		}
		if l.Locked("pools.Privat") {
			t.Error("the user's own pool is locked")
		}
		if mp, ok := l.ManagedPool(); !ok || mp.Name != "Schul-BBB" {
			t.Errorf("ManagedPool = %+v %v", mp, ok)
		}
		v := value(t, l, "pools.Schul-BBB")
		if v.Source != SourceManaged || !v.Locked {
			t.Errorf("%+v", v)
		}
		// The user's file is untouched by layering.
		if len(l.User.Pools) != 2 || l.User.DefaultPool != "Privat" {
			t.Errorf("user layer changed: %+v", l.User)
		}
	})
	t.Run("inherited ignores user and managed", func(t *testing.T) {
		l := layers(t, rec, usr, man)
		in := l.Inherited()
		if in.DefaultPool != "Kreis-BBB" || len(in.Pools) != 2 {
			t.Errorf("inherited %+v", in)
		}
	})
}

func TestLayeredPresets(t *testing.T) {
	l := layers(t, `{"presets":{"*":{"record":false},"lesson":{"lock_webcam":true}}}`, "",
		`{"presets":{"lesson":{"lock_webcam":false,"guest_policy":"always_deny"}}}`)
	for key, want := range map[string]Value{
		"presets.*.record":            {Value: "false", Source: SourceRecommended},
		"presets.lesson.lock_webcam":  {Value: "false", Source: SourceManaged, Locked: true},
		"presets.lesson.guest_policy": {Value: "always_deny", Source: SourceManaged, Locked: true},
	} {
		v := value(t, l, key)
		if v.Value != want.Value || v.Source != want.Source || v.Locked != want.Locked {
			t.Errorf("%s = %+v, want %+v", key, v, want)
		}
	}
	if len(l.Presets(SourceManaged)["lesson"]) != 2 || len(l.Presets(SourceRecommended)["*"]) != 1 {
		t.Errorf("presets %v / %v", l.Presets(SourceManaged), l.Presets(SourceRecommended))
	}
}

func TestMalformedAdminFiles(t *testing.T) {
	const goodUser = `{"version":1,"pools":[],"language":"de"}`
	tests := []struct {
		name        string
		managed     string
		wholeFile   bool   // the file is ignored as a whole
		key         string // else: the key that is ignored
		stillLocked string // a key that remains managed
		partial     bool   // only part of the key's value is ignored
	}{
		{name: "not JSON", managed: `{"language": "en",`, wholeFile: true},
		{name: "not an object", managed: `["language"]`, wholeFile: true},
		{name: "null", managed: `null`, wholeFile: true},
		{name: "trailing data", managed: `{"language":"en"} {}`, wholeFile: true},
		{name: "newer version", managed: `{"version":9,"language":"en"}`, wholeFile: true},
		{name: "version not a number", managed: `{"version":"one","language":"en"}`, wholeFile: true},
		{name: "wrong type", managed: `{"language":"en","close_to_tray":"yes"}`, key: KeyCloseToTray, stillLocked: KeyLanguage},
		{name: "unknown language", managed: `{"language":"fr","browser":"firefox"}`, key: KeyLanguage, stillLocked: KeyBrowser},
		{name: "unknown key", managed: `{"server_url":"https://x.example","language":"en"}`, key: "server_url", stillLocked: KeyLanguage},
		{name: "teacher name", managed: `{"teacher_name":"Herr X","language":"en"}`, key: KeyTeacherName, stillLocked: KeyLanguage},
		{name: "plain http pool", managed: `{"pools":[{"name":"A","url":"http://bbb.example"}],"language":"en"}`, key: KeyPools, stillLocked: KeyLanguage},
		{name: "pool twice", managed: `{"pools":[{"name":"A","url":"https://a.example"},{"name":"a","url":"https://b.example"}]}`, key: KeyPools, stillLocked: "pools.A", partial: true},
		{name: "default names no managed pool", managed: `{"default_pool":"Elsewhere","language":"en"}`, key: KeyDefaultPool, stillLocked: KeyLanguage},
		{name: "presets wrong shape", managed: `{"presets":["record"],"language":"en"}`, key: KeyPresets, stillLocked: KeyLanguage},
		{name: "control characters", managed: `{"browser":"fire\u0000fox","language":"en"}`, key: KeyBrowser, stillLocked: KeyLanguage},
		{name: "BOM is fine", managed: "\xef\xbb\xbf" + `{"language":"en"}`, stillLocked: KeyLanguage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := layers(t, "", goodUser, tc.managed)
			w := l.Warnings()
			if tc.key == "" && !tc.wholeFile {
				if len(w) != 0 {
					t.Fatalf("warnings %v", w)
				}
			} else {
				if len(w) == 0 {
					t.Fatal("no warning")
				}
				var ae *AdminFileError
				if !errors.As(w[0], &ae) || !errors.Is(w[0], ErrAdminFile) || ae.Layer != SourceManaged ||
					!strings.HasSuffix(ae.Path, ManagedFileName) {
					t.Fatalf("warning %#v", w[0])
				}
				if tc.wholeFile != (ae.Key == "") || (!tc.wholeFile && ae.Key != tc.key) {
					t.Errorf("warning for key %q, want %q (whole file %v)", ae.Key, tc.key, tc.wholeFile)
				}
				if strings.Contains(ae.Error(), "Herr X") || strings.Contains(ae.Error(), "fire") {
					t.Errorf("warning quotes file contents: %v", ae)
				}
			}
			if tc.wholeFile && l.Managed != nil {
				t.Error("a malformed file was used")
			}
			if tc.key != "" && !tc.partial && l.Locked(tc.key) {
				t.Errorf("ignored key %s is locked", tc.key)
			}
			if tc.stillLocked != "" && !l.Locked(tc.stillLocked) {
				t.Errorf("%s no longer locked", tc.stillLocked)
			}
			// The user's settings still apply where nothing valid overrides them.
			if eff := l.Effective(); tc.wholeFile && eff.Language != "de" {
				t.Errorf("language %q", eff.Language)
			}
		})
	}
}

func TestAdminFileUnreadable(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ManagedFileName), 0o755); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat(" ", maxAdminFileBytes+1)
	if err := os.WriteFile(filepath.Join(dir, RecommendedFileName), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load(LoadOptions{UserPath: filepath.Join(dir, "user.json"), AdminDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Warnings()) != 2 || l.Managed != nil || l.Recommended != nil {
		t.Fatalf("warnings %v", l.Warnings())
	}
	for _, w := range l.Warnings() {
		if !errors.Is(w, ErrAdminFile) {
			t.Errorf("%v", w)
		}
	}
}

func TestAdminDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		goos string
		env  map[string]string
		want string
	}{
		{"linux", nil, "/etc/xdg/tafel"},
		{"freebsd", nil, "/etc/xdg/tafel"},
		{"darwin", nil, "/Library/Application Support/Tafel"},
		{"windows", map[string]string{"ProgramData": `D:\PD`}, `D:\PD\Tafel`},
		{"windows", nil, `C:\ProgramData\Tafel`},
	} {
		if got := systemAdminDir(tc.goos, env(tc.env)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.goos, got, tc.want)
		}
	}
	t.Setenv(EnvConfigDir, "/srv/image/tafel")
	if got := AdminDir(); got != "/srv/image/tafel" {
		t.Errorf("override: %q", got)
	}
}

func TestLoadNewerUserFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, UserFileName)
	if err := os.WriteFile(p, []byte(`{"version":99}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if l, err := Load(LoadOptions{UserPath: p, AdminDir: dir}); l != nil || !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("Load = %v, %v", l, err)
	}
}
