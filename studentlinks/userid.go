package studentlinks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// NormalizeName is the comparison form of a name: NFC (a macOS export
// writes "ü" as u + combining diaeresis), case-folded, whitespace
// collapsed. Two names with the same form are the same student.
func NormalizeName(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(name)), " "))
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// UserID derives a student's BBB userID from the room's meeting ID and the
// (normalised, duplicate-suffixed) name: HMAC-SHA256 keyed by the meeting
// ID. Re-exporting the same list gives the same IDs; rotating the meeting
// ID gives new ones; the ID reveals neither the name nor the meeting ID.
func UserID(meetingID, name string) string {
	m := hmac.New(sha256.New, []byte("tafel/studentlinks/v1\x00"+meetingID))
	m.Write([]byte(NormalizeName(name)))
	return "s-" + strings.ToLower(idEncoding.EncodeToString(m.Sum(nil)[:15]))
}

// disambiguate renames the second, third … occurrence of a name to
// "Name (2)", "Name (3)", skipping suffixes another student already has,
// so every student gets a distinct name, link and userID.
func disambiguate(students []Student) []Duplicate {
	taken := make(map[string]bool, len(students))
	groups := map[string][]int{}
	var order []string
	for i, s := range students {
		k := NormalizeName(s.Name)
		taken[k] = true
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	var dups []Duplicate
	for _, k := range order {
		idx := groups[k]
		if len(idx) < 2 {
			continue
		}
		d := Duplicate{Name: students[idx[0]].Name}
		d.Lines = append(d.Lines, students[idx[0]].Line)
		n := 1
		for _, i := range idx[1:] {
			var name string
			for {
				n++
				name = students[i].Name + " (" + strconv.Itoa(n) + ")"
				if !taken[NormalizeName(name)] {
					break
				}
			}
			taken[NormalizeName(name)] = true
			students[i].Name = name
			d.Lines = append(d.Lines, students[i].Line)
			d.Renamed = append(d.Renamed, name)
		}
		dups = append(dups, d)
	}
	return dups
}
