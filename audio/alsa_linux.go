//go:build linux && cgo

package audio

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>

// ALSA prints every failed probe of its configuration ("cannot find card
// '0'", "Unknown PCM dsnoop") to stderr through its default error handler.
// Tafel reports device problems itself, in one sentence; an empty handler
// keeps that noise out of the CLI and the log. miniaudio dlopens the same
// libasound, so the handler set here is the one its calls use.
static void tafel_alsa_silent(const char *file, int line, const char *function, int err, const char *fmt, ...) {}

static void tafel_silence_alsa(void) {
	void *h = dlopen("libasound.so.2", RTLD_NOW | RTLD_GLOBAL);
	if (h == NULL) {
		return;
	}
	int (*set)(void *) = (int (*)(void *))dlsym(h, "snd_lib_error_set_handler");
	if (set != NULL) {
		set((void *)tafel_alsa_silent);
	}
	// Keep the library loaded: the handler must stay installed.
}
*/
import "C"

import "sync"

var silenceALSA = sync.OnceFunc(func() { C.tafel_silence_alsa() })
