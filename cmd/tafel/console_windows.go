//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// The packaged tafel.exe is linked as a GUI program (-H=windowsgui), so
// Windows gives it no console: `tafel report` typed into cmd.exe or
// PowerShell would print nothing. x/sys/windows has no AttachConsole.
var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// attachParentProcess is ATTACH_PARENT_PROCESS ((DWORD)-1).
const attachParentProcess = ^uint32(0)

// attachParentConsole, for the CLI only, attaches to the console of the
// shell that started Tafel and points the standard streams that have no
// usable handle at it. Redirected streams (`tafel report > r.txt`, pipes)
// stay as they are. Without a parent console (Explorer, a shortcut,
// autostart) nothing changes. Call it first thing in main, before anything
// reads os.Stdout, os.Stderr or os.Stdin.
func attachParentConsole() {
	if !startedAsCLI(os.Args[1:]) {
		return
	}
	in := usableStdHandle(windows.STD_INPUT_HANDLE)
	out := usableStdHandle(windows.STD_OUTPUT_HANDLE)
	errOut := usableStdHandle(windows.STD_ERROR_HANDLE)
	if in && out && errOut {
		return // a console program's start, or everything redirected
	}
	if r, _, _ := procAttachConsole.Call(uintptr(attachParentProcess)); r == 0 {
		return // no parent console
	}
	if !out {
		if f := openConsole("CONOUT$", windows.STD_OUTPUT_HANDLE, "/dev/stdout"); f != nil {
			os.Stdout = f
		}
	}
	if !errOut {
		if f := openConsole("CONOUT$", windows.STD_ERROR_HANDLE, "/dev/stderr"); f != nil {
			os.Stderr = f
		}
	}
	if !in {
		if f := openConsole("CONIN$", windows.STD_INPUT_HANDLE, "/dev/stdin"); f != nil {
			os.Stdin = f
		}
	}
}

// startedAsCLI is run's own decision: no arguments (after --lang) or a GUI
// flag first means the desktop app, which needs no console.
func startedAsCLI(args []string) bool {
	rest, _, _ := extractLang(args)
	return len(rest) > 0 && !isGUIFlag(rest[0])
}

// usableStdHandle reports whether the standard handle refers to something
// (console, file, pipe); a GUI program started from a shell has none.
func usableStdHandle(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	if err != nil || h == 0 || h == windows.InvalidHandle {
		return false
	}
	t, err := windows.GetFileType(h)
	return err == nil && t != windows.FILE_TYPE_UNKNOWN
}

// openConsole opens the attached console's input or output buffer and
// makes it the process's standard handle too (for child processes).
func openConsole(name string, std uint32, label string) *os.File {
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil
	}
	// Read and write access both: console mode calls need them.
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		return nil
	}
	_ = windows.SetStdHandle(std, h)
	return os.NewFile(uintptr(h), label)
}
