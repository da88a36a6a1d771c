package cookieseal

// The diagnostic function crosses into C as a cgo.Handle in the callback's
// context; C calls back into Go through the exported trampoline below. (A
// file with //export may only declare C functions, so this one stands alone.)
//
// The handle holds only a weak reference to the sink (sinkRef): the Codec
// holds the sink, so a Diagnostic closure that captures its own Codec forms a
// cycle the GC can collect, and the Codec's finalizer stops its threads.

// #include <stddef.h>
import "C"

import (
	"log"
	"runtime/cgo"
	"unsafe"
)

// diagnosticSink is what a Codec's diagnostics go to.
type diagnosticSink struct{ say func(string) }

//export cookiesealGoDiagnostic
func cookiesealGoDiagnostic(context unsafe.Pointer, message *C.char, length C.size_t) {
	// First, before anything can panic: a handle already deleted, or a logger
	// that panics, must never turn a diagnostic into a crash in C.
	defer func() { _ = recover() }()
	ref, ok := cgo.Handle(uintptr(context)).Value().(sinkRef)
	if !ok {
		return
	}
	if sink := ref.get(); sink != nil {
		sink.say(C.GoStringN(message, C.int(length)))
	}
}

// sinkFor is the sink of o: o.Diagnostic, or the standard logger.
func sinkFor(o *Options) *diagnosticSink {
	if o.Diagnostic != nil {
		return &diagnosticSink{say: o.Diagnostic}
	}
	return &diagnosticSink{say: func(m string) { log.Printf("cookieseal: %s", m) }}
}
