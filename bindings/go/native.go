package cookieseal

// #cgo pkg-config: cookieseal-c
// #include <stdint.h>
// #include <stdlib.h>
// #include <string.h>
// #include <cookieseal/cookieseal.h>
// void cookiesealGoDiagnostic(void* context, char* message, size_t length);
// static void cookieseal_go_diagnose(cookieseal_options* o, uintptr_t handle) {
//   o->diagnostic = (void (*)(void*, const char*, size_t))cookiesealGoDiagnostic;
//   o->diagnostic_context = (void*)handle;
// }
// static void cookieseal_go_wipe_free(char* p, size_t n) {
//   explicit_bzero(p, n);
//   free(p);
// }
import "C"

import (
	"encoding/json"
	"runtime"
	"runtime/cgo"
	"unsafe"
)

// withBytes passes Go bytes as pointer + length for the duration of @f: the C
// ABI never keeps a pointer past the call, and the bytes hold no Go pointers,
// so cgo's pointer rules allow it (checked in the tests with GODEBUG=cgocheck=2).
func withBytes(b []byte, f func(p *C.char, n C.size_t) C.cookieseal_status) C.cookieseal_status {
	if len(b) == 0 {
		return f(nil, 0)
	}
	defer runtime.KeepAlive(b)
	return f((*C.char)(unsafe.Pointer(&b[0])), C.size_t(len(b)))
}

func withString(s string, f func(p *C.char, n C.size_t) C.cookieseal_status) C.cookieseal_status {
	return withBytes([]byte(s), f)
}

// takeText copies a library-allocated string and frees it (cookieseal_free).
func takeText(p *C.char, n C.size_t) string {
	if p == nil {
		return ""
	}
	defer C.cookieseal_free(unsafe.Pointer(p))
	return C.GoStringN(p, C.int(n))
}

// status turns a C status into nil or an *Error comparable with errors.Is.
func status(s C.cookieseal_status) error {
	if s == C.COOKIESEAL_OK {
		return nil
	}
	return errorFor(int(s), C.GoString(C.cookieseal_status_name(s)), C.GoString(C.cookieseal_strerror(s)))
}

// textCall runs a function that returns a library-allocated string.
func textCall(f func(out **C.char, n *C.size_t) C.cookieseal_status) (string, error) {
	var out *C.char
	var n C.size_t
	if err := status(f(&out, &n)); err != nil {
		return "", err
	}
	return takeText(out, n), nil
}

// Version is the loaded libcookieseal-c's version, e.g. "0.1.0".
func Version() string { return C.GoString(C.cookieseal_version()) }

// manager owns one C manager. Every method that passes m.p to C ends with
// runtime.KeepAlive(m): otherwise the finalizer may free the handle while the
// C call still runs on it (the GC sees m dead once m.p is loaded).
type manager struct {
	p    *C.cookieseal_manager
	diag cgo.Handle // C's diagnostic context: a weak reference to the sink; deleted after the manager
}

// newManager makes the C manager. The diagnostic sink is the caller's to keep
// alive (the Codec holds it); the manager reaches it only weakly, so a
// Diagnostic closure that captures its Codec does not keep it alive forever.
func newManager(o *Options, sink *diagnosticSink) (*manager, error) {
	var co C.cookieseal_options
	C.cookieseal_options_init(&co)
	// Strings are copied into C memory here and wiped when freed (one may be
	// key text): the manager has its own copies after this call.
	type owned struct {
		p *C.char
		n C.size_t
	}
	var copies []owned
	defer func() {
		for _, c := range copies {
			C.cookieseal_go_wipe_free(c.p, c.n)
		}
	}()
	set := func(field **C.char, length *C.size_t, s string) {
		if s == "" {
			return
		}
		p := C.CString(s)
		copies = append(copies, owned{p, C.size_t(len(s))})
		*field, *length = p, C.size_t(len(s))
	}
	set(&co.keyring_path, &co.keyring_path_len, o.KeyringPath)
	set(&co.keyring_text, &co.keyring_text_len, o.KeyringText)
	set(&co.cookie_name, &co.cookie_name_len, o.Name)
	set(&co.purpose, &co.purpose_len, o.Purpose)
	set(&co.store, &co.store_len, o.Store)
	set(&co.path, &co.path_len, o.Path)
	set(&co.domain, &co.domain_len, o.Domain)
	co.max_age_seconds = C.int64_t(seconds(o.MaxAge, 7*24*3600))
	co.idle_timeout_seconds = C.int64_t(seconds(o.IdleTimeout, 24*3600))
	co.leeway_seconds = C.int64_t(seconds(o.Leeway, 60))
	co.store_revocations = boolInt(!o.NoRevocations)
	co.secure = boolInt(!o.Insecure)
	co.http_only = boolInt(!o.NoHTTPOnly)
	co.same_site = C.int(sameSite(o.SameSite))
	co.partitioned = boolInt(o.Partitioned)
	co.browser_session = boolInt(o.BrowserSession)
	if o.ReloadInterval > 0 {
		co.reload_interval_ms = C.uint32_t(o.ReloadInterval.Milliseconds())
	}
	diag := cgo.NewHandle(refTo(sink))
	C.cookieseal_go_diagnose(&co, C.uintptr_t(diag))
	var m *C.cookieseal_manager
	var why *C.char
	s := C.cookieseal_manager_new(&co, &m, &why)
	if s != C.COOKIESEAL_OK {
		diag.Delete()
		err := status(s).(*Error)
		if why != nil {
			err = &Error{Status: err.Status, Name: err.Name, Message: C.GoString(why)}
			C.cookieseal_free(unsafe.Pointer(why))
		}
		return nil, err
	}
	mg := &manager{p: m, diag: diag}
	runtime.SetFinalizer(mg, (*manager).free)
	return mg, nil
}

func (m *manager) free() {
	if m.p != nil {
		C.cookieseal_manager_free(m.p) // stops the keyring thread: no call after this
		m.p = nil
		m.diag.Delete()
	}
}

func (m *manager) revokeSubject(subject string) error {
	defer runtime.KeepAlive(m)
	return status(withString(subject, func(p *C.char, n C.size_t) C.cookieseal_status {
		return C.cookieseal_manager_revoke_subject(m.p, p, n)
	}))
}

func (m *manager) seal(full []byte) (string, error) {
	defer runtime.KeepAlive(m)
	return textCall(func(out **C.char, n *C.size_t) C.cookieseal_status {
		return withBytes(full, func(p *C.char, l C.size_t) C.cookieseal_status {
			return C.cookieseal_seal(m.p, p, l, out, n)
		})
	})
}

func (m *manager) open(cookie string) (string, error) {
	defer runtime.KeepAlive(m)
	return textCall(func(out **C.char, n *C.size_t) C.cookieseal_status {
		return withString(cookie, func(p *C.char, l C.size_t) C.cookieseal_status {
			return C.cookieseal_open(m.p, p, l, out, n)
		})
	})
}

// request is one C request handle; freed by close (and a finalizer as a net).
// Like manager's, its methods end with runtime.KeepAlive(r).
type request struct {
	p *C.cookieseal_request
	m *manager // kept reachable while the request is: its finalizer runs after ours
}

func (m *manager) newRequest(header string) (*request, error) {
	defer runtime.KeepAlive(m)
	var r *C.cookieseal_request
	err := status(withString(header, func(p *C.char, n C.size_t) C.cookieseal_status {
		return C.cookieseal_request_new(m.p, p, n, &r)
	}))
	if err != nil {
		return nil, err
	}
	rq := &request{p: r, m: m}
	runtime.SetFinalizer(rq, (*request).close)
	return rq, nil
}

func (r *request) close() {
	if r.p != nil {
		C.cookieseal_request_free(r.p)
		r.p = nil
	}
}

func (r *request) outcome() (Outcome, error) {
	defer runtime.KeepAlive(r)
	var reason C.cookieseal_status
	o := C.cookieseal_request_outcome(r.p, &reason)
	return Outcome(o), status(reason)
}

func (r *request) isNew() bool {
	defer runtime.KeepAlive(r)
	return C.cookieseal_request_is_new(r.p) != 0
}

func (r *request) sessionJSON() (string, error) {
	defer runtime.KeepAlive(r)
	return textCall(func(out **C.char, n *C.size_t) C.cookieseal_status {
		return C.cookieseal_request_session(r.p, out, n)
	})
}

func (r *request) update(body []byte) error {
	defer runtime.KeepAlive(r)
	return status(withBytes(body, func(p *C.char, n C.size_t) C.cookieseal_status {
		return C.cookieseal_request_update(r.p, p, n)
	}))
}

func (r *request) login(subject string) error {
	defer runtime.KeepAlive(r)
	return status(withString(subject, func(p *C.char, n C.size_t) C.cookieseal_status {
		return C.cookieseal_request_login(r.p, p, n)
	}))
}

func (r *request) regenerateID() error {
	defer runtime.KeepAlive(r)
	return status(C.cookieseal_request_regenerate_id(r.p))
}

func (r *request) destroy() error {
	defer runtime.KeepAlive(r)
	return status(C.cookieseal_request_destroy(r.p))
}

// save returns the header lines to add, or the request's error (undecided: 503).
func (r *request) save() ([][2]string, error) {
	defer runtime.KeepAlive(r)
	text, err := textCall(func(out **C.char, n *C.size_t) C.cookieseal_status {
		return C.cookieseal_request_save(r.p, out, n)
	})
	if err != nil {
		return nil, err
	}
	var headers [][2]string
	if err := json.Unmarshal([]byte(text), &headers); err != nil {
		return nil, err
	}
	return headers, nil
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
