#!/bin/sh
# package.sh [linux|windows|all] — build Tafel's packages into dist/:
#   dist/Tafel-<version>-linux-amd64.tar.xz   (fyne package -os linux)
#   dist/Tafel-<version>-windows-amd64.exe    (fyne package -os windows, mingw-w64)
#   dist/SHA256SUMS
#
# Environment:
#   BUILD=N            build number (default: number of git commits, else 1)
#   PACKAGE_MODE=dev   faster non-release build: the binary comes from a plain
#                      `go build -tags migrated_fynedo` and so shares the build
#                      cache with `make build` (release mode recompiles
#                      everything with -trimpath and fyne's C flags)
#   DIST_DIR=DIR       where the packages go (default dist/)
#   DEBS_BUILD="..."   Debian packages needed to build for Linux (the Makefile
#                      passes its list; otherwise it is read from the Makefile)
#
# fyne package writes into the directory it builds (FyneApp.toml's Build
# counter, fyne_metadata_init.go, on Windows fyne.syso, the binary). A .syso
# there would break every concurrent Linux build of cmd/tafel (`make test`),
# so the tool works on a private snapshot of the source tree, never on it.
set -eu

FYNE_TOOLS_VERSION=v1.7.4
target=${1:-all}
mode=${PACKAGE_MODE:-release}
case "$target" in linux | windows | all) ;; *)
	echo "usage: scripts/package.sh [linux|windows|all]" >&2
	exit 2
	;;
esac
case "$mode" in release | dev) ;; *)
	echo "PACKAGE_MODE must be release or dev, not '$mode'" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
GO=${GO:-go}
dist=${DIST_DIR:-$root/dist}
tools=$root/.tools/bin
fyne=$tools/fyne

note() { printf '==> %s\n' "$*" >&2; }
fail() {
	printf 'package: %s\n' "$*" >&2
	exit 1
}

# --- tools -----------------------------------------------------------------
scripts/ensure-go.sh
if [ -z "${DEBS_BUILD:-}" ]; then
	# The Makefile's list, continuation lines joined.
	DEBS_BUILD=$(awk '/^DEBS_BUILD[ \t]*:=/ {on=1; sub(/^DEBS_BUILD[ \t]*:=/, "")}
		on {line=$0; sub(/\\$/, "", line); printf "%s ", line; if ($0 !~ /\\$/) exit}' Makefile)
fi
debs="xz-utils"
case "$target" in linux | all) debs="$debs $DEBS_BUILD" ;; esac
case "$target" in windows | all) debs="$debs gcc-mingw-w64-x86-64" ;; esac
# shellcheck disable=SC2086
scripts/ensure-debs.sh $debs

if ! [ -x "$fyne" ] || ! "$fyne" version 2>/dev/null | grep -q "cli version: $FYNE_TOOLS_VERSION\$"; then
	note "installing fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION into .tools/bin"
	mkdir -p "$tools"
	GOBIN=$tools $GO install "fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION"
fi

# --- version and build number ------------------------------------------------
version=$(sed -n 's/^[ \t]*Version[ \t]*=[ \t]*"\([^"]*\)".*/\1/p' FyneApp.toml | head -n 1)
[ -n "$version" ] || fail "no Version in FyneApp.toml"
if [ -z "${BUILD:-}" ]; then
	BUILD=$(git rev-list --count HEAD 2>/dev/null || echo 1)
fi
case "$BUILD" in '' | *[!0-9]*) fail "BUILD must be a number, not '$BUILD'" ;; esac
[ "$BUILD" -ge 1 ] || BUILD=1

# --- snapshot of the source tree ---------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/tafel-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
snap=$work/src
mkdir -p "$snap"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Tracked and untracked-but-not-ignored files as they are on disk
	# (deleted ones skipped): what `go build` here would compile.
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh |
		tar -c --null -T - -f - | tar -x -C "$snap" -f -
else
	tar -c --exclude=./.git --exclude=./dist --exclude=./.tools --exclude=./bin \
		--exclude='*.test' -f - . | tar -x -C "$snap" -f -
fi
# The staged copy: fyne reads FyneApp.toml only from --src and increments
# its Build there; the original stays untouched.
cp FyneApp.toml "$snap/cmd/tafel/FyneApp.toml"
rm -f "$snap/cmd/tafel/fyne_metadata_init.go" "$snap/cmd/tafel/fyne.syso"

mkdir -p "$dist"
icon=$root/assets/icon.png
release_flag=""
[ "$mode" = release ] && release_flag="--release"
# fyne passes -ldflags= entries of GOFLAGS to `go build` (build.go,
# extractLdflagsFromGoFlags); this is how `tafel version` gets the version.
stamp="-ldflags=-X=main.version=$version"

elapsed() { echo $(($(date +%s) - $1))s; }

package_linux() {
	start=$(date +%s)
	out=$dist/Tafel-$version-linux-amd64.tar.xz
	note "Linux package ($mode, version $version, build $BUILD)"
	exe_flag=""
	if [ "$mode" = dev ]; then
		# Built here (not in the snapshot) so the build cache of `make
		# build` applies; fyne then only packs the finished binary.
		# Stripped (link flags only, the cache still applies): xz needs a
		# quarter less time.
		mkdir -p "$work/linux-bin"
		$GO build -tags migrated_fynedo -ldflags "-s -w -X main.version=$version" \
			-o "$work/linux-bin/tafel" ./cmd/tafel
		exe_flag="--exe $work/linux-bin/tafel"
	fi
	(
		cd "$snap/cmd/tafel"
		# shellcheck disable=SC2086
		GOFLAGS="${GOFLAGS:-} $stamp" "$fyne" package -os linux $release_flag $exe_flag \
			--icon "$icon" --app-version "$version" --app-build "$BUILD"
	)
	mv "$snap/cmd/tafel/Tafel.tar.xz" "$out"
	note "$(basename "$out"): $(du -h "$out" | cut -f1) in $(elapsed "$start")"
}

package_windows() {
	start=$(date +%s)
	out=$dist/Tafel-$version-windows-amd64.exe
	note "Windows package ($mode, version $version, build $BUILD)"
	(
		cd "$snap/cmd/tafel"
		# fyne builds twice when no executable exists (once plain, once with
		# the icon and version resource) and hands GOFLAGS' -ldflags only to
		# the first build. An existing file skips the first build, so the
		# one that counts gets the version stamp.
		: >tafel.exe
		# shellcheck disable=SC2086
		GOFLAGS="${GOFLAGS:-} $stamp" CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1 GOOS=windows GOARCH=amd64 \
			"$fyne" package -os windows $release_flag --exe tafel.exe \
			--icon "$icon" --app-version "$version" --app-build "$BUILD"
	)
	# Named after FyneApp.toml's Name.
	mv "$snap/cmd/tafel/Tafel.exe" "$out"
	check_windows_exe "$out" "$version.$BUILD"
	note "$(basename "$out"): $(du -h "$out" | cut -f1) in $(elapsed "$start")"
}

# check_windows_exe FILE VERSION: a 64-bit GUI program (-H=windowsgui) with
# icon, version information and manifest resources from fyne's .syso.
check_windows_exe() {
	command -v python3 >/dev/null 2>&1 || {
		note "python3 missing: $(basename "$1") not checked"
		return 0
	}
	python3 - "$1" "$2" <<'EOF'
import struct, sys
path, version = sys.argv[1], sys.argv[2]
b = open(path, "rb").read()
problems = []
pe = struct.unpack_from("<I", b, 0x3C)[0] if b[:2] == b"MZ" else 0
if b[pe:pe + 4] != b"PE\0\0":
    sys.exit("package: %s is not a Windows program" % path)
nsec, optsize = struct.unpack_from("<H", b, pe + 6)[0], struct.unpack_from("<H", b, pe + 20)[0]
opt = pe + 24
if struct.unpack_from("<H", b, opt)[0] != 0x20B:
    problems.append("not PE32+ (64-bit)")
if struct.unpack_from("<H", b, opt + 68)[0] != 2:
    problems.append("not a GUI program")
heads = [opt + optsize + 40 * i for i in range(nsec)]
names = [b[h:h + 8].rstrip(b"\0").decode() for h in heads]
if ".rsrc" in names:
    raw = struct.unpack_from("<I", b, heads[names.index(".rsrc")] + 20)[0]
    named, ids = struct.unpack_from("<HH", b, raw + 12)
    types = {struct.unpack_from("<I", b, raw + 16 + 8 * k)[0] for k in range(named, named + ids)}
    for t, what in ((3, "icon"), (14, "icon group"), (16, "version information"), (24, "manifest")):
        if t not in types:
            problems.append("no %s resource" % what)
else:
    problems.append("no resources (.rsrc)")
for s in ("ProductVersion", version, "Tafel"):
    if s.encode("utf-16-le") not in b:
        problems.append("version information lacks %r" % s)
if problems:
    sys.exit("package: %s: %s" % (path, "; ".join(problems)))
print("==> checked: PE32+ GUI program with icon, manifest and version %s" % version, file=sys.stderr)
EOF
}

case "$target" in linux | all) package_linux ;; esac
case "$target" in windows | all) package_windows ;; esac

# Checksums of every package in dist/, for the admin to verify a download.
(
	cd "$dist"
	ls Tafel-*.tar.xz Tafel-*.exe 2>/dev/null | LC_ALL=C sort | xargs -r sha256sum >SHA256SUMS
)
note "$dist/SHA256SUMS updated"
