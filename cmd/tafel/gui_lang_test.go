//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/tafel-schule/tafel/backend"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/translations"
)

// langProbeEnv makes TestGUILanguageProbe do its work (in a child: Fyne's
// language choice is process-global and made once).
const langProbeEnv = "TAFEL_TEST_LANG_PROBE"

// The window (Fyne's lang, fed by loadFyneTranslations) and the backend's
// sentences (Explain, warnings) speak the same language for any OS locale
// setting, with and without a saved language, and a saved language wins.
func TestGUILanguageMatchesBackend(t *testing.T) {
	type tc struct {
		env   []string
		saved string
	}
	var cases []tc
	for _, env := range [][]string{
		{"LANG=en_US.UTF-8"},
		{"LANG=de_DE.UTF-8"},
		{"LANG=de_AT.UTF-8"},
		{"LANG=fr_FR.UTF-8"},
		{"LANG=C.UTF-8"},
		{"LANGUAGE=de", "LANG=en_US.UTF-8"},
		{"LANGUAGE=en", "LANG=de_DE.UTF-8"},
		{"LANGUAGE=it:de", "LANG=en_US.UTF-8"},
		{"LC_MESSAGES=de_DE.UTF-8", "LANG=en_US.UTF-8"},
	} {
		cases = append(cases, tc{env, ""})
	}
	cases = append(cases,
		tc{[]string{"LANG=en_US.UTF-8"}, "de"}, tc{[]string{"LANG=fr_FR.UTF-8"}, "de"},
		tc{[]string{"LANGUAGE=it:de", "LANG=en_US.UTF-8"}, "de"}, tc{[]string{"LANG=C.UTF-8"}, "de"},
		tc{[]string{"LANG=de_DE.UTF-8"}, "en"}, tc{[]string{"LANGUAGE=de", "LANG=en_US.UTF-8"}, "en"},
		tc{[]string{"LANGUAGE=it:de", "LANG=en_US.UTF-8"}, "en"})
	for _, c := range cases {
		t.Run(strings.Join(c.env, ",")+",saved="+c.saved, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestGUILanguageProbe$")
			// TAFEL_CONFIG_DIR: this machine's /etc/xdg/tafel (a managed
			// language, a broken file) must not decide the outcome.
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TAFEL_CONFIG_DIR=" + t.TempDir(),
				langProbeEnv + "=" + c.saved + "|" + t.TempDir()}, c.env...)
			out, err := cmd.CombinedOutput()
			line := ""
			for _, l := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(l, "PROBE ") {
					line = l
				}
			}
			if err != nil || line == "" {
				t.Fatalf("%v\n%s", err, out)
			}
			var ui, be, fy string
			fmt.Sscanf(line, "PROBE ui=%s backend=%s fyne=%s", &ui, &be, &fy)
			if ui != be {
				t.Errorf("window in %s, backend messages in %s", ui, be)
			}
			if fy != ui {
				t.Errorf("window in %s, Fyne's own dialogs in %q", ui, fy)
			}
			if c.saved != "" && ui != c.saved {
				t.Errorf("window in %s", ui)
			}
		})
	}
}

// TestGUILanguageProbe is the child of TestGUILanguageMatchesBackend: it
// sets the languages up as showApp does and prints which one the window
// and the backend speak.
func TestGUILanguageProbe(t *testing.T) {
	spec, ok := os.LookupEnv(langProbeEnv)
	if !ok {
		t.Skip("runs as the child of TestGUILanguageMatchesBackend")
	}
	saved, dir, _ := strings.Cut(spec, "|")
	b, err := backend.Open(backend.Options{ConfigDir: dir, Secrets: &config.MemorySecrets{}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if saved != "" {
		if err := b.Settings().Save(backend.AppSettings{Language: saved, CheckBeforeLesson: true, CloseToTray: true}); err != nil {
			t.Fatal(err)
		}
	}
	loadFyneTranslations(guiLanguage("", b.Settings().Load().Language))
	const key = "gui.already_running"
	which := func(s string) string {
		for _, l := range translations.Languages {
			if s == translations.New(l).T(key) {
				return l
			}
		}
		return "other:" + strings.ReplaceAll(s, " ", "_")
	}
	// Fyne's own words (dialog buttons) follow too.
	fyneWord := map[string]string{"Abbrechen": "de", "Cancel": "en"}[lang.L("Cancel")]
	fmt.Printf("PROBE ui=%s backend=%s fyne=%s\n", which(lang.X(key, key)), which(b.Translator().T(key)), fyneWord)
}
