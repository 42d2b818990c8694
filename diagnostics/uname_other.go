//go:build !linux

package diagnostics

// kernel is not read on other systems (no cheap call without cgo).
func kernel() string { return "" }
