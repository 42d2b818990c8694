package rooms

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// Export returns the rooms called names (all rooms if none) in the rooms
// file format, without the per-machine Live state. The result holds meeting
// IDs and file paths but no secrets.
func (s *Store) Export(names ...string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sel []*Room
	if len(names) == 0 {
		sel = s.rooms
	}
	for _, n := range names {
		r := s.find(n)
		if r == nil {
			return nil, &Error{Code: CodeRoomNotFound, Detail: n}
		}
		sel = append(sel, r)
	}
	return Marshal(sel, false)
}

// ImportOptions control Import.
type ImportOptions struct {
	// Replace overwrites rooms with the same name; otherwise they are skipped.
	Replace bool
	// NewMeetingIDs gives every imported room a fresh meeting ID, so links
	// made for the originals do not work for the copies.
	NewMeetingIDs bool
}

// ImportResult says what Import did, by room name.
type ImportResult struct {
	Added    []string `json:"added"`
	Replaced []string `json:"replaced"`
	Skipped  []string `json:"skipped"`
}

// ParseExport decodes an export (or a rooms file) strictly: an unknown
// format, a newer version or an invalid room is an ErrImportFormat error
// and nothing is imported.
func ParseExport(data []byte) ([]*Room, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, &Error{Code: CodeImportFormat, Detail: "json"}
	}
	if f.Format != FormatName {
		return nil, &Error{Code: CodeImportFormat, Detail: "format"}
	}
	if f.Version < 1 || f.Version > FormatVersion {
		return nil, &Error{Code: CodeImportFormat, Detail: "version"}
	}
	seen := map[string]bool{}
	var out []*Room
	for _, r := range f.Rooms {
		if r == nil {
			continue
		}
		if err := r.Validate(); err != nil {
			var re *Error
			detail := "room"
			if errors.As(err, &re) {
				detail = re.Code + ": " + r.Name
			}
			return nil, &Error{Code: CodeImportFormat, Detail: detail, Err: err}
		}
		k := strings.ToLower(strings.TrimSpace(r.Name))
		if seen[k] {
			return nil, &Error{Code: CodeImportFormat, Detail: "duplicate: " + r.Name}
		}
		seen[k] = true
		r.Live = nil
		out = append(out, r)
	}
	return out, nil
}

// Import adds the rooms of an export in one atomic write.
func (s *Store) Import(data []byte, opts ImportOptions) (ImportResult, error) {
	in, err := ParseExport(data)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Added: []string{}, Replaced: []string{}, Skipped: []string{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lockAndRefresh()
	if err != nil {
		return ImportResult{}, err
	}
	defer unlock()
	before := make([]*Room, len(s.rooms))
	for i, r := range s.rooms {
		c := r.copy()
		before[i] = &c
	}
	for _, r := range in {
		if opts.NewMeetingIDs {
			r.MeetingID = NewMeetingID()
		}
		if old := s.find(r.Name); old != nil {
			if !opts.Replace {
				res.Skipped = append(res.Skipped, r.Name)
				continue
			}
			*old = r.copy()
			res.Replaced = append(res.Replaced, r.Name)
			continue
		}
		c := r.copy()
		s.rooms = append(s.rooms, &c)
		res.Added = append(res.Added, r.Name)
	}
	if err := s.commit(func() { s.rooms = before }); err != nil {
		return ImportResult{}, err
	}
	return res, nil
}
