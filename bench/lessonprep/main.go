// Command lessonprep is the slides/student-links benchmark of `make bench`
// (issue #5), each figure printed with its reference run side by side:
//
//   - sheet35: the printable link sheet for a class of 35 (parse the class
//     list, sign 35 VIEWER links, 35 QR codes, HTML). Reference: the
//     issue's budget of 200 ms. The command exits 1 when the median misses it.
//   - pdf30: slides.Validate on a PDF at both stock limits (200 pages,
//     just under 30 MB). Reference: reading the same file once and hashing
//     it (sha256), i.e. the cost of touching every byte.
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"github.com/tafel-schule/tafel/internal/testpdf"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/slides"
	"github.com/tafel-schule/tafel/studentlinks"
)

const sheetBudget = 200 * time.Millisecond

func main() {
	runs := flag.Int("runs", 15, "measured runs per figure")
	flag.Parse()
	ok, err := run(*runs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/lessonprep:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func measure(runs int, f func() error) (time.Duration, error) {
	if err := f(); err != nil { // warm-up
		return 0, err
	}
	var ds []time.Duration
	for range runs {
		t := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(t))
	}
	return median(ds), nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

func run(runs int) (bool, error) {
	ctx := context.Background()
	client, err := bbbclient.New(bbbclient.Options{BaseURL: "https://bbb.example.org/bigbluebutton/api", Secret: "bench-secret"})
	if err != nil {
		return false, err
	}
	var list strings.Builder
	list.WriteString("Nachname;Vorname;Klasse\r\n")
	for i := range 35 {
		fmt.Fprintf(&list, "Schüler%02d;Kind;7b\r\n", i+1)
	}
	sheet := func() error {
		cl, err := studentlinks.Parse(strings.NewReader(list.String()), studentlinks.ParseOptions{})
		if err != nil {
			return err
		}
		links, err := studentlinks.BuildLinks(ctx, "tafel-bench-7b", cl.Students,
			studentlinks.ViewerSigner(client, bbbclient.JoinParams{MeetingID: "tafel-bench-7b", CreateTime: 1764237600000}))
		if err != nil {
			return err
		}
		return studentlinks.WriteSheet(io.Discard, links, studentlinks.SheetOptions{Room: "Klasse 7b – Mathematik", Class: cl.Class, Date: "27.11.2026"})
	}
	sheetMed, err := measure(runs, sheet)
	if err != nil {
		return false, err
	}

	dir, err := os.MkdirTemp("", "tafel-bench-lessonprep-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "200-Seiten.pdf")
	pdf := testpdf.Pages(200, "", 148_500)
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		return false, err
	}
	validate := func() error {
		info, err := slides.Validate(ctx, path, slides.Limits{})
		if err != nil {
			return err
		}
		if info.Pages != 200 {
			return fmt.Errorf("counted %d pages", info.Pages)
		}
		return nil
	}
	readAll := func() error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(sha256.New(), f)
		return err
	}
	valMed, err := measure(runs, validate)
	if err != nil {
		return false, err
	}
	readMed, err := measure(runs, readAll)
	if err != nil {
		return false, err
	}

	fmt.Printf("%-38s %12s   %-34s %12s   %s\n", "figure (median of runs)", "tafel", "reference", "ref", "ratio")
	fmt.Printf("%-38s %12s   %-34s %12s   %.2f\n", "sheet35: link sheet, class of 35", ms(sheetMed),
		"budget (issue #5)", ms(sheetBudget), float64(sheetMed)/float64(sheetBudget))
	fmt.Printf("%-38s %12s   %-34s %12s   %.2f\n", fmt.Sprintf("pdf30: validate %.1f MB / 200 pages", float64(len(pdf))/1e6), ms(valMed),
		"read + sha256 of the same file", ms(readMed), float64(valMed)/float64(readMed))
	ok := sheetMed <= sheetBudget
	if !ok {
		fmt.Printf("sheet35 misses its budget of %s\n", ms(sheetBudget))
	}
	return ok, nil
}
