package testenv

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// CheckSelfContainedHTML parses an HTML page Tafel writes (the IT report):
// no scripts, no remote resources, no event handlers, <html lang> set.
func CheckSelfContainedHTML(t testing.TB, page []byte, lang string) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatalf("HTML does not parse: %v", err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "link", "img", "iframe", "object", "embed", "base", "form":
				t.Errorf("HTML has a <%s> element", n.Data)
			case "html":
				got := ""
				for _, a := range n.Attr {
					if a.Key == "lang" {
						got = a.Val
					}
				}
				if got != lang {
					t.Errorf("<html lang=%q>, want %q", got, lang)
				}
			}
			for _, a := range n.Attr {
				if (a.Key == "src" || a.Key == "href") && !strings.HasPrefix(a.Val, "#") {
					t.Errorf("<%s %s>: a reference out of the page", n.Data, a.Key)
				}
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("<%s %s>: an event handler", n.Data, a.Key)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if bytes.Contains(page, []byte("url(")) || bytes.Contains(page, []byte("@import")) || bytes.Contains(page, []byte("@font-face")) {
		t.Error("the CSS loads something")
	}
}
