package cookieseal

// The diagnostic function crosses into C as a cgo.Handle in the callback's
// context; C calls back into Go through the exported trampoline below. (A
// file with //export may only declare C functions, so this one stands alone.)

// #include <stddef.h>
import "C"

import (
	"log"
	"runtime/cgo"
	"unsafe"
)

//export cookiesealGoDiagnostic
func cookiesealGoDiagnostic(context unsafe.Pointer, message *C.char, length C.size_t) {
	say, ok := cgo.Handle(uintptr(context)).Value().(func(string))
	if !ok {
		return
	}
	defer func() { _ = recover() }() // a logger must not turn a failure into a crash in C
	say(C.GoStringN(message, C.int(length)))
}

// diagnosticFor is the function the library calls: o.Diagnostic, or the
// standard logger.
func diagnosticFor(o *Options) func(string) {
	if o.Diagnostic != nil {
		return o.Diagnostic
	}
	return func(m string) { log.Printf("cookieseal: %s", m) }
}
