package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tafel-schule/tafel/config"
	"github.com/tafel-schule/tafel/rooms"
	"github.com/tafel-schule/tafel/translations"
)

func init() { commands["config"] = runConfig }

// tafel config show|set|unset: the layered configuration for IT helpers.
func runConfig(ctx context.Context, e env) int {
	if len(e.args) == 0 {
		return usage(e, "config.usage")
	}
	sub := e
	sub.args = e.args[1:]
	switch e.args[0] {
	case "show":
		return runConfigShow(ctx, sub)
	case "set":
		return runConfigSet(sub, false)
	case "unset":
		return runConfigSet(sub, true)
	case "help", "-h", "--help":
		fmt.Fprintln(e.stdout, e.tr.T("config.usage"))
		return exitOK
	}
	return usage(e, "config.usage")
}

type configShowJSON struct {
	AdminDir   string             `json:"admin_dir"`
	AdminFiles map[string]string  `json:"admin_files"` // name → "found", "absent", "ignored"
	UserFile   string             `json:"user_file"`
	Values     []config.Value     `json:"values"`
	Problems   []adminProblemJSON `json:"problems"`
	Precedence []config.Source    `json:"precedence"`
}

type adminProblemJSON struct {
	Path   string `json:"path"`
	Key    string `json:"key,omitempty"`
	Reason string `json:"reason"`
}

// tafel config show [--json]: every value and the layer it comes from, like
// chrome://policy, plus what is wrong in the admin files.
func runConfigShow(_ context.Context, e env) int {
	fs := newFlags(e, "tafel config show", "config.usage")
	asJSON := fs.Bool("json", false, "")
	if pos, err := parseInterleaved(fs, e.args); err != nil {
		return flagError(e, err, "config.usage")
	} else if len(pos) != 0 {
		return usage(e, "config.usage")
	}
	path, err := config.UserPath()
	if err != nil {
		fmt.Fprintln(e.stderr, e.tr.T("rooms.no_config_dir"))
		return exitUsage
	}
	l, err := config.Load(config.LoadOptions{UserPath: path, AdminDir: e.configDir})
	code := exitOK
	if err != nil {
		code = reportFileError(e, err)
		if l == nil {
			return code
		}
	}
	probs := adminProblems(l)
	out := configShowJSON{
		AdminDir: l.AdminDir, UserFile: l.UserPath, Values: inForce(l), Problems: []adminProblemJSON{},
		AdminFiles: map[string]string{},
		Precedence: []config.Source{config.SourceDefault, config.SourceRecommended, config.SourceUser, config.SourceManaged},
	}
	for _, f := range []struct {
		name   string
		loaded bool
	}{{config.RecommendedFileName, l.Recommended != nil}, {config.ManagedFileName, l.Managed != nil}} {
		switch _, err := os.Stat(filepath.Join(l.AdminDir, f.name)); {
		case f.loaded:
			out.AdminFiles[f.name] = "found"
		case errors.Is(err, os.ErrNotExist):
			out.AdminFiles[f.name] = "absent"
		default:
			out.AdminFiles[f.name] = "ignored"
		}
	}
	for _, p := range probs {
		var ae *config.AdminFileError
		if errors.As(p, &ae) {
			out.Problems = append(out.Problems, adminProblemJSON{Path: ae.Path, Key: ae.Key, Reason: ae.Reason})
		}
	}
	if len(probs) > 0 {
		code = worst(code, exitWarn)
	}
	if *asJSON {
		printJSON(e, out)
		return code
	}
	fmt.Fprintln(e.stdout, e.tr.T("config.show_admin_dir", map[string]any{"Dir": l.AdminDir,
		"Managed":     e.tr.T("config.file_" + out.AdminFiles[config.ManagedFileName]),
		"Recommended": e.tr.T("config.file_" + out.AdminFiles[config.RecommendedFileName])}))
	fmt.Fprintln(e.stdout, e.tr.T("config.show_user_file", map[string]any{"Path": l.UserPath}))
	fmt.Fprintln(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\n", e.tr.T("config.col_key"), e.tr.T("config.col_value"), e.tr.T("config.col_source"))
	for _, v := range out.Values {
		src := e.tr.T("config.source_" + string(v.Source))
		if v.Locked {
			src += " – " + e.tr.T("config.locked_note")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Key, displayValue(e.tr, v), src)
	}
	_ = tw.Flush()
	if len(probs) > 0 {
		fmt.Fprintln(e.stdout)
		reportAdminProblems(e, probs)
	}
	return code
}

// inForce is l.Values() without the preset settings the rooms policy
// refused (unknown preset or setting, bad value): those are listed under
// the problems, and showing them as values would say they apply.
func inForce(l *config.Layered) []config.Value {
	pol, _ := rooms.PolicyFrom(l)
	var out []config.Value
	for _, v := range l.Values() {
		if rest, ok := strings.CutPrefix(v.Key, config.KeyPresets+"."); ok {
			id, key, _ := strings.Cut(rest, ".")
			layer := pol.Recommended
			if v.Source == config.SourceManaged {
				layer = pol.Forced
			}
			if _, ok := layer[id].Get(key); !ok {
				continue
			}
		}
		out = append(out, v)
	}
	return out
}

// displayValue shows what an empty value means.
func displayValue(tr translations.Translator, v config.Value) string {
	if v.Value != "" {
		return v.Value
	}
	switch v.Key {
	case config.KeyLanguage:
		return tr.T("config.value_language_auto", map[string]any{"Lang": translations.FromEnvironment()})
	case config.KeyBrowser:
		return tr.T("config.value_browser_default")
	case config.KeyTeacherName:
		return tr.T("config.value_teacher_account")
	}
	return "–"
}

// tafel config set KEY VALUE / tafel config unset KEY: the teacher's own
// layer. Values school IT fixed are refused with that reason.
func runConfigSet(e env, unset bool) int {
	fs := newFlags(e, "tafel config set", "config.usage")
	pos, err := parseInterleaved(fs, e.args)
	if err != nil {
		return flagError(e, err, "config.usage")
	}
	if (unset && len(pos) != 1) || (!unset && len(pos) != 2) {
		return usage(e, "config.usage")
	}
	key, value := pos[0], ""
	if !unset {
		value = strings.TrimSpace(pos[1])
	}
	l, code := loadConfig(e)
	if l == nil {
		return code
	}
	if err := l.CheckChange(key); err != nil {
		return reportManaged(e, key)
	}
	u, inherited := l.User, l.Inherited()
	bad := func() int {
		fmt.Fprintln(e.stderr, e.tr.T("config.bad_value", map[string]any{"Key": key}))
		return exitUsage
	}
	switch key {
	case config.KeyLanguage:
		switch v := strings.ToLower(value); v {
		case "", config.LanguageAuto:
			u.Language = ""
			if !unset && inherited.Language != "" {
				// IT recommends a language: "" would inherit it.
				u.Language = config.LanguageAuto
			}
		case "de", "en":
			u.Language = v
		default:
			return bad()
		}
	case config.KeyBrowser:
		if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 }) || len(value) > 256 {
			return bad()
		}
		u.Browser = value
		if !unset && (value == "" || value == config.BrowserSystem) {
			u.Browser = ""
			if inherited.Browser != "" {
				u.Browser = config.BrowserSystem // IT recommends a browser
			}
		}
	case config.KeyTeacherName:
		if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 }) || len([]rune(value)) > 100 {
			return bad()
		}
		u.TeacherName = value
	case config.KeyCheckBeforeLesson, config.KeyCloseToTray:
		var b *bool
		if !unset {
			v, err := strconv.ParseBool(value)
			if err != nil {
				return bad()
			}
			b = &v
		}
		if key == config.KeyCheckBeforeLesson {
			u.CheckBeforeLesson = b
		} else {
			u.CloseToTray = b
		}
	case config.KeyDefaultPool:
		if !unset {
			p, ok := l.Effective().FindPool(value)
			if !ok {
				return reportPoolError(e, &config.Error{Code: config.CodePoolNotFound, Detail: value}, value)
			}
			value = p.Name
		}
		u.DefaultPool = value
	default:
		fmt.Fprintln(e.stderr, e.tr.T("config.unknown_key", map[string]any{"Key": key,
			"Keys": strings.Join([]string{config.KeyLanguage, config.KeyBrowser, config.KeyTeacherName,
				config.KeyCheckBeforeLesson, config.KeyCloseToTray, config.KeyDefaultPool}, ", ")}))
		return exitUsage
	}
	if !saveUserFile(e, l.UserPath, u) {
		return exitFail
	}
	fmt.Fprintln(e.stderr, e.tr.T("config.saved", map[string]any{"Key": key}))
	return code
}
