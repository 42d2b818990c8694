package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/skratchdot/open-golang/open"

	"github.com/tafel-schule/tafel/internal/demo"
)

// runDemo is `tafel demo`: the desktop app on a demo pool. With --terminal
// (or without a display) it starts a sample lesson instead, prints the
// links and opens the teacher's view.
func runDemo(ctx context.Context, e env) int {
	fs := flag.NewFlagSet("tafel demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	listen := fs.String("listen", "127.0.0.1:0", "loopback address for the demo pool")
	noBrowser := fs.Bool("no-browser", false, "do not open the teacher's view in a browser")
	once := fs.Bool("once", false, "terminal mode: print the links and exit instead of running until Ctrl+C")
	terminal := fs.Bool("terminal", false, "no window: start a sample lesson and print its links")
	browser := fs.String("browser", "", "open join links with this program instead of the default browser")
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if !*terminal && !*once {
		if hasDisplay() {
			return runDemoGUI(ctx, e, *listen, *browser)
		}
		fmt.Fprintln(e.stderr, e.tr.T("demo.no_display"))
	}
	pool, err := demo.Start(demo.Options{Listen: *listen})
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("demo.failed", map[string]any{"Error": err}))
		return exitFail
	}
	defer pool.Close()
	startCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	lesson, err := pool.StartSampleLesson(startCtx)
	cancel()
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("demo.failed", map[string]any{"Error": err}))
		return exitFail
	}
	w := e.stdout
	fmt.Fprintln(w, e.tr.T("demo.pool_running", map[string]any{"URL": pool.APIURL}))
	fmt.Fprintln(w, e.tr.T("demo.secret", map[string]any{"Secret": pool.Secret}))
	fmt.Fprintln(w, e.tr.T("demo.turn_running", map[string]any{"URLs": strings.Join(pool.TURN.URLs(), " ")}))
	fmt.Fprintln(w)
	fmt.Fprintln(w, e.tr.T("demo.lesson_started", map[string]any{"Room": lesson.Room, "Slides": strings.Join(lesson.Slides, ", ")}))
	fmt.Fprintln(w)
	// The links are printed on purpose: showing them is the demo's job, and
	// they belong to a throwaway pool on loopback.
	fmt.Fprintln(w, e.tr.T("demo.teacher_link"))
	fmt.Fprintln(w, "  "+lesson.Teacher.Reveal())
	fmt.Fprintln(w)
	fmt.Fprintln(w, e.tr.T("demo.student_links"))
	for _, s := range lesson.Students {
		fmt.Fprintf(w, "  %s: %s\n", s.Name, s.Link.Reveal())
	}
	fmt.Fprintln(w)
	if !*noBrowser {
		if err := open.Start(lesson.Teacher.Reveal()); err != nil {
			fmt.Fprintln(e.stderr, e.tr.T("demo.browser_failed"))
		} else {
			fmt.Fprintln(e.stderr, e.tr.T("demo.browser_opened"))
		}
	}
	if *once {
		return exitOK
	}
	fmt.Fprintln(e.stderr, e.tr.T("demo.stop_hint"))
	<-ctx.Done()
	return exitOK
}
