package config

import (
	"errors"
	"strings"
	"testing"
)

// adminProblems parses content as managed.json and returns the problems.
func parseManaged(t *testing.T, content string) (*Admin, []*AdminFileError) {
	t.Helper()
	a, probs := ParseAdmin([]byte(content), "/etc/xdg/tafel/managed.json", SourceManaged)
	var out []*AdminFileError
	for _, p := range probs {
		var ae *AdminFileError
		if !errors.As(p, &ae) {
			t.Fatalf("not an AdminFileError: %v", p)
		}
		out = append(out, ae)
	}
	return a, out
}

// encoding/json keeps the last duplicate silently; a second "presets": {}
// would drop IT's locks without a word.
func TestAdminDuplicateKeysAreReported(t *testing.T) {
	for _, tc := range []struct {
		name, content, key string
		check              func(a *Admin) bool
	}{
		{"presets", `{"presets":{"lesson":{"record":false}},"presets":{}}`, "presets", func(a *Admin) bool { return a.Presets == nil }},
		{"language", `{"language":"de","language":"en"}`, "language", func(a *Admin) bool { return a.Language == nil }},
		{"nested", `{"pools":[{"name":"A","url":"https://a.example","url":"https://b.example"}],"language":"de"}`, "pools",
			func(a *Admin) bool { return len(a.Pools) == 0 && a.Language != nil && *a.Language == "de" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, probs := parseManaged(t, tc.content)
			if a == nil || len(probs) != 1 || probs[0].Key != tc.key || !tc.check(a) {
				t.Fatalf("admin %+v, problems %v", a, probs)
			}
		})
	}
	if a, probs := parseManaged(t, `{"version":1,"version":2}`); a != nil || len(probs) != 1 || probs[0].Key != "" {
		t.Fatalf("duplicate version: %+v %v", a, probs)
	}
}

// A shared secret in an admin file is readable by every student account:
// say so (without echoing it); other unknown pool fields are named too.
func TestAdminPoolEntryUnknownFields(t *testing.T) {
	a, probs := parseManaged(t, `{"pools":[{"name":"Schul-BBB","url":"https://bbb.example","shared_secret":"TOPSECRET-123","colour":"red"}]}`)
	if a == nil || len(a.Pools) != 1 || len(probs) != 2 {
		t.Fatalf("admin %+v, problems %v", a, probs)
	}
	all := ""
	for _, p := range probs {
		all += p.Error() + "\n"
	}
	if strings.Contains(all, "TOPSECRET") {
		t.Fatal("the secret's value is echoed in a warning")
	}
	if !strings.Contains(all, `"pools.Schul-BBB.shared_secret" a shared secret does not belong`) || !strings.Contains(all, `"pools.Schul-BBB.colour" is not a pool setting`) {
		t.Errorf("problems:\n%s", all)
	}
}

// Notepad's "ANSI" (Windows-1252) turns "Süd" into an invalid UTF-8 byte,
// which encoding/json would silently replace by U+FFFD.
func TestAdminFileNotUTF8(t *testing.T) {
	a, probs := parseManaged(t, "{\"pools\":[{\"name\":\"Schul-BBB S\xfcd\",\"url\":\"https://bbb.example\"}]}")
	if a != nil || len(probs) != 1 || probs[0].Key != "" || !strings.Contains(probs[0].Reason, "UTF-8") {
		t.Fatalf("admin %+v, problems %v", a, probs)
	}
}

// A list or a string at the top is "not a JSON object", not a Go type error.
func TestAdminFileNotAnObject(t *testing.T) {
	for _, in := range []string{`[]`, `"de"`, `null`, `5`} {
		a, probs := parseManaged(t, in)
		if a != nil || len(probs) != 1 || probs[0].Reason != "not a JSON object" {
			t.Errorf("%s: %+v %v", in, a, probs)
		}
	}
}
