// Package assets holds Tafel's icons and other embedded files as plain bytes.
// Wrapping them into fyne.Resource happens in the UI, so this package stays
// free of Fyne and usable from the CLI.
package assets

import _ "embed"

// Icon is the application icon (256×256 PNG): a chalkboard with a "T".
//
//go:embed icon.png
var Icon []byte

// DemoSlides is a three-page sample presentation for the demo pool.
//
//go:embed demo/Willkommen.pdf
var DemoSlides []byte
