package slides

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/tafel-schule/tafel/bbbclient"
)

// PrepareOptions tune the documents of a Plan.
type PrepareOptions struct {
	Limits Limits
	// Downloadable lets students download the file. Removable is always
	// true, so the teacher can take a slide deck off the whiteboard.
	Downloadable bool
	// FirstCurrent makes the first document the active presentation.
	FirstCurrent bool
}

// Batch is a set of documents whose inline XML body fits the pool's limit.
type Batch struct {
	Docs     []bbbclient.Document
	Files    []*Info
	BodySize int64 // exact bbbclient.EncodedSize(Docs)
}

// Plan is how validated files reach the pool: as inline batches (the first
// with create, the others with insertDocument), and the files that cannot
// go inline because of the pool's body limit. NeedURL is not a failure of
// the file: it explains that the pool must offer a URL-based upload (BBB
// downloads the file from a web address, bbb-api.md §4.1) for it.
type Plan struct {
	Batches  []Batch
	NeedURL  []*Error // Code CodeNeedsURLUpload
	RawTotal int64    // raw bytes of all batched files, the progress total

	offsets []int64 // raw bytes before batch i
}

// Prepare packs validated files into inline batches, in order, each under
// opts.Limits.MaxInlineBody. The documents stream from disk with their
// validated Size, so a file changed since validation fails the upload
// instead of sending something else.
func Prepare(infos []*Info, opts PrepareOptions) (*Plan, error) {
	lim := opts.Limits.withDefaults()
	p := &Plan{}
	var cur Batch
	flush := func() {
		if len(cur.Docs) > 0 {
			p.offsets = append(p.offsets, p.RawTotal)
			for _, f := range cur.Files {
				p.RawTotal += f.Size
			}
			p.Batches = append(p.Batches, cur)
			cur = Batch{}
		}
	}
	for i, info := range infos {
		if info == nil || info.open == nil {
			return nil, fmt.Errorf("slides: file %d was not validated", i+1)
		}
		doc := bbbclient.Document{
			Name:         info.UploadName,
			Size:         info.Size,
			Open:         info.open,
			Downloadable: opts.Downloadable,
			Removable:    true,
			// The first file that is really sent becomes current, even
			// when an earlier one has to wait for a URL upload.
			Current: opts.FirstCurrent && len(p.Batches) == 0 && len(cur.Docs) == 0,
		}
		alone, err := bbbclient.EncodedSize([]bbbclient.Document{doc})
		if err != nil {
			return nil, &Error{Code: CodeUnsupported, File: info.File, Kind: info.Kind, Err: err}
		}
		if alone > lim.MaxInlineBody {
			p.NeedURL = append(p.NeedURL, &Error{Code: CodeNeedsURLUpload, File: info.File, Kind: info.Kind,
				Size: alone, Limit: lim.MaxInlineBody})
			continue
		}
		try := append(append([]bbbclient.Document(nil), cur.Docs...), doc)
		n, err := bbbclient.EncodedSize(try)
		if err != nil {
			return nil, err
		}
		if n > lim.MaxInlineBody {
			flush()
			try, n = []bbbclient.Document{doc}, alone
		}
		cur.Docs, cur.BodySize = try, n
		cur.Files = append(cur.Files, info)
	}
	flush()
	return p, nil
}

// Err returns an error carrying every NeedURL explanation (errors.Is with
// ErrNeedsURLUpload), or nil; for exit codes and scripts.
func (p *Plan) Err() error {
	if len(p.NeedURL) == 0 {
		return nil
	}
	errs := make([]error, len(p.NeedURL))
	for i, e := range p.NeedURL {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// Options returns the upload options for batch i. progress (may be nil)
// gets plan-wide raw bytes: sent grows monotonically over all batches and
// total is RawTotal, so one progress bar covers create plus inserts.
func (p *Plan) Options(i int, progress func(sent, total int64)) bbbclient.UploadOptions {
	if progress == nil || i < 0 || i >= len(p.Batches) {
		return bbbclient.UploadOptions{}
	}
	base, total := p.offsets[i], p.RawTotal
	var mu sync.Mutex
	var high int64
	return bbbclient.UploadOptions{Progress: func(sent, _ int64) {
		// A redirect replays the body from 0; never let the bar go back.
		mu.Lock()
		if sent > high {
			high = sent
		}
		v := base + high
		mu.Unlock()
		progress(v, total)
	}}
}

// Inserter adds documents to a running meeting; *bbbclient.Client is one,
// and a pool implementation can wrap it.
type Inserter interface {
	InsertDocument(ctx context.Context, meetingID string, docs []bbbclient.Document, opts bbbclient.UploadOptions) error
}

// InsertAll uploads batches from index from on with insertDocument, in
// order: from=0 when the meeting already runs, from=1 after a create that
// carried Batches[0]. It stops at the first failure.
func (p *Plan) InsertAll(ctx context.Context, in Inserter, meetingID string, from int, progress func(sent, total int64)) error {
	for i := max(from, 0); i < len(p.Batches); i++ {
		if err := in.InsertDocument(ctx, meetingID, p.Batches[i].Docs, p.Options(i, progress)); err != nil {
			return err
		}
	}
	return nil
}

// Sends reports whether the plan's batches carry the local file at path
// (files in NeedURL are not sent).
func (p *Plan) Sends(path string) bool {
	for _, b := range p.Batches {
		for _, f := range b.Files {
			if f.Path == path {
				return true
			}
		}
	}
	return false
}
