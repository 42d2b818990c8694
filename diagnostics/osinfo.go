package diagnostics

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

// OSInfo describes the machine.
type OSInfo struct {
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	Distro   string `json:"distro,omitempty"`
	Kernel   string `json:"kernel,omitempty"`
	Desktop  string `json:"desktop,omitempty"`
	Session  string `json:"session_type,omitempty"`
	Language string `json:"language,omitempty"`
}

// AppInfo is Tafel's version and the versions of the libraries that most
// often explain a problem.
type AppInfo struct {
	Version   string            `json:"version"`
	GoVersion string            `json:"go_version"`
	Modules   map[string]string `json:"modules,omitempty"`
}

// CollectOS reads what is cheap to read: no programs are started.
func CollectOS() OSInfo {
	o := OSInfo{OS: runtime.GOOS, Arch: runtime.GOARCH, Kernel: kernel(),
		Desktop: os.Getenv("XDG_CURRENT_DESKTOP"), Session: os.Getenv("XDG_SESSION_TYPE"), Language: os.Getenv("LANG")}
	if runtime.GOOS == "linux" {
		o.Distro = prettyName("/etc/os-release")
	}
	return o
}

// prettyName is PRETTY_NAME from an os-release file.
func prettyName(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}

// reportedModules are the libraries whose versions IT asks for.
var reportedModules = []string{"fyne.io/fyne/v2", "github.com/pion/webrtc/v4", "github.com/gen2brain/malgo",
	"github.com/zalando/go-keyring"}

func collectApp(version string) AppInfo {
	a := AppInfo{Version: version, GoVersion: runtime.Version(), Modules: map[string]string{}}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			for _, m := range reportedModules {
				if d.Path == m {
					a.Modules[m] = d.Version
				}
			}
		}
	}
	return a
}
