package rooms

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"sort"

	"github.com/tafel-schule/tafel/config"
)

// PolicyFrom turns the preset settings of school IT's admin files into a
// Policy. A bad entry (unknown preset or setting, wrong value) is left out
// and reported as a *config.AdminFileError, like any other problem in an
// admin file: the rest still applies.
func PolicyFrom(l *config.Layered) (Policy, []error) {
	var pol Policy
	var probs []error
	for _, layer := range []config.Source{config.SourceRecommended, config.SourceManaged} {
		raw := l.Presets(layer)
		if len(raw) == 0 {
			continue
		}
		path := filepath.Join(l.AdminDir, config.RecommendedFileName)
		if layer == config.SourceManaged {
			path = filepath.Join(l.AdminDir, config.ManagedFileName)
		}
		out := map[string]Settings{}
		ids := make([]string, 0, len(raw))
		for id := range raw {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if _, ok := FindPreset(id); !ok && id != "*" {
				probs = append(probs, &config.AdminFileError{Path: path, Layer: layer, Key: config.KeyPresets + "." + short(id),
					Reason: "is not a preset (lesson, parents, staff or *)"})
				continue
			}
			keys := make([]string, 0, len(raw[id]))
			for k := range raw[id] {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var s Settings
			for _, k := range keys {
				if err := s.Set(k, settingText(raw[id][k])); err != nil {
					// Only this one setting is left out: the key says exactly
					// which, so IT does not think all protections are off.
					why := "has a value this setting does not take"
					if errors.Is(err, ErrUnknownSetting) {
						why = "is not a room setting"
					}
					probs = append(probs, &config.AdminFileError{Path: path, Layer: layer,
						Key: config.KeyPresets + "." + short(id) + "." + short(k), Reason: why})
				}
			}
			if !s.IsZero() {
				out[id] = s
			}
		}
		if layer == config.SourceManaged {
			pol.Forced = out
		} else {
			pol.Recommended = out
		}
	}
	return pol, probs
}

// settingText turns a JSON value into the text Settings.Set parses: a
// string's content, otherwise the literal (true, 5). null and objects
// become text Set refuses.
func settingText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return "\x00" // "" would unset; an empty value is an error here
		}
		return s
	}
	var v any
	if json.Unmarshal(raw, &v) == nil {
		switch v.(type) {
		case bool, float64:
			return string(raw)
		}
	}
	return "\x00"
}

func short(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
