package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/filelock"
	"github.com/tafel-schule/tafel/internal/testenv"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/slides"
	"github.com/tafel-schule/tafel/studentlinks"
)

// Every error the services produce gets one non-empty sentence in both
// languages, without the secret or a link, even when the cause's text
// carries them.
func TestExplainCoversCodes(t *testing.T) {
	leaky := errors.New("Get \"https://bbb.example.org/bigbluebutton/api/join?checksum=abc&fullName=x\": " + testSecret)
	var errs []error
	for _, c := range []string{config.CodeNoConfigDir, config.CodePoolNotFound, config.CodePoolExists, config.CodeNoPool,
		config.CodeAmbiguousPool, config.CodeInvalidPool, config.CodeKeyringUnavailable, config.CodeKeyringLocked,
		config.CodeKeyringTimeout, config.CodeSecretNotFound, config.CodeSecretInvalid} {
		errs = append(errs, poolErr("Schul-BBB", &config.Error{Code: c, Detail: "Schul-BBB", Err: leaky}))
	}
	for _, d := range []string{"name", "url", "checksum"} {
		errs = append(errs, &config.Error{Code: config.CodeInvalidPool, Detail: d})
	}
	for _, c := range []string{rooms.CodeRoomNotFound, rooms.CodeRoomExists, rooms.CodeInvalidName, rooms.CodeInvalidRoom,
		rooms.CodeUnknownPreset, rooms.CodeUnknownSetting, rooms.CodeInvalidSetting, rooms.CodeSettingLocked,
		rooms.CodeSlideMissing, rooms.CodeSlideTooLarge, rooms.CodeSlideUpload, rooms.CodeNotRunning, rooms.CodeOpenFailed,
		rooms.CodeUnsafeJoinURL, rooms.CodeImportFormat, rooms.CodeWelcomeTooLong, "some_future_code"} {
		errs = append(errs, &rooms.Error{Code: c, Detail: "Mathe 7b", Err: leaky})
	}
	for _, c := range []slides.Code{slides.CodeEmpty, slides.CodeTooLarge, slides.CodeTooManyPages, slides.CodeEncrypted,
		slides.CodeCorrupt, slides.CodeUnsupported, slides.CodeUnreadable, slides.CodeNeedsURLUpload} {
		errs = append(errs, &slides.Error{Code: c, File: "folien.pdf", Size: 31e6, Limit: 30e6, Pages: 300, MaxPages: 200, Err: leaky})
	}
	for _, c := range []studentlinks.Code{studentlinks.CodeTooLarge, studentlinks.CodeTooMany, studentlinks.CodeEmpty,
		studentlinks.CodeNotText, studentlinks.CodeSpreadsheet, studentlinks.CodeUnreadable, studentlinks.CodeNotViewer,
		studentlinks.CodeSignFailed, studentlinks.CodeBadCSV} {
		errs = append(errs, &studentlinks.Error{Code: c, File: "9c.csv", Line: 3, Name: "Ada", Limit: 100, Err: leaky})
	}
	for _, c := range []string{CodeNoClassList, CodeSecretEmpty, CodeSheetWrite, CodeClosed} {
		errs = append(errs, &Error{Code: c, Err: leaky})
	}
	errs = append(errs,
		poolErr("Schul-BBB", &bbbclient.TransportError{Call: "create", Err: leaky}),
		poolErr("Schul-BBB", fmt.Errorf("start: %w", context.DeadlineExceeded)),
		poolErr("Schul-BBB", &bbbclient.TransportError{Call: "create", Err: context.Canceled}),
		poolErr("Schul-BBB", &bbbclient.APIError{Call: "create", MessageKey: "checksumError", Message: leaky.Error()}),
		poolErr("Schul-BBB", &bbbclient.APIError{Call: "create", MessageKey: "idNotUnique", Message: leaky.Error()}),
		poolErr("Schul-BBB", &bbbclient.APIError{Call: "insertDocument", HTTPStatus: 500}),
		poolErr("Schul-BBB", &bbbclient.MalformedResponseError{Call: "create", HTTPStatus: 404, Reason: leaky.Error()}),
		poolErr("Schul-BBB", bbbclient.ErrBodyTooLarge),
		&config.CorruptError{Path: "/home/x/.config/tafel/rooms.json", MovedTo: "/home/x/.config/tafel/rooms.json.corrupt-1", Err: leaky},
		&config.CorruptError{Path: "/home/x/.config/tafel/rooms.json", Err: leaky},
		&config.NewerFormatError{Path: "rooms.json", Version: 9},
		&config.PoolFileError{Path: "config.json", Pool: "Alt", Err: &config.Error{Code: config.CodeInvalidPool, Detail: "url"}},
		fmt.Errorf("update: %w", filelock.ErrTimeout),
		context.Canceled,
		leaky,
	)
	testenv.TempHome(t) // not this machine's admin files or check history
	for _, lang := range []string{"de", "en"} {
		b, err := Open(Options{ConfigDir: t.TempDir(), Secrets: &config.MemorySecrets{}, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, err := range errs {
			msg := b.Explain(err)
			if isKey(msg) || strings.HasPrefix(msg, "slides.") || strings.HasPrefix(msg, "studentlinks.") {
				t.Errorf("%s: %v: %q", lang, err, msg)
			}
			noLeak(t, lang+" message for "+fmt.Sprint(err), msg, "bbb.example.org", "fullName")
			seen[msg] = true
		}
		if b.Explain(nil) != "" {
			t.Error("nil error has a message")
		}
		if len(seen) < 40 {
			t.Errorf("%s: only %d different messages", lang, len(seen))
		}
		// Pool errors say which pool.
		if msg := b.Explain(poolErr("Schul-BBB", &bbbclient.TransportError{Call: "create", Err: leaky})); !strings.Contains(msg, "Schul-BBB") {
			t.Errorf("%s: %s", lang, msg)
		}
		b.Close()
	}
}
