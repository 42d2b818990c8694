# Tafel — two commands for newcomers:
#   make demo   set up and run Tafel against a built-in demo pool
#   make test   set up and run every test (gofmt, go vet, go test -race)
# Both install missing Debian packages (as root) or print the exact apt-get line.

GO       ?= go
TAGS     ?= migrated_fynedo
BIN      := bin
PKGS     := ./...

# Debian packages each command needs. gcc/libc6-dev: cgo, needed by -race.
# curl: the reference client in `make bench`. coturn: real TURN server for tests.
# nodejs (+ npm): runs a third-party BBB client library against the simulator.
# pulseaudio(-utils): a real sound server with a null sink for the audio check.
# gnome-keyring, dbus: a real Secret Service for the keyring tests.
# nftables, iproute2, util-linux (unshare): hostile networks in network namespaces.
# The GUI (Fyne 2.8, GLFW through cgo) needs the X11/GL headers, and since
# Fyne 2.8 the Wayland ones too (desktop-platform.md §15.1).
DEBS_BUILD := gcc libc6-dev ca-certificates pkg-config \
              libgl1-mesa-dev libx11-dev libxext-dev libxrender-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev libxkbcommon-dev libwayland-dev wayland-protocols
# xz-utils, desktop-file-utils: the package smoke test unpacks the Linux
# package and validates its .desktop file.
DEBS_PACKAGE_SMOKE := xz-utils desktop-file-utils
# xvfb (+ Mesa's software GL), xdotool, imagemagick: the GUI end-to-end
# tests and benchmarks run the real app on a virtual X server and take
# screenshots; x11-utils (xev): the benchmark sees the window being mapped.
# dbus: private session buses for the fake tray host.
DEBS_GUI   := xvfb libgl1-mesa-dri xdotool imagemagick x11-utils dbus
DEBS_TEST  := $(DEBS_BUILD) $(DEBS_GUI) curl coturn nodejs pulseaudio pulseaudio-utils gnome-keyring dbus \
              nftables iproute2 util-linux $(DEBS_PACKAGE_SMOKE)
DEBS_DEMO  := $(DEBS_BUILD)
DEBS_BENCH := $(DEBS_TEST)

.PHONY: all build test demo bench fuzz fmt vet deps-test deps-demo deps-bench clean help package package-smoke

all: build

help:
	@echo "make demo    run Tafel on a built-in demo pool (no server needed)"
	@echo "make test    run all checks and tests"
	@echo "make bench   run the benchmarks with their reference runs side by side"
	@echo "make fuzz    run every fuzz test for a short while (FUZZTIME=30s)"
	@echo "make package        build the Linux and Windows packages into dist/ (docs/admin.md)"
	@echo "make package-smoke  build the Linux package quickly and check its contents"

deps-test:
	@scripts/ensure-go.sh
	@scripts/ensure-debs.sh $(DEBS_TEST)
	@# Debian ships npm separately; NodeSource's nodejs includes it.
	@command -v npm >/dev/null 2>&1 || scripts/ensure-debs.sh npm

deps-demo:
	@scripts/ensure-go.sh
	@scripts/ensure-debs.sh $(DEBS_DEMO)

deps-bench:
	@scripts/ensure-go.sh
	@scripts/ensure-debs.sh $(DEBS_BENCH)

build: deps-demo
	$(GO) build -tags $(TAGS) -o $(BIN)/tafel ./cmd/tafel

demo: build
	$(BIN)/tafel demo

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting (run gofmt -w):"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet -tags $(TAGS) $(PKGS)

test: deps-test fmt vet
	$(GO) test -race -tags $(TAGS) -count=1 -timeout 20m $(PKGS)
	@# The Linux package as school IT gets it (dev mode: about 20 s warm).
	@GO="$(GO)" DEBS_BUILD="$(DEBS_BUILD)" scripts/package-smoke.sh

# Each comparison program prints its figures next to a reference run made in
# the same invocation, with the ratio.
AUDIO_TRIALS ?= 30
bench: deps-bench
	$(GO) test -run '^$$' -bench . -benchmem -tags $(TAGS) $(PKGS)
	$(GO) run -tags $(TAGS) ./bench/upload
	$(GO) run -tags $(TAGS) ./bench/netcheck
	$(GO) run -tags $(TAGS) ./bench/start
	$(GO) run -tags $(TAGS) ./bench/lessonprep
	$(GO) run -tags $(TAGS) ./bench/audio -trials $(AUDIO_TRIALS)
	$(GO) run -tags $(TAGS) ./bench/preflight
	$(GO) run -tags $(TAGS) ./bench/gui

FUZZTIME ?= 30s
fuzz:
	@scripts/fuzz-all.sh $(FUZZTIME)

# Packages for school IT (docs/admin.md): dist/Tafel-<version>-linux-amd64.tar.xz,
# dist/Tafel-<version>-windows-amd64.exe (mingw-w64 cross build) and
# dist/SHA256SUMS, in release mode. PACKAGE_MODE=dev builds faster and shares
# the build cache of `make build`; BUILD=N sets the build number.
package:
	@GO="$(GO)" DEBS_BUILD="$(DEBS_BUILD)" scripts/package.sh all

# Builds the Linux package (dev mode) into a temporary directory and checks it:
# layout, `tafel version`, .desktop file, icon, Makefile install/uninstall.
package-smoke:
	@GO="$(GO)" DEBS_BUILD="$(DEBS_BUILD)" scripts/package-smoke.sh

clean:
	rm -rf $(BIN)
