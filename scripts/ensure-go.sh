#!/bin/sh
# ensure-go.sh — check that a Go toolchain new enough for go.mod is on PATH.
# Debian's own golang package is too old for Tafel; Go ≥ 1.21 can fetch the
# right toolchain itself (GOTOOLCHAIN) through the Go module proxy.
set -eu
if ! command -v go >/dev/null 2>&1; then
	if [ -x /usr/local/go/bin/go ]; then
		echo "Go is installed in /usr/local/go but not on PATH. Run:" >&2
		echo "    export PATH=\$PATH:/usr/local/go/bin" >&2
	else
		echo "Go is not installed. Tafel needs Go 1.26 or newer:" >&2
		echo "    see https://go.dev/doc/install (unpack to /usr/local/go, add /usr/local/go/bin to PATH)" >&2
	fi
	exit 1
fi
v=$(go env GOVERSION 2>/dev/null || echo go0)
minor=$(echo "$v" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ -z "$minor" ] || [ "$minor" -lt 21 ]; then
	echo "Your Go ($v) is too old. Tafel needs Go 1.26 or newer (Go >= 1.21 downloads it by itself)." >&2
	exit 1
fi
