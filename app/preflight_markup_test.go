package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tafel-schule/tafel/checkreport"
)

// Markup snapshots of the three windows (testdata/*.xml): layout, texts and
// theme colour names, so a change in what a teacher sees shows in review.
// After an intended change, copy testdata/failed/NAME over testdata/NAME.

func TestPreflightWindowMarkup(t *testing.T) {
	u, pf, v, _ := dueStart(t, checkreport.Fail)
	close(pf.release)
	v.runWG.Wait()
	u.preflight.Resize(fyne.NewSize(620, 1000))
	test.AssertRendersToMarkup(t, "preflight_fail.xml", u.preflight.Canvas())
}

func TestSettingsWindowMarkup(t *testing.T) {
	st := &fakeSettingsStore{
		s:      AppSettings{Language: "de", TeacherName: "Frau Berger", CheckBeforeLesson: true},
		locked: map[string]bool{lockCloseToTray: true},
	}
	_, v := showSettings(t, st)
	v.win.Resize(fyne.NewSize(520, 700))
	test.AssertRendersToMarkup(t, "settings_locked.xml", v.win.Canvas())
}

func TestFirstRunMarkup(t *testing.T) {
	setup := &fakeSetup{needs: true, managed: true, managedName: "Land", managedURL: "https://bbb.land.example/bigbluebutton/"}
	u, _ := showFirstRun(t, Services{Setup: setup, Settings: &fakeSettingsStore{}})
	v := frView(t, u)
	v.win.Resize(fyne.NewSize(560, 900))
	test.AssertRendersToMarkup(t, "firstrun_managed.xml", v.win.Canvas())
}
