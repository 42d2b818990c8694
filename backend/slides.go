package backend

import (
	"context"
	"errors"
	"fmt"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/slides"
	"github.com/tafel-schule/tafel/translations"
)

// PrepareSlide re-checks an attached slide before it goes up with a lesson
// start (GUI and `tafel start`): an unchanged file is sent as is, a
// changed one is validated again against the pool's limits. It is a
// rooms.SlidePreparer.
func PrepareSlide(ctx context.Context, s rooms.Slide, lim rooms.Limits) (bbbclient.Document, error) {
	if s.Unchanged() {
		return rooms.FileSlide(ctx, s, lim)
	}
	sl := SlideLimits(lim)
	info, err := slides.Validate(ctx, s.Path, sl)
	if err != nil {
		return bbbclient.Document{}, err
	}
	plan, err := slides.Prepare([]*slides.Info{info}, slides.PrepareOptions{Limits: sl})
	if err != nil {
		return bbbclient.Document{}, err
	}
	if len(plan.Batches) == 0 || len(plan.Batches[0].Docs) == 0 {
		if len(plan.NeedURL) > 0 {
			return bbbclient.Document{}, plan.NeedURL[0]
		}
		return bbbclient.Document{}, &rooms.Error{Code: rooms.CodeSlideMissing, Detail: s.Name}
	}
	return plan.Batches[0].Docs[0], nil
}

// SlideIssueMessage explains, translated, why a slide did not go up with
// a lesson start.
func SlideIssueMessage(tr translations.Translator, is rooms.SlideIssue, lim rooms.Limits) string {
	var se *slides.Error
	if errors.As(is.Err, &se) {
		return slides.Message(tr, is.Err)
	}
	data := map[string]any{"Name": is.Slide, "Limit": formatBytes(lim.InlineBytes)}
	switch is.Code {
	case rooms.CodeSlideTooLarge:
		return tr.T("start.slide_needs_url", data)
	case rooms.CodeSlideMissing:
		return tr.T("start.slide_missing", data)
	}
	return tr.T("start.slide_failed", data)
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%d B", n)
}

// SlideLimits are a pool's limits in the form the slides validator takes.
func SlideLimits(l rooms.Limits) slides.Limits {
	return slides.Limits{MaxFileSize: l.FileBytes, MaxPages: l.Pages, MaxInlineBody: l.InlineBytes}
}
