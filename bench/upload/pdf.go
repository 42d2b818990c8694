package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
)

// writeScannedPDF writes a valid PDF of about size bytes that looks like a
// scanned worksheet: a few pages, one of them carrying a large uncompressed
// RGB image of noise, so the bytes do not compress and every byte must travel.
func writeScannedPDF(path string, size int64, pages int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	cw := &countingWriter{w: w}
	var offsets []int64
	obj := func(body func()) {
		offsets = append(offsets, cw.n)
		fmt.Fprintf(cw, "%d 0 obj\n", len(offsets))
		body()
		fmt.Fprint(cw, "\nendobj\n")
	}
	fmt.Fprint(cw, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// Objects: 1 catalog, 2 pages, 3 image, 4.. page + content pairs.
	const width = 1000
	imgBytes := size - 4096 - int64(pages)*400
	height := imgBytes / (width * 3)
	imgLen := height * width * 3
	obj(func() { fmt.Fprint(cw, "<< /Type /Catalog /Pages 2 0 R >>") })
	obj(func() {
		fmt.Fprint(cw, "<< /Type /Pages /Kids [")
		for i := 0; i < pages; i++ {
			fmt.Fprintf(cw, " %d 0 R", 4+2*i)
		}
		fmt.Fprintf(cw, " ] /Count %d >>", pages)
	})
	obj(func() {
		fmt.Fprintf(cw, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n", width, height, imgLen)
		rng := rand.New(rand.NewPCG(1, 2))
		buf := make([]byte, 1<<16)
		for left := imgLen; left > 0; {
			n := int64(len(buf))
			if left < n {
				n = left
			}
			for i := int64(0); i < n; i += 8 {
				v := rng.Uint64()
				for j := int64(0); j < 8 && i+j < n; j++ {
					buf[i+j] = byte(v >> (8 * j))
				}
			}
			cw.Write(buf[:n])
			left -= n
		}
		fmt.Fprint(cw, "\nendstream")
	})
	for i := 0; i < pages; i++ {
		content := fmt.Sprintf("BT /F1 24 Tf 60 520 Td (Arbeitsblatt Seite %d) Tj ET\n", i+1)
		if i == 0 {
			content = "q 842 0 0 595 0 0 cm /Im1 Do Q\n" + content
		}
		obj(func() {
			fmt.Fprintf(cw, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /XObject << /Im1 3 0 R >> /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> /Contents %d 0 R >>", 5+2*i)
		})
		obj(func() { fmt.Fprintf(cw, "<< /Length %d >>\nstream\n%sendstream", len(content), content) })
	}
	xref := cw.n
	fmt.Fprintf(cw, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(cw, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(cw, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
