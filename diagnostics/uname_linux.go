package diagnostics

import "golang.org/x/sys/unix"

// kernel is "Linux 6.8.0-…" from uname(2).
func kernel() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Sysname[:]) + " " + unix.ByteSliceToString(u.Release[:])
}
