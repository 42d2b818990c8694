package demo

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// The demo loop end to end: the teacher's link opens the simulated client as
// moderator with the sample slides, the students' links as viewers.
func TestDemoSampleLessonLinks(t *testing.T) {
	p, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l, err := p.StartSampleLesson(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(l.Teacher.String(), "checksum=") && !strings.Contains(l.Teacher.String(), "redacted") {
		t.Fatalf("SignedURL prints its checksum: %s", l.Teacher)
	}
	page := open(t, l.Teacher.Reveal())
	for _, want := range []string{"MODERATOR", "Frau Keller", "Willkommen.pdf"} {
		if !strings.Contains(page, want) {
			t.Errorf("teacher page lacks %q:\n%s", want, page)
		}
	}
	if len(l.Students) != len(SampleStudents) {
		t.Fatalf("%d student links", len(l.Students))
	}
	for _, s := range l.Students {
		page := open(t, s.Link.Reveal())
		if !strings.Contains(page, "VIEWER") || strings.Contains(page, "MODERATOR") {
			t.Errorf("student %s page not a viewer page:\n%s", s.Name, page)
		}
	}
	running, err := p.Client.IsMeetingRunning(ctx, "tafel-demo-klasse-7b")
	if err != nil || !running {
		t.Fatalf("meeting not running after joins: %v %v", running, err)
	}
	// A second start reuses the running lesson (duplicateWarning).
	l2, err := p.StartSampleLesson(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if l2.Teacher.Reveal() != l.Teacher.Reveal() {
		t.Error("second start changed the teacher link of the running lesson")
	}
}

func open(t *testing.T, u string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar, Timeout: 10 * time.Second}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	return string(b)
}
