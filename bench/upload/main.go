// Command upload is the inline-upload benchmark of `make bench`:
//
// It uploads a 30 MB PDF inline (base64 in the insertDocument XML body) to the
// BBB simulator running as its own process (`tafel sim`, inline body limit
// raised for this run) and compares, side by side in one run:
//
//   - Tafel's bbbclient (streamed: io.Pipe + base64 encoder), in a fresh
//     process per run: peak RSS growth during the upload (VmHWM after minus
//     VmRSS before, with the peak reset right before) and wall time;
//   - curl posting the same XML body — captured byte for byte from the
//     client — already encoded on disk (`--data-binary @body.xml`).
//
// Targets (issue #2): RSS growth ≤ 16 MB; client wall ≤ 1.5 × curl wall.
// The command exits 1 when a target is missed.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
)

const (
	fileSize      = 30_000_000 // BBB's maxFileSizeUpload: "30 MB"
	rssLimitBytes = 16 << 20
	wallRatioMax  = 1.5
	meetingID     = "bench-inline-upload"
	benchSecret   = "bench-secret-not-a-real-one"
)

type clientResult struct {
	RSSBeforeKB int64   `json:"rss_before_kb"`
	PeakKB      int64   `json:"peak_kb"`
	UploadMS    float64 `json:"upload_ms"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "client" {
		if err := runClient(); err != nil {
			fmt.Fprintln(os.Stderr, "client:", err)
			os.Exit(2)
		}
		return
	}
	runs := flag.Int("runs", 5, "measured runs of each contender")
	keep := flag.Bool("keep", false, "keep the temporary directory")
	flag.Parse()
	ok, err := orchestrate(*runs, *keep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/upload:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// runClient is one measured upload in a fresh process.
func runClient() error {
	base, file := os.Getenv("BENCH_URL"), os.Getenv("BENCH_FILE")
	c, err := bbbclient.New(bbbclient.Options{BaseURL: base, Secret: os.Getenv("BENCH_SECRET")})
	if err != nil {
		return err
	}
	doc, err := bbbclient.FileDocument(file)
	if err != nil {
		return err
	}
	runtime.GC()
	debug.FreeOSMemory()
	before, err := procStatusKB("VmRSS")
	if err != nil {
		return err
	}
	if err := resetPeakRSS(); err != nil {
		return fmt.Errorf("reset peak RSS: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t0 := time.Now()
	if err := c.InsertDocument(ctx, meetingID, []bbbclient.Document{doc}, bbbclient.UploadOptions{}); err != nil {
		return err
	}
	elapsed := time.Since(t0)
	peak, err := procStatusKB("VmHWM")
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(clientResult{before, peak, float64(elapsed.Microseconds()) / 1000})
}

func orchestrate(runs int, keep bool) (bool, error) {
	dir, err := os.MkdirTemp("", "tafel-bench-upload-")
	if err != nil {
		return false, err
	}
	if keep {
		fmt.Println("keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	curl, err := exec.LookPath("curl")
	if err != nil {
		return false, errors.New("curl is needed as the reference: apt-get install curl")
	}
	self, err := os.Executable()
	if err != nil {
		return false, err
	}
	tafel := filepath.Join(dir, "tafel")
	build := exec.CommandContext(ctx, "go", "build", "-tags", "migrated_fynedo", "-o", tafel, "./cmd/tafel")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return false, fmt.Errorf("build tafel: %w", err)
	}
	pdf := filepath.Join(dir, "scan.pdf")
	if err := writeScannedPDF(pdf, fileSize, 5); err != nil {
		return false, err
	}
	fi, _ := os.Stat(pdf)

	base, stopSim, err := startSim(ctx, tafel)
	if err != nil {
		return false, err
	}
	defer stopSim()
	c, err := bbbclient.New(bbbclient.Options{BaseURL: base, Secret: benchSecret})
	if err != nil {
		return false, err
	}
	if _, err := c.Create(ctx, bbbclient.CreateParams{Name: "Benchmark", MeetingID: meetingID}); err != nil {
		return false, fmt.Errorf("create: %w", err)
	}
	body := filepath.Join(dir, "body.xml")
	if err := captureBody(ctx, pdf, body); err != nil {
		return false, fmt.Errorf("capture body: %w", err)
	}
	bi, _ := os.Stat(body)
	var q bbbclient.Params
	q.Set("meetingID", meetingID)
	signed, err := c.SignedCallURL("insertDocument", &q)
	if err != nil {
		return false, err
	}

	fmt.Printf("Inline upload benchmark: %.1f MB PDF, %.1f MB XML body, simulator in its own process, %d runs each\n",
		float64(fi.Size())/1e6, float64(bi.Size())/1e6, runs)
	var clientWall, curlWall, clientUpload []float64
	var growth, clientMaxRSS, curlMaxRSS []int64
	for i := 0; i < runs+1; i++ { // run 0 warms caches and is not counted
		order := []string{"client", "curl"}
		if i%2 == 1 {
			order = []string{"curl", "client"}
		}
		for _, who := range order {
			time.Sleep(300 * time.Millisecond) // let the simulator's conversion of the last upload settle
			switch who {
			case "client":
				cmd := exec.CommandContext(ctx, self, "client")
				cmd.Env = append(os.Environ(), "BENCH_URL="+base, "BENCH_FILE="+pdf, "BENCH_SECRET="+benchSecret)
				cmd.Stderr = os.Stderr
				t0 := time.Now()
				out, err := cmd.Output()
				wall := time.Since(t0)
				if err != nil {
					return false, fmt.Errorf("client run: %w", err)
				}
				var r clientResult
				if err := json.Unmarshal(out, &r); err != nil {
					return false, fmt.Errorf("client output %q: %w", out, err)
				}
				if i > 0 {
					clientWall = append(clientWall, ms(wall))
					clientUpload = append(clientUpload, r.UploadMS)
					growth = append(growth, (r.PeakKB-r.RSSBeforeKB)*1024)
					clientMaxRSS = append(clientMaxRSS, maxRSS(cmd.ProcessState))
				}
			case "curl":
				resp := filepath.Join(dir, "curl-response.xml")
				cmd := exec.CommandContext(ctx, curl, "-sS", "-o", resp, "-w", "%{http_code}",
					"-H", "Content-Type: application/xml", "--data-binary", "@"+body, signed.Reveal())
				t0 := time.Now()
				out, err := cmd.Output()
				wall := time.Since(t0)
				if err != nil || string(out) != "200" {
					return false, fmt.Errorf("curl run: status %q: %v", out, err)
				}
				if b, _ := os.ReadFile(resp); !bytes.Contains(b, []byte("<returncode>SUCCESS</returncode>")) {
					return false, errors.New("curl upload was not accepted by the simulator")
				}
				if i > 0 {
					curlWall = append(curlWall, ms(wall))
					curlMaxRSS = append(curlMaxRSS, maxRSS(cmd.ProcessState))
				}
			}
		}
	}
	cw, uw, rw := median(clientWall), median(clientUpload), median(curlWall)
	g := slices.Max(growth)
	ratio := cw / rw
	rssOK, wallOK := g <= rssLimitBytes, ratio <= wallRatioMax
	fmt.Println()
	fmt.Printf("%-34s %12s %12s %8s %8s\n", "", "bbbclient", "curl (ref)", "ratio", "target")
	fmt.Printf("%-34s %10.0f ms %10.0f ms %8.2f %8s %s\n", "wall time, whole process (median)", cw, rw, ratio, "≤ 1.50", verdict(wallOK))
	fmt.Printf("%-34s %10.0f ms\n", "  of which the upload call", uw)
	fmt.Printf("%-34s %9.1f MiB %12s %8s %8s %s\n", "peak RSS growth (max of runs)", float64(g)/(1<<20), "", "", "≤ 16 MiB", verdict(rssOK))
	fmt.Printf("%-34s %s\n", "  per run (MiB)", mibList(growth))
	fmt.Printf("%-34s %9.1f MiB %8.1f MiB\n", "peak RSS, whole process (max)", float64(slices.Max(clientMaxRSS))/(1<<20), float64(slices.Max(curlMaxRSS))/(1<<20))
	fmt.Printf("%-34s %s | %s\n", "  wall per run (ms) client | curl", msList(clientWall), msList(curlWall))
	return rssOK && wallOK, nil
}

// startSim runs `tafel sim` on a free loopback port and returns its API base URL.
func startSim(ctx context.Context, tafel string) (string, func(), error) {
	cmd := exec.CommandContext(ctx, tafel, "sim", "--listen", "127.0.0.1:0", "--secret", benchSecret,
		"--max-body", "64000000")
	cmd.Stderr = io.Discard
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("tafel sim printed no URL: %w", err)
	}
	go io.Copy(io.Discard, stdout)
	return strings.TrimSpace(line), stop, nil
}

// captureBody records the exact XML body bbbclient sends, for curl to replay.
func captureBody(ctx context.Context, pdf, out string) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Create(out)
		if err == nil {
			_, err = io.Copy(f, r.Body)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, "<response><returncode>SUCCESS</returncode><message>Presentation is being uploaded</message></response>")
	})}
	go srv.Serve(l)
	defer srv.Close()
	c, err := bbbclient.New(bbbclient.Options{BaseURL: "http://" + l.Addr().String() + "/bigbluebutton/api", Secret: benchSecret})
	if err != nil {
		return err
	}
	doc, err := bbbclient.FileDocument(pdf)
	if err != nil {
		return err
	}
	return c.InsertDocument(ctx, meetingID, []bbbclient.Document{doc}, bbbclient.UploadOptions{})
}

// maxRSS is the process's peak resident set from wait4's rusage, in bytes.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024 // Linux reports kilobytes
	}
	return 0
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func mibList(v []int64) string {
	var parts []string
	for _, x := range v {
		parts = append(parts, fmt.Sprintf("%.1f", float64(x)/(1<<20)))
	}
	return strings.Join(parts, " ")
}

func msList(v []float64) string {
	var parts []string
	for _, x := range v {
		parts = append(parts, fmt.Sprintf("%.0f", x))
	}
	return strings.Join(parts, " ")
}
