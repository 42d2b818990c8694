package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
)

func TestVersionAndUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &out, &errb); code != exitOK || !strings.HasPrefix(out.String(), "tafel ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"frobnicate", "--lang", "de"}, &out, &errb); code != exitUsage {
		t.Fatalf("unknown command exit %d", code)
	}
	if !strings.Contains(errb.String(), "Den Befehl \"frobnicate\" gibt es nicht") {
		t.Fatalf("German message expected, got %q", errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"sim", "--lang=en"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "--secret") {
		t.Fatalf("sim without secret: %d %q", code, errb.String())
	}
}

// `tafel sim` prints the API base URL first on stdout and serves BBB there
// until the context ends.
func TestSimCommandServesBBB(t *testing.T) {
	for _, flavor := range []string{"bbb", "scalelite"} {
		t.Run(flavor, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			pr, pw := io.Pipe()
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, []string{"sim", "--listen", "127.0.0.1:0", "--secret", "s3cret", "--flavor", flavor,
					"--turn-url", "turn:127.0.0.1:3478?transport=udp", "--turn-secret", "ts"}, pw, io.Discard)
				pw.Close()
			}()
			line, err := bufio.NewReader(pr).ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			go io.Copy(io.Discard, pr)
			base := strings.TrimSpace(line)
			if !strings.HasSuffix(base, "/bigbluebutton/api") {
				t.Fatalf("first line %q is not the API base URL", base)
			}
			c, err := bbbclient.New(bbbclient.Options{BaseURL: base, Secret: "s3cret"})
			if err != nil {
				t.Fatal(err)
			}
			rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
			defer rcancel()
			res, err := c.Create(rctx, bbbclient.CreateParams{Name: "Klasse 5a", MeetingID: "cli-sim-test"})
			if err != nil {
				t.Fatal(err)
			}
			ice, err := c.FetchICEServers(rctx, bbbclient.JoinParams{MeetingID: res.MeetingID, FullName: "Tafel check",
				Role: bbbclient.RoleViewer, CreateTime: res.CreateTime})
			if err != nil {
				t.Fatal(err)
			}
			if len(ice.TURNServers) != 1 || ice.TURNServers[0].Username == "" {
				t.Fatalf("TURN servers: %v", ice)
			}
			cancel()
			select {
			case code := <-done:
				if code != exitOK {
					t.Fatalf("sim exit %d", code)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("sim did not stop on cancel")
			}
		})
	}
}

func TestDemoOnce(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"demo", "--once", "--no-browser", "--lang", "en"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("demo exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"Tafel demo pool is running", "role=MODERATOR", "role=VIEWER", "Willkommen.pdf"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Count(out.String(), "role=MODERATOR") != 1 {
		t.Error("more than one moderator link in the demo output")
	}
}

// Bad options get a clear, translated message and the usage exit code.
func TestSimBadOptions(t *testing.T) {
	for _, args := range [][]string{
		{"--max-body", "-5"},
		{"--algorithms", "sha3"},
		{"--flavor", "x"},
		{"--turn-url", "turn:127.0.0.1:3478"},
	} {
		var errb bytes.Buffer
		full := append([]string{"sim", "--lang", "de", "--secret", "s", "--listen", "127.0.0.1:0"}, args...)
		if code := run(context.Background(), full, io.Discard, &errb); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
		if msg := errb.String(); msg == "" || strings.Contains(msg, "sim.") {
			t.Errorf("%v: message %q is missing or untranslated", args, msg)
		}
	}
}

// Secrets given through the environment never appear in usage texts: Go's
// flag package prints flag defaults on -h and on every parse error.
func TestEnvSecretsNotInUsage(t *testing.T) {
	secrets := map[string]string{
		"TAFEL_TURN_SECRET": "env-turn-secret-1", "TAFEL_TURN_CREDENTIAL": "env-turn-cred-2",
		"TAFEL_BBB_SECRET": "env-bbb-secret-3", "TAFEL_SIM_SECRET": "env-sim-secret-4",
		"TAFEL_SIM_TURN_SECRET": "env-sim-turn-5",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	for _, args := range [][]string{
		{"check", "network", "-h"}, {"check", "network", "--bogus"},
		{"sim", "-h"}, {"sim", "--bogus"},
	} {
		var out, errb bytes.Buffer
		run(context.Background(), args, &out, &errb)
		for _, v := range secrets {
			if strings.Contains(out.String()+errb.String(), v) {
				t.Errorf("%q printed the secret from the environment", args)
			}
		}
	}
}
