package backend

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/internal/filelock"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/slides"
	"github.com/tafel-schule/tafel/studentlinks"
	"github.com/tafel-schule/tafel/translations"
)

// Explain turns any error from these services into one translated
// sentence for the teacher: what happened and what to do. It follows the
// CLI's mapping (same keys), with GUI wording (backend.*) where the CLI
// text names a command. Messages never hold a secret or a URL; technical
// detail stays in err for logs.
func (l *Lessons) Explain(err error) string { return l.b.Explain(err) }

// Explain is Lessons.Explain, for errors of the other services. Every
// error shown is also logged (for the IT report's recent problems); error
// texts hold no secrets or URLs, and the log file scrubs them again.
func (b *Backend) Explain(err error) string {
	if err != nil && !errors.Is(err, context.Canceled) {
		slog.Warn("problem shown", "err", err)
	}
	return b.explain(b.tr(), err)
}

func (b *Backend) explain(tr translations.Translator, err error) string {
	if err == nil {
		return ""
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		// Open's warnings (two damaged files): one sentence each.
		var out []string
		for _, e := range j.Unwrap() {
			if m := b.explain(tr, e); m != "" && !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
		return strings.Join(out, " ")
	}
	name := ""
	var pe *PoolError
	if errors.As(err, &pe) {
		name = pe.Pool
	}
	data := map[string]any{"Name": name}

	if errors.Is(err, context.Canceled) {
		return tr.T("cli.rooms_canceled")
	}
	var be *Error
	if errors.As(err, &be) {
		switch be.Code {
		case CodeNoClassList:
			return tr.T("backend.no_class_list")
		case CodeSecretEmpty:
			return tr.T("pool.secret_empty")
		case CodeSheetWrite:
			return tr.T("backend.sheet_write")
		}
		return tr.T("backend.failed")
	}

	// Files: damaged, newer, busy.
	var ce *config.CorruptError
	switch {
	case errors.As(err, &ce) && ce.MovedTo != "":
		return tr.T("rooms.file_corrupt", map[string]any{"Path": ce.Path, "Kept": ce.MovedTo})
	case errors.As(err, &ce):
		return tr.T("rooms.file_corrupt_stuck", map[string]any{"Path": ce.Path})
	case errors.Is(err, config.ErrNewerFormat):
		return tr.T("rooms.file_newer")
	case errors.Is(err, filelock.ErrTimeout):
		return tr.T("rooms.busy")
	}

	// School IT's admin files: one sentence per file, the details are in
	// `tafel config show` and the report.
	var afe *config.AdminFileError
	if errors.As(err, &afe) {
		return tr.T("config.admin_file_problem", map[string]any{"Path": afe.Path})
	}

	// Pools and the keyring.
	var pfe *config.PoolFileError
	if errors.As(err, &pfe) {
		return tr.T("backend.pool_invalid_in_file", map[string]any{"Name": pfe.Pool})
	}
	var cfe *config.Error
	if errors.As(err, &cfe) {
		if name == "" {
			data["Name"] = cfe.Detail
		}
		switch cfe.Code {
		case config.CodeNoPool:
			return tr.T("backend.pool_none")
		case config.CodeAmbiguousPool:
			return tr.T("backend.pool_ambiguous")
		case config.CodePoolNotFound:
			data["Name"] = cfe.Detail
			return tr.T("backend.pool_not_found", data)
		case config.CodeInvalidPool:
			return tr.T("pool.invalid_" + invalidField(cfe.Detail))
		case config.CodeSecretNotFound:
			return tr.T("backend.secret_missing", data)
		case config.CodeKeyringUnavailable:
			return tr.T("pool.keyring_unavailable")
		case config.CodeKeyringLocked:
			return tr.T("pool.keyring_locked")
		case config.CodeKeyringTimeout:
			return tr.T("pool.keyring_timeout")
		case config.CodeSecretInvalid:
			return tr.T("pool.secret_invalid")
		case config.CodeNoConfigDir:
			return tr.T("rooms.no_config_dir")
		case config.CodeManaged:
			return tr.T("config.managed_gui")
		}
		return tr.T("backend.failed")
	}

	// Slides and class lists explain themselves.
	var se *slides.Error
	if errors.As(err, &se) {
		return slides.Message(tr, err)
	}
	var sle *studentlinks.Error
	if errors.As(err, &sle) {
		return studentlinks.Message(tr, err)
	}

	var re *rooms.Error
	if errors.As(err, &re) {
		d := map[string]any{"Name": re.Detail, "Presets": presetIDs(), "Keys": strings.Join(rooms.SettingKeys(), ", ")}
		switch re.Code {
		case rooms.CodeRoomNotFound:
			return tr.T("backend.room_not_found", d)
		case rooms.CodeNotRunning:
			return tr.T("backend.not_running")
		case rooms.CodeOpenFailed:
			return tr.T("backend.open_failed")
		case rooms.CodeSlideTooLarge, rooms.CodeSlideUpload:
			// Start reports these per slide with the pool's limit
			// (Warnings); here the limit is not known.
			return tr.T("start.slide_failed", d)
		}
		key := "rooms.error_" + re.Code
		if msg := tr.T(key, d); msg != key {
			return msg
		}
		return tr.T("backend.failed")
	}

	// Calls to the pool.
	var te *bbbclient.TransportError
	var ae *bbbclient.APIError
	var me *bbbclient.MalformedResponseError
	switch {
	case errors.As(err, &te) || errors.Is(err, context.DeadlineExceeded):
		return tr.T("pool.unreachable", data)
	case errors.Is(err, bbbclient.ErrChecksum):
		return tr.T("backend.checksum_rejected", data)
	case errors.Is(err, bbbclient.ErrBodyTooLarge):
		return tr.T("backend.upload_too_large", data)
	case errors.As(err, &ae):
		data["Detail"] = ae.MessageKey
		if ae.MessageKey == "" {
			data["Detail"] = ae.Call
		}
		return tr.T("pool.api_error", data)
	case errors.As(err, &me):
		return tr.T("pool.not_bbb", data)
	}
	return tr.T("backend.failed")
}

func invalidField(d string) string {
	switch d {
	case "name", "url", "checksum":
		return d
	}
	return "url"
}

func presetIDs() string {
	var out []string
	for _, p := range rooms.Presets() {
		out = append(out, p.ID)
	}
	return strings.Join(out, ", ")
}
