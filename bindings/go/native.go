package cookieseal

// #cgo pkg-config: cookieseal-c
// #include <stdint.h>
// #include <stdlib.h>
// #include <string.h>
// #include <cookieseal/cookieseal.h>
// void cookiesealGoDiagnostic(void* context, char* message, size_t length);
// static void cookieseal_go_diagnose(cookieseal_codec_options* o, uintptr_t handle) {
//   o->diagnostic = (void (*)(void*, const char*, size_t))cookiesealGoDiagnostic;
//   o->diagnostic_context = (void*)handle;
// }
// static void cookieseal_go_wipe_free(char* p, size_t n) {
//   explicit_bzero(p, n);
//   free(p);
// }
// static void cookieseal_go_wipe_library_text(char* p, size_t n) {
//   explicit_bzero(p, n);
//   cookieseal_free(p);
// }
import "C"

import (
	"bytes"
	"net/http"
	"runtime"
	"runtime/cgo"
	"sync/atomic"
	"time"
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

// withString is withBytes for a string, without copying it (C only reads it).
func withString(s string, f func(p *C.char, n C.size_t) C.cookieseal_status) C.cookieseal_status {
	if len(s) == 0 {
		return f(nil, 0)
	}
	defer runtime.KeepAlive(s)
	return f((*C.char)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s)))
}

// takeText copies a library-allocated string, then wipes and frees it (it
// may be a session's JSON, a cookie: the copy is all that is left).
func takeText(p *C.char, n C.size_t) string {
	if p == nil {
		return ""
	}
	defer C.cookieseal_go_wipe_library_text(p, n)
	return C.GoStringN(p, C.int(n))
}

// status turns a C status into nil or an *Error comparable with errors.Is.
func status(s C.cookieseal_status) error {
	if s == C.COOKIESEAL_OK {
		return nil
	}
	return errorFor(int(s), C.GoString(C.cookieseal_status_name(s)), C.GoString(C.cookieseal_strerror(s)))
}

// cResult is what a C call writes back through pointers: an output text, its
// length, a message. Whatever cgo passes a pointer to escapes to the heap, so
// one allocation holds them all rather than one per variable. Go memory
// without Go pointers (C's are not), as cgo requires.
type cResult struct {
	text *C.char
	n    C.size_t
	why  *C.char
}

// outcomeOf is the library's rule for what an error status means for a request.
func outcomeOf(status int) Outcome {
	return Outcome(C.cookieseal_outcome_of(C.cookieseal_status(status)))
}

// defaultMaxAge is the library's default absolute lifetime.
func defaultMaxAge() time.Duration {
	var co C.cookieseal_codec_options
	if C.cookieseal_codec_options_init_sized(&co, C.size_t(unsafe.Sizeof(co))) != C.COOKIESEAL_OK {
		return 0
	}
	return time.Duration(co.max_age_seconds) * time.Second
}

// Version is the loaded libcookieseal-c's version, e.g. "0.1.0".
func Version() string { return C.GoString(C.cookieseal_version()) }

// inFlight guards one native handle against a free during a call on it (the
// C ABI allows frees in any order, never a free while a call runs on the same
// handle): every call on the handle runs between enter and leave, close marks
// it closed, and the handle is freed by close when no call is running, or by
// the last call to leave. A call that enters after close gets ErrClosed. Two
// atomic operations per call, no allocation, and close never waits (a
// Diagnostic may close its codec from inside a call on it). The Node binding's
// owned_handle (bindings/node/src/handle.h) is the same scheme.
type inFlight struct {
	state atomic.Uint64 // calls in flight << 1 | closed
}

const closedBit = 1

// freer is a handle wrapper: free frees its native handle.
type freer interface{ free() }

// enter starts a call on the handle, or is ErrClosed (naming what) once it is
// closed.
func (g *inFlight) enter(what string) error {
	for {
		s := g.state.Load()
		if s&closedBit != 0 {
			return closedError(what)
		}
		if g.state.CompareAndSwap(s, s+2) {
			return nil
		}
	}
}

// leave ends a call; the last call out of a closed handle frees it.
func (g *inFlight) leave(h freer) {
	if g.state.Add(^uint64(1)) == closedBit { // minus 2
		h.free()
	}
}

// closed reports that close was called.
func (g *inFlight) closed() bool { return g.state.Load()&closedBit != 0 }

// close marks the handle closed and frees it when no call is running (else
// the last call out does). Only the first close can free.
func (g *inFlight) close(h freer) {
	if g.state.Or(closedBit) == 0 {
		h.free()
	}
}

// codec owns one C codec (keyring, watcher, store). Every method that passes
// c.p to C runs between c.g.enter and c.g.leave (its in-flight guard) and ends with
// runtime.KeepAlive(c): otherwise the finalizer may run while the C call still
// runs on the handle (the GC sees c dead once c.p is loaded).
type codec struct {
	p    *C.cookieseal_codec
	g    inFlight
	diag cgo.Handle // C's diagnostic context: a weak reference to the sink; deleted after the codec
}

// cString copies s into C memory for one call; the copies are wiped when freed
// (one may be key text).
type cStrings []struct {
	p *C.char
	n C.size_t
}

func (cs *cStrings) set(field **C.char, length *C.size_t, s string) {
	if s == "" {
		return
	}
	p := C.CString(s)
	*cs = append(*cs, struct {
		p *C.char
		n C.size_t
	}{p, C.size_t(len(s))})
	*field, *length = p, C.size_t(len(s))
}

func (cs cStrings) free() {
	for _, c := range cs {
		C.cookieseal_go_wipe_free(c.p, c.n)
	}
}

// failure is the error for status s with the library's message (freed).
func failure(s C.cookieseal_status, why *C.char) error {
	err := status(s)
	if err == nil || why == nil {
		return err
	}
	e := err.(*Error)
	defer C.cookieseal_free(unsafe.Pointer(why))
	return &Error{Status: e.Status, Name: e.Name, Message: C.GoString(why)}
}

// newCodec makes the C codec. The diagnostic sink is the caller's to keep
// alive (the Codec holds it); the codec reaches it only weakly, so a
// Diagnostic closure that captures its Codec does not keep it alive forever.
func newCodec(o *Options, sink *diagnosticSink) (*codec, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	var co C.cookieseal_codec_options
	if err := status(C.cookieseal_codec_options_init_sized(&co, C.size_t(unsafe.Sizeof(co)))); err != nil {
		return nil, err
	}
	var strs cStrings
	defer strs.free()
	strs.set(&co.keyring_path, &co.keyring_path_len, o.KeyringPath)
	strs.set(&co.keyring_text, &co.keyring_text_len, o.KeyringText)
	strs.set(&co.store, &co.store_len, o.Store)
	setSeconds(&co.max_age_seconds, o.MaxAge)
	setSeconds(&co.idle_timeout_seconds, o.IdleTimeout)
	setSeconds(&co.leeway_seconds, o.Leeway)
	if o.NoRevocations {
		co.store_revocations = 0
	}
	if o.ReloadInterval > 0 {
		co.reload_interval_ms = C.uint32_t(o.ReloadInterval.Milliseconds())
	}
	diag := cgo.NewHandle(refTo(sink))
	C.cookieseal_go_diagnose(&co, C.uintptr_t(diag))
	var p *C.cookieseal_codec
	var why *C.char
	if err := failure(C.cookieseal_codec_new(&co, &p, &why), why); err != nil {
		diag.Delete()
		return nil, err
	}
	c := &codec{p: p, diag: diag}
	runtime.SetFinalizer(c, (*codec).close)
	return c, nil
}

// setSeconds sets a C duration option: 0 keeps the library's default, Off is 0.
func setSeconds(field *C.int64_t, d time.Duration) {
	switch {
	case d == 0:
	case d < 0:
		*field = 0
	default:
		*field = C.int64_t(wholeSeconds(d))
	}
}

// wholeSeconds is a positive duration in seconds, rounded up: 500 ms is one
// second, never 0 (which would turn the bound off).
func wholeSeconds(d time.Duration) int64 { return int64((d + time.Second - 1) / time.Second) }

// close closes the codec: freed now, or by the last call running on it.
func (c *codec) close() { c.g.close(c) }

// free frees the C codec; the guard calls it once, with no call running.
func (c *codec) free() {
	C.cookieseal_codec_free(c.p) // stops the keyring thread
	c.p = nil
	c.diag.Delete()
}

func (c *codec) revokeSubject(subject string) error {
	defer runtime.KeepAlive(c)
	if err := c.g.enter("codec"); err != nil {
		return err
	}
	defer c.g.leave(c)
	var why *C.char
	return failure(withString(subject, func(p *C.char, n C.size_t) C.cookieseal_status {
		return C.cookieseal_codec_revoke_subject(c.p, p, n, &why)
	}), why)
}

// manager owns one C session manager; it keeps its codec reachable. Its
// calls run inside its in-flight guard, as codec's do.
type manager struct {
	p     *C.cookieseal_session_manager
	g     inFlight
	codec *codec
}

// closedError is ErrClosed for a handle this binding already freed.
func closedError(what string) error {
	return &Error{Status: ErrClosed.Status, Name: ErrClosed.Name, Message: "the " + what + " was closed"}
}

func (c *codec) newManager(o *Options) (*manager, error) {
	defer runtime.KeepAlive(c)
	if err := c.g.enter("codec"); err != nil {
		return nil, err
	}
	defer c.g.leave(c)
	var so C.cookieseal_session_options
	if err := status(C.cookieseal_session_options_init_sized(&so, C.size_t(unsafe.Sizeof(so)))); err != nil {
		return nil, err
	}
	var strs cStrings
	defer strs.free()
	strs.set(&so.cookie_name, &so.cookie_name_len, o.Name)
	strs.set(&so.purpose, &so.purpose_len, o.Purpose)
	strs.set(&so.path, &so.path_len, o.Path)
	strs.set(&so.domain, &so.domain_len, o.Domain)
	if o.Insecure {
		so.secure = 0
	}
	if o.NoHTTPOnly {
		so.http_only = 0
	}
	if o.SameSite != 0 && o.SameSite != http.SameSiteDefaultMode {
		so.same_site = C.int(sameSite(o.SameSite))
	}
	so.partitioned = boolInt(o.Partitioned)
	so.browser_session = boolInt(o.BrowserSession)
	var p *C.cookieseal_session_manager
	var why *C.char
	if err := failure(C.cookieseal_session_manager_new(c.p, &so, &p, &why), why); err != nil {
		return nil, err
	}
	m := &manager{p: p, codec: c}
	runtime.SetFinalizer(m, (*manager).close)
	return m, nil
}

// close closes the manager: freed now, or by the last call running on it.
func (m *manager) close() { m.g.close(m) }

func (m *manager) free() {
	C.cookieseal_session_manager_free(m.p)
	m.p = nil
}

// managerCall is a call on a manager's handle that hands back library-allocated
// text (out, n) and, on failure, the library's message (why).
type managerCall func(m *C.cookieseal_session_manager, out **C.char, n *C.size_t, why **C.char) C.cookieseal_status

// text runs call on m inside its in-flight guard: the text, or the error with
// the library's message.
func (m *manager) text(call managerCall) (string, error) {
	defer runtime.KeepAlive(m)
	if err := m.g.enter("session manager"); err != nil {
		return "", err
	}
	defer m.g.leave(m)
	res := new(cResult)
	if err := status(call(m.p, &res.text, &res.n, &res.why)); err != nil {
		return "", withMessage(err, res.why)
	}
	return takeText(res.text, res.n), withMessage(nil, res.why)
}

func (m *manager) seal(full []byte) (string, error) {
	return m.text(func(h *C.cookieseal_session_manager, out **C.char, n *C.size_t, why **C.char) C.cookieseal_status {
		return withBytes(full, func(p *C.char, l C.size_t) C.cookieseal_status {
			return C.cookieseal_seal(h, p, l, out, n, why)
		})
	})
}

func (m *manager) open(cookie string) (string, error) {
	return m.text(func(h *C.cookieseal_session_manager, out **C.char, n *C.size_t, why **C.char) C.cookieseal_status {
		return withString(cookie, func(p *C.char, l C.size_t) C.cookieseal_status {
			return C.cookieseal_open(h, p, l, out, n, why)
		})
	})
}

// openHeader reads the session a Cookie header holds with no request
// (cookieseal_session_manager_open_header_nonblocking): its outcome and
// reason, and read gets its session JSON when a cookie opened. blocked: the
// open needs the store or the keyring file, nothing was read.
func (m *manager) openHeader(header string, read func(text []byte) error) (o Outcome, reason error, blocked bool, err error) {
	defer runtime.KeepAlive(m)
	if err := m.g.enter("session manager"); err != nil {
		return Undecided, nil, false, err
	}
	defer m.g.leave(m)
	res := new(struct {
		cResult
		outcome C.cookieseal_outcome
		reason  C.cookieseal_status
	})
	st := withString(header, func(p *C.char, l C.size_t) C.cookieseal_status {
		return C.cookieseal_session_manager_open_header_nonblocking(m.p, p, l, &res.outcome, &res.reason,
			&res.text, &res.n, &res.why)
	})
	if st == C.COOKIESEAL_WOULD_BLOCK {
		return Undecided, nil, true, nil
	}
	if err := failure(st, res.why); err != nil {
		return Undecided, nil, false, err
	}
	if res.text != nil {
		if err := readText(res.text, res.n, read); err != nil {
			return Undecided, nil, false, err
		}
	}
	return Outcome(res.outcome), status(res.reason), false, nil
}

// savedResult is what a one-call save writes back: cResult and the id's room,
// in one allocation (no caller's buffer is ever written).
type savedResult struct {
	cResult
	id [C.COOKIESEAL_SESSION_ID_HEX_SIZE]byte
}

// saveInOneCall runs a one-call save on m (call gets the id's room and the
// outputs): the session's id and headers.
func (m *manager) saveInOneCall(call func(id *C.char, res *savedResult) C.cookieseal_status) (string, [][2]string, error) {
	defer runtime.KeepAlive(m)
	if err := m.g.enter("session manager"); err != nil {
		return "", nil, err
	}
	defer m.g.leave(m)
	res := new(savedResult)
	if err := failure(call((*C.char)(unsafe.Pointer(&res.id[0])), res), res.why); err != nil {
		return "", nil, err
	}
	headers, err := headersOf(res.text, res.n)
	if err != nil {
		return "", nil, err
	}
	id := res.id[:]
	if end := bytes.IndexByte(id, 0); end >= 0 {
		id = id[:end]
	}
	return string(id), headers, nil
}

// saveNew is cookieseal_session_manager_save_new: a new session (update, the
// JSON of cookieseal_seal's shape) sealed in one call; its id and headers.
func (m *manager) saveNew(update []byte) (string, [][2]string, error) {
	return m.saveInOneCall(func(id *C.char, res *savedResult) C.cookieseal_status {
		return withBytes(update, func(p *C.char, l C.size_t) C.cookieseal_status {
			return C.cookieseal_session_manager_save_new(m.p, p, l, id, &res.text, &res.n, &res.why)
		})
	})
}

// saveHeader changes the session of a Cookie header to update (the JSON of
// cookieseal_request_update's shape) and saves it in one call
// (cookieseal_session_manager_save_header): its id and headers.
func (m *manager) saveHeader(header string, update []byte) (string, [][2]string, error) {
	return m.saveInOneCall(func(id *C.char, res *savedResult) C.cookieseal_status {
		return withString(header, func(hp *C.char, hl C.size_t) C.cookieseal_status {
			return withBytes(update, func(p *C.char, l C.size_t) C.cookieseal_status {
				return C.cookieseal_session_manager_save_header(m.p, hp, hl, p, l, id, &res.text, &res.n, &res.why)
			})
		})
	})
}

// settings is the manager's effective settings as the library's JSON
// (cookieseal_session_manager_settings).
func (m *manager) settings() (string, error) {
	return m.text(func(h *C.cookieseal_session_manager, out **C.char, n *C.size_t, why **C.char) C.cookieseal_status {
		return C.cookieseal_session_manager_settings(h, out, n, why)
	})
}

// withMessage puts the library's message (freed) on err.
func withMessage(err error, why *C.char) error {
	if why == nil {
		return err
	}
	defer C.cookieseal_free(unsafe.Pointer(why))
	if e, ok := err.(*Error); ok {
		return &Error{Status: e.Status, Name: e.Name, Message: C.GoString(why)}
	}
	return err
}

// request is one C request handle; freed by close (and a finalizer as a net).
// Like manager's, its methods run inside its in-flight guard and end with
// runtime.KeepAlive(r).
type request struct {
	p *C.cookieseal_request
	g inFlight
	m *manager // kept reachable while the request is: its finalizer runs after ours
	// The runtime keeps a span's finalizers in one list that SetFinalizer
	// walks: a 24-byte request shares its span with 340 others, each with its
	// finalizer (5% of the gorilla store's seal in pprof); at 256 bytes, 31.
	_ [256 - 24]byte
}

func (m *manager) newRequest(header string) (*request, error) {
	defer runtime.KeepAlive(m)
	if err := m.g.enter("session manager"); err != nil {
		return nil, err
	}
	defer m.g.leave(m)
	res := new(struct { // what C writes back, in one allocation (as cResult)
		r   *C.cookieseal_request
		why *C.char
	})
	err := failure(withString(header, func(p *C.char, n C.size_t) C.cookieseal_status {
		return C.cookieseal_request_new(m.p, p, n, &res.r, &res.why)
	}), res.why)
	if err != nil {
		return nil, err
	}
	rq := &request{p: res.r, m: m}
	runtime.SetFinalizer(rq, (*request).close)
	return rq, nil
}

// check is the error of status s on r, with the message the call left on r
// (inside the call's enter and leave).
func (r *request) check(s C.cookieseal_status) error {
	if s == C.COOKIESEAL_OK {
		return nil
	}
	return failure(s, C.cookieseal_request_error_message(r.p))
}

// close closes the request: freed now, or by the last call running on it.
func (r *request) close() { r.g.close(r) }

// enter starts a call on r.p (ErrClosed once closed); r.g.leave ends it. Once
// its manager or codec is closed, every call on the request is ErrClosed too,
// as the C header promises (the library checks it only where it saves).
func (r *request) enter() error {
	switch {
	case r.m.g.closed():
		return closedError("session manager")
	case r.m.codec.g.closed():
		return closedError("codec")
	}
	return r.g.enter("session")
}

func (r *request) free() {
	C.cookieseal_request_free(r.p)
	r.p = nil
}

func (r *request) outcome() (Outcome, error) {
	defer runtime.KeepAlive(r)
	if err := r.enter(); err != nil {
		return Undecided, err
	}
	defer r.g.leave(r)
	var reason C.cookieseal_status
	o := C.cookieseal_request_outcome(r.p, &reason)
	return Outcome(o), status(reason)
}

func (r *request) isNew() bool {
	defer runtime.KeepAlive(r)
	if r.enter() != nil {
		return false
	}
	defer r.g.leave(r)
	return C.cookieseal_request_is_new(r.p) != 0
}

// sessionJSON hands the session JSON to read, in the library's memory (freed
// after: read must copy what it keeps).
func (r *request) sessionJSON(read func(text []byte) error) error {
	defer runtime.KeepAlive(r)
	if err := r.enter(); err != nil {
		return err
	}
	defer r.g.leave(r)
	res := new(cResult)
	if err := status(C.cookieseal_request_session_json(r.p, &res.text, &res.n)); err != nil {
		return err
	}
	return readText(res.text, res.n, read)
}

// readText hands a library-allocated string to read, then wipes and frees it
// (a session's JSON is plaintext, a cookie a credential).
func readText(p *C.char, n C.size_t, read func(text []byte) error) error {
	if p == nil {
		return read(nil)
	}
	defer C.cookieseal_go_wipe_library_text(p, n)
	return read(unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n)))
}

func (r *request) update(body []byte) error {
	defer runtime.KeepAlive(r)
	if err := r.enter(); err != nil {
		return err
	}
	defer r.g.leave(r)
	return r.check(withBytes(body, func(p *C.char, n C.size_t) C.cookieseal_status {
		return C.cookieseal_request_update(r.p, p, n)
	}))
}

func (r *request) login(subject string) error {
	defer runtime.KeepAlive(r)
	if err := r.enter(); err != nil {
		return err
	}
	defer r.g.leave(r)
	return r.check(withString(subject, func(p *C.char, n C.size_t) C.cookieseal_status {
		return C.cookieseal_request_login(r.p, p, n)
	}))
}

func (r *request) regenerateID() error {
	defer runtime.KeepAlive(r)
	if err := r.enter(); err != nil {
		return err
	}
	defer r.g.leave(r)
	return r.check(C.cookieseal_request_regenerate_id(r.p))
}

func (r *request) destroy() error {
	defer runtime.KeepAlive(r)
	if err := r.enter(); err != nil {
		return err
	}
	defer r.g.leave(r)
	return r.check(C.cookieseal_request_destroy(r.p))
}

// save returns the header lines to add, or the request's error (undecided:
// 503); with m, under m's cookie attributes.
func (r *request) save(m *manager) ([][2]string, error) {
	defer runtime.KeepAlive(r)
	defer runtime.KeepAlive(m)
	if err := r.enter(); err != nil {
		return nil, err
	}
	defer r.g.leave(r)
	var st C.cookieseal_status
	if m != nil {
		if err := m.g.enter("session manager"); err != nil {
			return nil, err
		}
		defer m.g.leave(m)
	}
	res := new(cResult)
	if m == nil {
		st = C.cookieseal_request_save(r.p, &res.text, &res.n)
	} else {
		st = C.cookieseal_request_save_with(r.p, m.p, &res.text, &res.n)
	}
	if err := r.check(st); err != nil {
		return nil, err
	}
	return headersOf(res.text, res.n)
}

// headersOf reads the library's JSON array of [name, value] pairs (freed).
func headersOf(out *C.char, n C.size_t) ([][2]string, error) {
	var headers [][2]string
	err := readText(out, n, func(text []byte) error { // the Set-Cookie is a credential
		var err error
		headers, err = readHeaders(text)
		return err
	})
	return headers, err
}

// readHeaders reads the library's JSON array of [name, value] pairs.
func readHeaders(text []byte) ([][2]string, error) {
	headers := make([][2]string, 0, 4) // a Set-Cookie, Cache-Control and Vary: one allocation
	if line, ok := sealedLine(text); ok {
		return append(headers, [2]string{"Set-Cookie", string(line)},
			[2]string{"Cache-Control", "no-store"}, [2]string{"Vary", "Cookie"}), nil
	}
	return readHeaderPairs(headers, text)
}

// readHeaderPairs is readHeaders' general parse, appending to headers.
func readHeaderPairs(headers [][2]string, text []byte) ([][2]string, error) {
	jr := &jsonReader{s: text}
	err := jr.array(func() error {
		var h [2]string
		var err error
		if err = jr.expect('['); err == nil {
			if h[0], err = jr.headerWord(); err == nil {
				if err = jr.expect(','); err == nil {
					if h[1], err = jr.headerWord(); err == nil {
						err = jr.expect(']')
					}
				}
			}
		}
		headers = append(headers, h)
		return err
	})
	if err == nil && jr.peek() != 0 {
		err = errJSON
	}
	return headers, err
}

// What a save that sealed one cookie writes, around its Set-Cookie line.
const (
	sealedHead = `[["Set-Cookie","`
	sealedTail = `"],["Cache-Control","no-store"],["Vary","Cookie"]]`
)

// sealedLine is the Set-Cookie line of the headers a save that sealed one
// cookie writes, when text is exactly those and the line a plain JSON
// string (no escapes): most saves, read without the general parse.
func sealedLine(text []byte) ([]byte, bool) {
	if len(text) < len(sealedHead)+len(sealedTail) || string(text[:len(sealedHead)]) != sealedHead ||
		string(text[len(text)-len(sealedTail):]) != sealedTail {
		return nil, false
	}
	end := len(text) - len(sealedTail)
	if plainEnd(text, len(sealedHead)) != end {
		return nil, false
	}
	return text[len(sealedHead):end], true
}

// headerWord reads a string of the headers' JSON: the names and values the
// library always sends are constants (no allocation), others (a Set-Cookie
// line) are read as str reads them.
func (r *jsonReader) headerWord() (string, error) {
	if r.peek() == '"' {
		if end := plainEnd(r.s, r.i+1); end >= 0 {
			word := r.s[r.i+1 : end]
			r.i = end + 1
			for _, known := range [...]string{"Set-Cookie", "Cache-Control", "no-store", "Vary", "Cookie"} {
				if string(word) == known {
					return known, nil
				}
			}
			return string(word), nil
		}
	}
	return r.str()
}

// saveAll saves several requests of one HTTP request together
// (cookieseal_requests_save): the headers of all, or the error of the one
// that failed or is undecided, and nothing for any.
func saveAll(rs []*request) ([][2]string, error) {
	for i, r := range rs {
		if err := r.enter(); err != nil {
			for _, entered := range rs[:i] {
				entered.g.leave(entered)
			}
			return nil, err
		}
	}
	defer func() {
		for _, r := range rs {
			r.g.leave(r)
		}
	}()
	defer runtime.KeepAlive(rs)
	// C pointers in Go memory, for the duration of the call: cgo allows it.
	ps := make([]*C.cookieseal_request, len(rs))
	for i, r := range rs {
		ps[i] = r.p
	}
	var list **C.cookieseal_request
	if len(ps) > 0 {
		list = &ps[0]
	}
	var out, why *C.char
	var n C.size_t
	if err := failure(C.cookieseal_requests_save(list, C.size_t(len(ps)), &out, &n, &why), why); err != nil {
		return nil, err
	}
	return headersOf(out, n)
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
