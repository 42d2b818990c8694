#!/bin/sh
# ensure-debs.sh PKG... — make sure Debian packages are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command to run and fails, so `make` stops with a clear next step.
set -eu

missing=""
for pkg in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $pkg"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "Tafel needs these packages:$missing" >&2
	echo "This system has no apt-get; please install them with your package manager." >&2
	exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
	echo "Installing missing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# An empty or stale package list makes apt-get fail to find packages.
	apt-get update -qq || apt-get update
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "Some Debian packages are missing. Please run:" >&2
	echo "" >&2
	echo "    sudo apt-get install -y --no-install-recommends$missing" >&2
	echo "" >&2
	echo "and then run make again." >&2
	exit 1
fi
