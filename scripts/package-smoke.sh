#!/bin/sh
# package-smoke.sh — build the Linux package and check what a school's IT
# gets: the layout of the tar.xz, a working `tafel version`, a valid .desktop
# file, the icon, the Makefile's install and uninstall, and nothing else in
# the archive (no config files, no secrets).
#
# PACKAGE_MODE defaults to dev here (shares the build cache of `make build`);
# PACKAGE_MODE=release checks the release build instead. The package is
# built into a temporary directory; dist/ is left alone.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
: "${PACKAGE_MODE:=dev}"
export PACKAGE_MODE

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tafel-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failures=0
fail() {
	printf 'package-smoke: FAIL: %s\n' "$*" >&2
	failures=$((failures + 1))
}
ok() { printf 'package-smoke: ok: %s\n' "$*" >&2; }

start=$(date +%s)
scripts/ensure-debs.sh desktop-file-utils
DIST_DIR=$tmp/dist scripts/package.sh linux

version=$(sed -n 's/^[ \t]*Version[ \t]*=[ \t]*"\([^"]*\)".*/\1/p' FyneApp.toml | head -n 1)
tarball=$tmp/dist/Tafel-$version-linux-amd64.tar.xz
[ -f "$tarball" ] || {
	echo "package-smoke: FAIL: $tarball was not built" >&2
	exit 1
}
[ -s "$tmp/dist/SHA256SUMS" ] && (cd "$tmp/dist" && sha256sum -c --quiet SHA256SUMS) &&
	ok "SHA256SUMS matches" || fail "SHA256SUMS missing or wrong"

# Exactly these files, below one top-level folder (fyne's layout). Anything
# else (a .json, a key, a log) would ship to every school.
tar -tJf "$tarball" | grep -v '/$' | sed 's,^\./,,; s,^[^/]*/,,' | LC_ALL=C sort >"$tmp/files"
cat >"$tmp/expected" <<'EOF'
Makefile
usr/local/bin/tafel
usr/local/share/applications/schule.tafel.app.desktop
usr/local/share/pixmaps/schule.tafel.app.png
EOF
if diff -u "$tmp/expected" "$tmp/files" >"$tmp/diff"; then
	ok "archive holds exactly the binary, .desktop file, icon and Makefile"
else
	fail "unexpected archive contents (- missing, + unexpected):"
	sed 's/^/    /' "$tmp/diff" >&2
fi

mkdir "$tmp/x"
tar -xJf "$tarball" -C "$tmp/x"
pkg=$(dirname "$(find "$tmp/x" -name Makefile | head -n 1)")
bin=$pkg/usr/local/bin/tafel
desktop=$pkg/usr/local/share/applications/schule.tafel.app.desktop
icon=$pkg/usr/local/share/pixmaps/schule.tafel.app.png

# The binary runs (CLI path: no display needed) in a scratch HOME.
mkdir -p "$tmp/home"
if [ -x "$bin" ]; then
	out=$(HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_CACHE_HOME=$tmp/home/.cache \
		"$bin" version 2>&1) || true
	if [ "$out" = "tafel $version" ]; then
		ok "tafel version prints '$out'"
	else
		fail "tafel version printed '$out', want 'tafel $version'"
	fi
	HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_CACHE_HOME=$tmp/home/.cache \
		"$bin" data --help >/dev/null 2>&1 && ok "tafel data --help runs" || fail "tafel data --help failed"
else
	fail "usr/local/bin/tafel missing or not executable"
fi

if [ -f "$desktop" ]; then
	if command -v desktop-file-validate >/dev/null 2>&1; then
		# Hints (e.g. two main categories) are not errors; warnings and errors are.
		if desktop-file-validate "$desktop" >"$tmp/dfv" 2>&1 && ! grep -qE ': (error|warning):' "$tmp/dfv"; then
			ok "desktop-file-validate accepts the .desktop file"
		else
			fail "desktop-file-validate: $(cat "$tmp/dfv")"
		fi
	fi
	for key in Type=Application Name=Tafel Exec=tafel Icon=schule.tafel.app Categories=; do
		grep -q "^$key" "$desktop" || fail ".desktop file lacks $key"
	done
else
	fail ".desktop file missing"
fi

# A PNG starts with \211PNG.
if [ "$(head -c 4 "$icon" 2>/dev/null | od -An -c | tr -d ' ')" = '211PNG' ]; then
	ok "icon is a PNG"
else
	fail "icon missing or not a PNG"
fi

# The Makefile installs and uninstalls (DESTDIR, so no root needed).
dest=$tmp/dest
if make -s -C "$pkg" install DESTDIR="$dest" PREFIX=/usr/local >/dev/null 2>"$tmp/make.err" &&
	[ -x "$dest/usr/local/bin/tafel" ] &&
	[ -f "$dest/usr/local/share/applications/schule.tafel.app.desktop" ] &&
	[ -f "$dest/usr/local/share/pixmaps/schule.tafel.app.png" ]; then
	make -s -C "$pkg" uninstall DESTDIR="$dest" PREFIX=/usr/local >/dev/null 2>&1 || true
	if [ -z "$(find "$dest" -type f)" ]; then
		ok "make install / uninstall (DESTDIR)"
	else
		fail "make uninstall left files: $(find "$dest" -type f)"
	fi
else
	fail "make install failed: $(cat "$tmp/make.err")"
fi

# user-install: the current user only, the menu entry with the full path
# (~/.local/bin is often not on a session's PATH).
uhome=$tmp/uhome
mkdir -p "$uhome"
if make -s -C "$pkg" user-install HOME="$uhome" >/dev/null 2>"$tmp/make.err" &&
	[ -x "$uhome/.local/bin/tafel" ] &&
	grep -qx "Exec=$uhome/.local/bin/tafel" "$uhome/.local/share/applications/schule.tafel.app.desktop" &&
	[ -f "$uhome/.local/share/icons/schule.tafel.app.png" ]; then
	make -s -C "$pkg" user-uninstall HOME="$uhome" >/dev/null 2>&1 || true
	if [ -z "$(find "$uhome" -type f)" ]; then
		ok "make user-install / user-uninstall"
	else
		fail "make user-uninstall left files: $(find "$uhome" -type f)"
	fi
else
	fail "make user-install failed or wrote no full Exec path: $(cat "$tmp/make.err")"
fi

# docs/admin.md as IT reads it: its autostart entry is a valid .desktop
# file, and its example admin files load without a single warning.
guide=$root/docs/admin.md
if [ -f "$guide" ] && command -v python3 >/dev/null 2>&1 && [ -x "$bin" ]; then
	mkdir -p "$tmp/guide"
	python3 - "$guide" "$tmp/guide" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"```ini\n(\[Desktop Entry\].*?)```", text, re.S)
if m:
    open(sys.argv[2] + "/schule.tafel.app.desktop", "w").write(m.group(1))
for name, body in re.findall(r"Example `(\w+\.json)`.*?```json\n(.*?)```", text, re.S):
    open(sys.argv[2] + "/" + name, "w").write(body)
PY
	if [ -f "$tmp/guide/schule.tafel.app.desktop" ] && command -v desktop-file-validate >/dev/null 2>&1; then
		if desktop-file-validate "$tmp/guide/schule.tafel.app.desktop" >"$tmp/dfv" 2>&1 && ! grep -qE ': (error|warning):' "$tmp/dfv"; then
			ok "the guide's autostart entry is a valid .desktop file"
		else
			fail "the guide's autostart entry: $(cat "$tmp/dfv")"
		fi
	fi
	if [ -f "$tmp/guide/managed.json" ] && [ -f "$tmp/guide/recommended.json" ]; then
		if HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_CACHE_HOME=$tmp/home/.cache \
			"$bin" --lang en --config-dir "$tmp/guide" config show >"$tmp/show" 2>&1; then
			ok "the guide's example managed.json and recommended.json load without warnings"
		else
			fail "the guide's example admin files: $(cat "$tmp/show")"
		fi
	else
		fail "docs/admin.md has no example managed.json/recommended.json"
	fi
fi

echo "package-smoke: $(($(date +%s) - start))s, $(du -h "$tarball" | cut -f1) package ($PACKAGE_MODE)" >&2
if [ "$failures" -gt 0 ]; then
	echo "package-smoke: $failures check(s) failed" >&2
	exit 1
fi
echo "package-smoke: all checks passed" >&2
