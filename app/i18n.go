package app

import "fyne.io/fyne/v2/lang"

// t looks up a translated text by key (translations/*.json, loaded into
// Fyne's lang by cmd/tafel). data fills {{.Placeholders}}.
func t(key string, data ...map[string]any) string {
	if len(data) == 0 {
		return lang.X(key, key)
	}
	return lang.X(key, key, data[0])
}
