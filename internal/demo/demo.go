// Package demo runs Tafel's demo pool: the BBB simulator and a TURN server
// on loopback with throwaway secrets, a demo workspace (configuration,
// sample rooms, slides and a class list in a directory of its own) and a
// sample lesson, so anyone can try the whole loop — pre-flight, start a
// lesson, open it as teacher, hand out student links — without a server.
// `tafel demo` and `make demo` use it; the GUI issue adds the window on top.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tafel-schule/tafel/assets"
	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/internal/bbbsim"
)

// Options configure Start.
type Options struct {
	// Listen is the loopback address to serve on; default "127.0.0.1:0".
	Listen string
	// Dir is the workspace directory for Launch; empty means a fresh
	// temporary directory removed by Session.Close. Start ignores it.
	Dir string
}

// Pool is a running demo pool.
type Pool struct {
	// APIURL is the BBB API base URL, e.g. http://127.0.0.1:41234/bigbluebutton/api.
	APIURL string
	// Secret is this run's random shared secret. It protects nothing real:
	// the pool lives on loopback and dies with the process.
	Secret string
	Client *bbbclient.Client
	// TURN is the pool's TURN server; the simulator's stuns hands out
	// credentials for its URLs, as a bbb-install node does for coturn.
	TURN *TURNServer

	sim       *bbbsim.Server
	srv       *http.Server
	transport *http.Transport // the Client's own, so Close can drop its connections
	closeOnce sync.Once
}

// Start runs a demo pool until Close.
func Start(opt Options) (*Pool, error) {
	if opt.Listen == "" {
		opt.Listen = "127.0.0.1:0"
	}
	secret, err := randomHex(20)
	if err != nil {
		return nil, err
	}
	// The TURN secret is a second one, as on a real node (coturn's
	// static-auth-secret is not bbb-web's securitySalt).
	turnSecret, err := randomHex(20)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opt.Listen)
	if err != nil {
		return nil, err
	}
	ts, err := StartTURN(TURNOptions{Secret: turnSecret})
	if err != nil {
		ln.Close()
		return nil, err
	}
	cfg := bbbsim.Config{Secret: secret}
	for _, u := range ts.URLs() {
		cfg.TURN = append(cfg.TURN, bbbsim.TURNServer{URL: u, Secret: turnSecret})
	}
	sim, err := bbbsim.New(cfg)
	if err != nil {
		ln.Close()
		ts.Close()
		return nil, err
	}
	p := &Pool{
		APIURL:    "http://" + ln.Addr().String() + "/bigbluebutton/api",
		Secret:    secret,
		TURN:      ts,
		sim:       sim,
		srv:       &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second},
		transport: http.DefaultTransport.(*http.Transport).Clone(),
	}
	go p.srv.Serve(ln)
	p.Client, err = bbbclient.New(bbbclient.Options{BaseURL: p.APIURL, Secret: secret, HTTPClient: &http.Client{Transport: p.transport}})
	if err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// Close stops the pool: the API, the simulator and the TURN server, and
// frees their ports. Safe to call twice.
func (p *Pool) Close() {
	p.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if p.srv.Shutdown(ctx) != nil {
			_ = p.srv.Close()
		}
		p.sim.Close()
		_ = p.TURN.Close()
		p.transport.CloseIdleConnections()
	})
}

// Student is one student's personal viewer link.
type Student struct {
	Name string
	Link bbbclient.SignedURL
}

// Lesson is a started sample lesson.
type Lesson struct {
	Room     string
	Slides   []string
	Teacher  bbbclient.SignedURL
	Students []Student
}

// SampleRoom and SampleStudents describe the demo's lesson.
const SampleRoom = "Klasse 7b – Mathematik"

var SampleStudents = []string{"Ayşe Yılmaz", "Jonas Becker", "Mia Schröder"}

// StartSampleLesson creates the sample meeting with school-safe settings and
// the sample slides, and signs the teacher's and the students' links. It is
// idempotent: a second call reuses the running meeting.
func (p *Pool) StartSampleLesson(ctx context.Context) (*Lesson, error) {
	const slides = "Willkommen.pdf"
	doc := bbbclient.Document{
		Name:      slides,
		Size:      int64(len(assets.DemoSlides)),
		Open:      func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(assets.DemoSlides)), nil },
		Removable: true,
		Current:   true,
	}
	res, err := p.Client.Create(ctx, bbbclient.CreateParams{
		Name:      SampleRoom,
		MeetingID: "tafel-demo-klasse-7b",
		Record:    false,
		// School-safe: muted on entry, students see only the teacher's
		// camera, no private chat or shared notes for students.
		MuteOnStart:             new(true),
		WebcamsOnlyForModerator: new(true),
		Lock: bbbclient.LockSettings{
			DisablePrivateChat: new(true),
			DisableNotes:       new(true),
			LockOnJoin:         new(true),
		},
		MeetingExpireWhenLastUserLeftInMinutes: new(5),
		Welcome:                                "Willkommen im Unterricht der Klasse 7b!",
		Meta:                                   map[string]string{"bbb-origin": "Tafel"},
		Documents:                              []bbbclient.Document{doc},
	})
	if err != nil {
		return nil, err
	}
	l := &Lesson{Room: SampleRoom, Slides: []string{slides}}
	l.Teacher, err = p.Client.JoinURL(bbbclient.JoinParams{
		MeetingID:  res.MeetingID,
		FullName:   "Frau Keller",
		Role:       bbbclient.RoleModerator,
		CreateTime: res.CreateTime,
		UserID:     "teacher-keller",
		UserData: map[string]string{
			"bbb_auto_join_audio":         "true",
			"bbb_listen_only_mode":        "false",
			"bbb_override_default_locale": "de",
		},
	})
	if err != nil {
		return nil, err
	}
	for i, name := range SampleStudents {
		u, err := p.Client.JoinURL(bbbclient.JoinParams{
			MeetingID:  res.MeetingID,
			FullName:   name,
			Role:       bbbclient.RoleViewer,
			CreateTime: res.CreateTime,
			UserID:     fmt.Sprintf("student-%02d", i+1),
		})
		if err != nil {
			return nil, err
		}
		l.Students = append(l.Students, Student{Name: name, Link: u})
	}
	return l, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", errors.New("demo: no randomness for a secret: " + err.Error())
	}
	return strings.ToLower(hex.EncodeToString(b)), nil
}
