package app

import (
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/tafel-schule/tafel/translations"
)

// TestMain loads Tafel's translations into Fyne's lang, as cmd/tafel does,
// under an English locale, so tests assert the English texts.
func TestMain(m *testing.M) {
	// The language is chosen when translations are added; "C" makes Fyne
	// log a locale parse error.
	// TAFEL_TEST_LANG=de_DE.UTF-8 renders in German, for looking at the
	// screens (tests assert English texts and fail then).
	locale := "en_US.UTF-8"
	if l := os.Getenv("TAFEL_TEST_LANG"); l != "" {
		locale = l
	}
	os.Setenv("LANG", locale)
	os.Unsetenv("LC_ALL")
	os.Unsetenv("LC_MESSAGES")
	os.Unsetenv("LANGUAGE")
	for _, l := range translations.Languages {
		data, err := translations.FS.ReadFile(l + ".json")
		if err != nil {
			panic(err)
		}
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(l)); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
