// Package cookieseal seals HTTP sessions into one encrypted, authenticated
// cookie (XChaCha20-Poly1305, keys rotated through a keyring file) and opens
// them again; C++, Python and Go servers sharing the keyring file open each
// other's cookies. It is a thin layer over the C ABI (libcookieseal-c): the
// format, the request logic and the crypto are the C++ library's.
//
//	sessions, err := cookieseal.Open("/etc/cookieseal/keyring", cookieseal.Options{Store: "/var/lib/app/sessions"})
//	http.Handle("/", sessions.Middleware(handler))  // cookieseal.FromContext(r.Context()) in handlers
//
// or, with gorilla/sessions: store, err := gorillastore.New(path, cookieseal.Options{})
// (package github.com/cookieseal/cookieseal/bindings/go/gorillastore).
//
// The names are the library's everywhere: a Codec is what a server shares (the
// keyring and its watcher, the store and its connections; one per process), a
// SessionManager is one kind of session cookie on it (name, purpose,
// attributes), a RequestSession is one request's session of one kind.
package cookieseal

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cookieseal/cookieseal/bindings/go/internal/adapter"
)

// Off turns a duration bound off (MaxAge, IdleTimeout: no limit; Leeway: none).
const Off time.Duration = -1

// Options configure a Codec (KeyringPath to ReloadInterval, Diagnostic) and a
// SessionManager (Name to BrowserSession). The zero value of every field keeps
// the library's default, the secure one: cookie "__Host-session", 7-day
// lifetime, 24-hour idle timeout, 60 s leeway, HttpOnly; Secure; SameSite=Lax;
// Path=/.
type Options struct {
	KeyringPath string // set by Open; or give KeyringText (e.g. from an environment variable)
	KeyringText string
	// Store holds sessions over 4 KB and revocations: a directory, or
	// redis://host:port[/db] or unix:///socket. Empty: none.
	Store         string
	NoRevocations bool // the store is not asked whether sessions are revoked

	Name    string // the cookie name; default "__Host-session"
	Purpose string

	MaxAge      time.Duration // 0: the library's (7 days); Off: none
	IdleTimeout time.Duration // 0: the library's (24 hours); Off: none
	Leeway      time.Duration // 0: the library's (60 s); Off: none

	Path, Domain   string        // "": the library's (Path "/", no Domain)
	Insecure       bool          // drop Secure (not with a __Host- name)
	NoHTTPOnly     bool          // drop HttpOnly
	SameSite       http.SameSite // default Lax; http.SameSiteNoneMode needs Secure
	Partitioned    bool
	BrowserSession bool // no Max-Age/Expires: the cookie ends with the browser

	ReloadInterval time.Duration // how often the keyring file is polled; 0: the library's (1 s)

	// Diagnostic hears why things fail, as they happen: a request left
	// undecided ("open: the revocation list could not answer"), the store's
	// cause ("cannot connect: Redis at 127.0.0.1:6379: Connection refused"), a
	// refused keyring reload. Never a password, key or session data. It may be
	// called from the library's keyring thread. nil: the standard logger.
	Diagnostic func(message string)
}

// check refuses what the C ABI's types cannot carry, naming the option (a
// negative duration other than Off, a reload interval past 49 days).
func (o *Options) check() error {
	bad := func(what string, d time.Duration) error {
		return &Error{Status: ErrInvalidArgument.Status, Name: ErrInvalidArgument.Name,
			Message: fmt.Sprintf("%s must be Off, 0 or positive, not %v", what, d)}
	}
	for _, d := range []struct {
		what string
		d    time.Duration
	}{{"MaxAge", o.MaxAge}, {"IdleTimeout", o.IdleTimeout}, {"Leeway", o.Leeway}} {
		if d.d < 0 && d.d != Off {
			return bad(d.what, d.d)
		}
	}
	if o.ReloadInterval < 0 || o.ReloadInterval.Milliseconds() > math.MaxUint32 {
		return &Error{Status: ErrInvalidArgument.Status, Name: ErrInvalidArgument.Name,
			Message: fmt.Sprintf("ReloadInterval must be 0 to %v, not %v",
				time.Duration(math.MaxUint32)*time.Millisecond, o.ReloadInterval)}
	}
	return nil
}

func sameSite(s http.SameSite) int {
	switch s {
	case http.SameSiteStrictMode:
		return 1
	case http.SameSiteNoneMode:
		return 3
	default:
		return 2 // Lax, also for the zero value
	}
}

// Outcome is what a request's cookie came to.
type Outcome int

const (
	Opened    Outcome = 0 // opened, or no cookie came (a fresh session)
	Refused   Outcome = 1 // the cookie itself is bad: a fresh session; it is cleared
	Undecided Outcome = 2 // the server could not judge it: answer 503, change no cookie
)

// Codec is what a server shares: the keyring (and its watcher thread), the
// store (and its connections), the policy's bounds. Make one per process and
// every SessionManager on it. Safe for concurrent use. Close it when done (it
// stops the keyring watcher); its managers and sessions then return ErrClosed.
type Codec struct {
	c    *codec
	sink *diagnosticSink // held here, so the native callback reaches it only weakly
}

// NewCodec makes a Codec from the keyring, store and policy fields of o
// (KeyringPath or KeyringText).
func NewCodec(o Options) (*Codec, error) {
	sink := sinkFor(&o)
	c, err := newCodec(&o, sink)
	if err != nil {
		return nil, err
	}
	return &Codec{c: c, sink: sink}, nil
}

// SessionManager makes one kind of session cookie on the codec, from the
// cookie fields of o (Name, Purpose, Path, Domain, Insecure, ...).
func (c *Codec) SessionManager(o Options) (*SessionManager, error) {
	m, err := c.c.newManager(&o)
	if err != nil {
		return nil, err
	}
	settings, err := settingsOf(m)
	if err != nil {
		m.close()
		return nil, err
	}
	return &SessionManager{m: m, codec: c, settings: settings}, nil
}

// Settings are a SessionManager's effective settings: its options with the
// library's defaults filled in (the library is their one home: a binding asks
// it instead of restating them).
type Settings struct {
	Name    string
	Purpose string // "": none bound
	Path    string // "": no Path attribute
	Domain  string // "": no Domain attribute
	// SameSite is the attribute sent; 0 when none is.
	SameSite            http.SameSite
	Secure, HTTPOnly    bool
	Partitioned         bool
	BrowserSession      bool          // no Max-Age/Expires
	MaxAge, IdleTimeout time.Duration // the codec's bounds; Off: none
}

// settingsOf asks the library for m's effective settings.
func settingsOf(m *manager) (Settings, error) {
	text, err := m.settings()
	if err != nil {
		return Settings{}, err
	}
	var j struct {
		Name           string  `json:"name"`
		Purpose        *string `json:"purpose"`
		Path           string  `json:"path"`
		Domain         *string `json:"domain"`
		Secure         bool    `json:"secure"`
		HTTPOnly       bool    `json:"http_only"`
		SameSite       *string `json:"same_site"`
		Partitioned    bool    `json:"partitioned"`
		BrowserSession bool    `json:"browser_session"`
		MaxAge         int64   `json:"max_age"`
		IdleTimeout    *int64  `json:"idle_timeout"`
	}
	if err := json.Unmarshal([]byte(text), &j); err != nil {
		return Settings{}, err
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	seconds := func(n int64) time.Duration {
		if n == 0 {
			return Off
		}
		return time.Duration(n) * time.Second
	}
	s := Settings{Name: j.Name, Purpose: str(j.Purpose), Path: j.Path, Domain: str(j.Domain),
		Secure: j.Secure, HTTPOnly: j.HTTPOnly, Partitioned: j.Partitioned,
		BrowserSession: j.BrowserSession, MaxAge: seconds(j.MaxAge), IdleTimeout: Off}
	if j.IdleTimeout != nil {
		s.IdleTimeout = seconds(*j.IdleTimeout)
	}
	switch str(j.SameSite) {
	case "Strict":
		s.SameSite = http.SameSiteStrictMode
	case "Lax":
		s.SameSite = http.SameSiteLaxMode
	case "None":
		s.SameSite = http.SameSiteNoneMode
	}
	return s, nil
}

// Close stops the codec's keyring watcher and frees it, at once or, while
// calls on it run on other goroutines, when the last of them returns; calls
// after it return ErrClosed (twice is fine).
func (c *Codec) Close() error {
	c.c.close()
	return nil
}

// RevokeSubject logs subject out everywhere: every session of it created up
// to now is refused on every server sharing the store; a login after holds.
func (c *Codec) RevokeSubject(subject string) error { return c.c.revokeSubject(subject) }

// SessionManager is one kind of session cookie: safe for concurrent use by all
// the goroutines of a server.
type SessionManager struct {
	m        *manager
	codec    *Codec
	settings Settings // the library's answer, asked once: a manager's settings never change
	owns     bool     // made by Open/New: Close closes the codec too
}

// Open makes a SessionManager on its own Codec over the keyring file at
// keyringPath (watched: reloaded when it changes, checked at once for a key id
// it lacks). A server with several cookie names makes one Codec and a
// SessionManager per name instead.
func Open(keyringPath string, o Options) (*SessionManager, error) {
	o.KeyringPath = keyringPath
	return New(o)
}

// New is Open from options (KeyringPath or KeyringText).
func New(o Options) (*SessionManager, error) {
	c, err := NewCodec(o)
	if err != nil {
		return nil, err
	}
	m, err := c.SessionManager(o)
	if err != nil {
		c.Close()
		return nil, err
	}
	m.owns = true
	return m, nil
}

// Name is the cookie name (the library's default, "__Host-session", when
// Options.Name was empty).
func (m *SessionManager) Name() string { return m.settings.Name }

// Settings are the manager's effective settings, the library's defaults filled in.
func (m *SessionManager) Settings() Settings { return m.settings }

// DefaultMaxAge is the library's default absolute lifetime (what MaxAge 0 means).
func DefaultMaxAge() time.Duration { return defaultMaxAge() }

// Codec is the codec the manager is made on.
func (m *SessionManager) Codec() *Codec { return m.codec }

// Close frees the manager (and, when Open or New made it, its codec), at once
// or, while calls on it run on other goroutines, when the last of them
// returns. Calls after it, and its sessions' calls, return ErrClosed; twice is
// fine.
func (m *SessionManager) Close() error {
	m.m.close()
	if m.owns {
		m.codec.Close()
	}
	return nil
}

// RevokeSubject is m.Codec().RevokeSubject(subject).
func (m *SessionManager) RevokeSubject(subject string) error {
	return m.codec.RevokeSubject(subject)
}

// SealJSON seals a session given as JSON ({"values", "constants", "flashes",
// "subject"}, each optional) into a cookie value.
func (m *SessionManager) SealJSON(session []byte) (string, error) {
	if len(session) == 0 {
		return "", ErrInvalidArgument
	}
	return m.m.seal(session)
}

// OpenJSON opens a cookie value into the session JSON (values, constants,
// flashes, meta). Errors: ErrExpired, ErrAuthenticationFailed, ...
func (m *SessionManager) OpenJSON(cookie string) ([]byte, error) {
	text, err := m.m.open(cookie)
	return []byte(text), err
}

// Load opens the session of a request from its Cookie header lines (every
// one: HTTP/2 sends one per cookie). It fails only on bad arguments or
// ErrClosed; check RequestSession.Outcome (or use Middleware). Close the session when
// the request is done.
func (m *SessionManager) Load(r *http.Request) (*RequestSession, error) {
	return m.LoadHeader(strings.Join(r.Header.Values("Cookie"), "\n"))
}

// LoadHeader is Load from a Cookie header value (several lines joined by "\n").
func (m *SessionManager) LoadHeader(cookieHeader string) (*RequestSession, error) {
	req, err := m.m.newRequest(cookieHeader)
	if err != nil {
		return nil, err
	}
	s := &RequestSession{req: req, codec: m.codec}
	s.outcome, s.reason = req.outcome()
	s.isNew = req.isNew()
	if cookieHeader == "" && s.outcome == Opened && s.isNew {
		// No cookie: a fresh session, no values and no flashes; its id (and
		// the rest the library decides) is read when first asked for.
		s.values, s.data.metaStale = map[string]interface{}{}, true
		return s, nil
	}
	if err := s.reload(); err != nil {
		req.close()
		return nil, err
	}
	return s, nil
}

// sessionData is what the binding keeps of the session JSON (section 6);
// the values are in RequestSession.values.
type sessionData struct {
	flashes  map[string][]interface{}
	lifetime struct {
		maxAge, idleTimeout *int64
		browserSession      bool
	}
	id, subject string
	metaStale   bool // id, subject and lifetime not read yet (ensureMeta)
}

// readSession reads the session JSON the library writes into d and values;
// with values nil, only the id, subject and lifetime (values and flashes
// skipped).
func readSession(text []byte, d *sessionData, values *map[string]interface{}) error {
	r := &jsonReader{s: text}
	err := r.objectKeys(func(k []byte) error {
		var err error
		switch key := string(k); {
		case values == nil && (key == "values" || key == "flashes"):
			err = r.skip()
		case key == "values":
			*values, err = r.valuesMap(1)
		case key == "flashes":
			d.flashes = nil // made for the first key: most sessions have none (Flash makes one)
			if r.null() {
				return nil
			}
			return r.object(func(k string) error {
				if d.flashes == nil {
					d.flashes = map[string][]interface{}{}
				}
				list := []interface{}{}
				err := r.array(func() error {
					v, err := r.value(2)
					list = append(list, v)
					return err
				})
				d.flashes[k] = list
				return err
			})
		case key == "lifetime":
			if r.null() {
				return nil
			}
			return r.objectKeys(func(k []byte) error {
				switch string(k) {
				case "max_age":
					d.lifetime.maxAge, err = r.int64OrNull()
				case "idle_timeout":
					d.lifetime.idleTimeout, err = r.int64OrNull()
				case "browser_session":
					d.lifetime.browserSession, err = r.boolean()
				default:
					err = r.skip()
				}
				return err
			})
		case key == "meta":
			return r.objectKeys(func(k []byte) error {
				switch string(k) {
				case "id":
					d.id, err = r.str()
				case "subject":
					d.subject, err = r.str()
				default:
					err = r.skip()
				}
				return err
			})
		default:
			err = r.skip()
		}
		return err
	})
	if err == nil && r.peek() != 0 {
		err = errJSON
	}
	return err
}

// RequestSession is one request's session (one per request). Its methods take no
// lock: one goroutine uses it at a time, as with an http.Request; Close alone
// may be called from another, also during a call (which finishes; later calls
// return ErrClosed).
type RequestSession struct {
	req     *request
	codec   *Codec // keeps the codec's diagnostic sink alive while the session lives
	outcome Outcome
	reason  error
	isNew   bool
	data    sessionData
	values  map[string]interface{}
	dirty   bool
	pending []byte  // the JSON of values and flashes that Replace wrote, for push
	pooled  *[]byte // pending's buffer, from bufPool: back to it once pending is sent
}

// sent forgets the changes the library now has (pending's buffer back to the pool).
func (s *RequestSession) sent() {
	if s.pooled != nil && s.pending != nil {
		*s.pooled = s.pending
		putBuf(s.pooled)
	}
	s.dirty, s.pending, s.pooled = false, nil, nil
}

func (s *RequestSession) reload() error {
	s.data = sessionData{}
	s.values = nil
	if err := s.req.sessionJSON(func(text []byte) error {
		return readSession(text, &s.data, &s.values)
	}); err != nil {
		return err
	}
	if s.values == nil {
		s.values = map[string]interface{}{}
	}
	s.dirty, s.pending = false, nil
	return nil
}

// ensureMeta reads the id, subject and lifetime that LoadHeader left to the
// first ask (a fresh session's; the values and flashes stay as they are).
func (s *RequestSession) ensureMeta() {
	if !s.data.metaStale {
		return
	}
	var d sessionData
	if s.req.sessionJSON(func(text []byte) error { return readSession(text, &d, nil) }) == nil {
		s.data.id, s.data.subject, s.data.lifetime, s.data.metaStale = d.id, d.subject, d.lifetime, false
	}
}

// Lifetime is a session's own lifetime, within its codec's bounds: MaxAge
// (from created_at) and IdleTimeout (from the last seal), 0 for the codec's,
// Off for none (only where the codec has none either); BrowserSession for a
// cookie without Max-Age/Expires.
type Lifetime struct {
	MaxAge, IdleTimeout time.Duration
	BrowserSession      bool
}

// Lifetime is the session's own lifetime (zero: the codec's).
func (s *RequestSession) Lifetime() Lifetime {
	d := func(p *int64) time.Duration {
		switch {
		case p == nil:
			return 0
		case *p == 0:
			return Off
		default:
			return time.Duration(*p) * time.Second
		}
	}
	s.ensureMeta()
	l := s.data.lifetime
	return Lifetime{MaxAge: d(l.maxAge), IdleTimeout: d(l.idleTimeout), BrowserSession: l.browserSession}
}

// SetLifetime gives the session its own lifetime ("remember me" for 30 days,
// gorilla's per-session MaxAge, a browser session); the cookie is sealed again
// when saved, also when the lifetime is unchanged (a refresh).
func (s *RequestSession) SetLifetime(l Lifetime) error {
	// One update with the values and flashes changed so far.
	bp := getBuf()
	defer putBuf(bp)
	b, err := s.appendChanges(append(*bp, '{'))
	if err != nil {
		return err
	}
	if len(b) > 1 {
		b = append(b, ',')
	}
	b, maxAge, idle, err := appendLifetime(b, l)
	if err != nil {
		return err
	}
	b = append(b, '}')
	*bp = b
	if err := s.req.update(b); err != nil {
		return err
	}
	s.sent()
	s.data.lifetime.maxAge, s.data.lifetime.idleTimeout = maxAge, idle
	s.data.lifetime.browserSession = l.BrowserSession
	return nil
}

// appendLifetime appends `"lifetime":{...}` for l, and returns its durations
// in seconds as the library reads them (nil: the codec's).
func appendLifetime(b []byte, l Lifetime) ([]byte, *int64, *int64, error) {
	b, maxAge, idle, err := appendLifetimeSeconds(b, l)
	if err != nil {
		return b, nil, nil, err
	}
	return b, maxAge.pointer(), idle.pointer(), nil
}

// lifetimeSeconds is a duration of a Lifetime as the library reads it.
type lifetimeSeconds struct {
	n   int64
	set bool // false: the codec's (null)
}

func (s lifetimeSeconds) pointer() *int64 {
	if !s.set {
		return nil
	}
	n := s.n
	return &n
}

// appendLifetimeSeconds is appendLifetime with nothing allocated (a save in
// one call keeps nothing of it).
func appendLifetimeSeconds(b []byte, l Lifetime) ([]byte, lifetimeSeconds, lifetimeSeconds, error) {
	seconds := func(what string, d time.Duration) (lifetimeSeconds, error) {
		switch {
		case d == 0:
			return lifetimeSeconds{}, nil
		case d == Off:
			return lifetimeSeconds{set: true}, nil
		case d < 0:
			return lifetimeSeconds{}, &Error{Status: ErrInvalidArgument.Status, Name: ErrInvalidArgument.Name,
				Message: fmt.Sprintf("Lifetime.%s must be Off, 0 or positive, not %v", what, d)}
		}
		return lifetimeSeconds{n: wholeSeconds(d), set: true}, nil
	}
	maxAge, err := seconds("MaxAge", l.MaxAge)
	if err != nil {
		return b, maxAge, maxAge, err
	}
	idle, err := seconds("IdleTimeout", l.IdleTimeout)
	if err != nil {
		return b, maxAge, idle, err
	}
	appendSeconds := func(b []byte, s lifetimeSeconds) []byte {
		if !s.set {
			return append(b, "null"...)
		}
		return strconv.AppendInt(b, s.n, 10)
	}
	b = appendSeconds(append(b, `"lifetime":{"max_age":`...), maxAge)
	b = appendSeconds(append(b, `,"idle_timeout":`...), idle)
	b = append(strconv.AppendBool(append(b, `,"browser_session":`...), l.BrowserSession), '}')
	return b, maxAge, idle, nil
}

// saveNew seals a new session of m holding values, flashes and lifetime l in
// one call (no request: for a request that came without m's cookie), adds its
// headers to w, and returns its id and the "name=value" its Set-Cookie sets
// (adapter.SaveNew).
func (m *SessionManager) saveNew(w http.ResponseWriter, values, flashes []adapter.Entry, l Lifetime) (string, string, error) {
	return saveInOneCall(w, values, flashes, l, m.m.saveNew)
}

// saveHeader is saveNew for the session of a Cookie header (its id kept), read
// by openHeader: changed to values, flashes and lifetime l and saved in one
// call (adapter.SaveHeader).
func (m *SessionManager) saveHeader(w http.ResponseWriter, header string, values, flashes []adapter.Entry, l Lifetime) (string, string, error) {
	return saveInOneCall(w, values, flashes, l, func(update []byte) (string, [][2]string, error) {
		return m.m.saveHeader(header, update)
	})
}

// saveInOneCall writes the update of values, flashes and l, saves it with
// save, adds the headers to w, and returns the session's id and the
// "name=value" its Set-Cookie sets.
func saveInOneCall(w http.ResponseWriter, values, flashes []adapter.Entry, l Lifetime,
	save func(update []byte) (string, [][2]string, error)) (string, string, error) {
	bp := getBuf()
	defer putBuf(bp)
	b, err := appendEntries(append(*bp, '{'), values, flashes)
	if err == nil {
		b, _, _, err = appendLifetimeSeconds(append(b, ','), l)
	}
	*bp = b
	if err != nil {
		return "", "", err
	}
	b = append(b, '}')
	*bp = b
	id, headers, err := save(b)
	if err != nil {
		return "", "", err
	}
	addHeaders(w, headers)
	for _, h := range headers {
		if h[0] == "Set-Cookie" {
			if end := strings.IndexByte(h[1], ';'); end >= 0 {
				return id, h[1][:end], nil
			}
			return id, h[1], nil
		}
	}
	return id, "", nil
}

// openHeader reads the session of a Cookie header with nothing native to
// make or free (adapter.OpenHeader); false when that cannot be done (the open
// needs the store or the keyring file, or a refused cookie is to be cleared):
// load a RequestSession instead.
func (m *SessionManager) openHeader(header string) (adapter.Opened, bool, error) {
	var o adapter.Opened
	var d sessionData
	outcome, reason, blocked, err := m.m.openHeader(header, func(text []byte) error {
		return readSession(text, &d, &o.Values)
	})
	switch {
	case err != nil || blocked || outcome == Refused:
		return adapter.Opened{}, false, err
	case outcome == Undecided:
		o.Undecided = reason
	}
	o.ID, o.Flashes = d.id, d.flashes
	return o, true, nil
}

// Outcome is what the request's cookie came to.
func (s *RequestSession) Outcome() Outcome { return s.outcome }

// Reason is why the cookie was refused or undecided (an *Error), or nil.
func (s *RequestSession) Reason() error { return s.reason }

// IsNew reports that no cookie opened: a fresh session.
func (s *RequestSession) IsNew() bool { return s.isNew }

// ID is the session's id (32 hex digits); it changes on Login.
func (s *RequestSession) ID() string {
	s.ensureMeta()
	return s.data.id
}

// Subject is the logged-in subject, "" when anonymous.
func (s *RequestSession) Subject() string {
	s.ensureMeta()
	return s.data.subject
}

// Get returns a value as the JSON kinds decode: string, int (integers),
// float64, bool, nil, []interface{}, map[string]interface{}, []byte.
func (s *RequestSession) Get(key string) (interface{}, bool) {
	v, ok := s.values[key]
	return v, ok
}

// GetString returns a string value.
func (s *RequestSession) GetString(key string) (string, bool) {
	v, ok := s.values[key].(string)
	return v, ok
}

// GetInt returns an integer value.
func (s *RequestSession) GetInt(key string) (int, bool) {
	v, ok := s.values[key].(int)
	return v, ok
}

// GetBool returns a boolean value.
func (s *RequestSession) GetBool(key string) (bool, bool) {
	v, ok := s.values[key].(bool)
	return v, ok
}

// Set stores a value of a JSON kind (string, numbers, bool, nil, slices,
// maps with string keys, []byte); anything else is refused naming the key.
func (s *RequestSession) Set(key string, v interface{}) error {
	if err := checkValue(key, v); err != nil {
		return err
	}
	s.values[key] = v
	s.dirty, s.pending = true, nil
	return nil
}

// Delete removes a key.
func (s *RequestSession) Delete(key string) {
	if _, ok := s.values[key]; ok {
		delete(s.values, key)
		s.dirty, s.pending = true, nil
	}
}

// Keys lists the keys of the session's values.
func (s *RequestSession) Keys() []string {
	out := make([]string, 0, len(s.values))
	for k := range s.values {
		out = append(out, k)
	}
	return out
}

// Flash queues a message under key, read once (by this or any other server).
func (s *RequestSession) Flash(key string, v interface{}) error {
	if err := checkValue(key, v); err != nil {
		return err
	}
	if s.data.flashes == nil {
		s.data.flashes = map[string][]interface{}{}
	}
	s.data.flashes[key] = append(s.data.flashes[key], v)
	s.dirty, s.pending = true, nil
	return nil
}

// Values is a copy of the session's values (as Get returns them).
func (s *RequestSession) Values() map[string]interface{} {
	out := make(map[string]interface{}, len(s.values))
	for k, v := range s.values {
		out[k] = v
	}
	return out
}

// PeekFlashes is every queued flash by key, without removing any.
func (s *RequestSession) PeekFlashes() map[string][]interface{} {
	out := make(map[string][]interface{}, len(s.data.flashes))
	for k, list := range s.data.flashes {
		out[k] = append([]interface{}(nil), list...)
	}
	return out
}

// Replace sets the session's values and flashes to exactly these (an adapter
// that keeps its own copy, as a gorilla store does). Every value is checked
// first, naming the key of one that cannot be stored; on error nothing changes.
func (s *RequestSession) Replace(values map[string]interface{}, flashes map[string][]interface{}) error {
	ownValues := make(map[string]interface{}, len(values))
	for k, v := range values {
		ownValues[k] = v
	}
	ownFlashes := make(map[string][]interface{}, len(flashes))
	for k, list := range flashes {
		ownFlashes[k] = append([]interface{}(nil), list...)
	}
	return s.adopt(ownValues, ownFlashes)
}

// adopt is Replace keeping values and flashes themselves (adapter.Adopt).
func (s *RequestSession) adopt(values map[string]interface{}, flashes map[string][]interface{}) error {
	// Written now (which checks every value), sent with the next change or save.
	bp := getBuf()
	pending, err := appendChanges(*bp, values, flashes)
	if err != nil {
		*bp = pending
		putBuf(bp)
		return err
	}
	s.values, s.data.flashes = values, flashes // a nil map reads as empty; Flash makes one
	s.dirty, s.pending, s.pooled = true, pending, bp
	return nil
}

func init() {
	adapter.Values = func(s interface{}) map[string]interface{} { return s.(*RequestSession).values }
	adapter.Flashes = func(s interface{}) map[string][]interface{} { return s.(*RequestSession).data.flashes }
	adapter.Adopt = func(s interface{}, values map[string]interface{}, flashes map[string][]interface{}) error {
		return s.(*RequestSession).adopt(values, flashes)
	}
	adapter.SaveNew = func(m interface{}, w http.ResponseWriter, values, flashes []adapter.Entry, l interface{}) (string, string, error) {
		return m.(*SessionManager).saveNew(w, values, flashes, l.(Lifetime))
	}
	adapter.OpenHeader = func(m interface{}, header string) (adapter.Opened, bool, error) {
		return m.(*SessionManager).openHeader(header)
	}
	adapter.SaveHeader = func(m interface{}, w http.ResponseWriter, header string, values, flashes []adapter.Entry, l interface{}) (string, string, error) {
		return m.(*SessionManager).saveHeader(w, header, values, flashes, l.(Lifetime))
	}
}

// Flashes returns the messages under key and removes them.
func (s *RequestSession) Flashes(key string) []interface{} {
	list := s.data.flashes[key]
	if len(list) == 0 {
		return nil
	}
	delete(s.data.flashes, key)
	s.dirty, s.pending = true, nil
	return list
}

// Login fixes the subject, draws a new id and restarts created_at (session
// fixation defence; "log out everywhere" works by subject).
func (s *RequestSession) Login(subject string) error {
	if err := s.push(); err != nil {
		return err
	}
	if err := s.req.login(subject); err != nil {
		return err
	}
	return s.reload()
}

// RegenerateID draws a new session id.
func (s *RequestSession) RegenerateID() error {
	if err := s.push(); err != nil {
		return err
	}
	if err := s.req.regenerateID(); err != nil {
		return err
	}
	return s.reload()
}

// Destroy ends the session (server-side too: its id is revoked) and goes on
// with a fresh, empty one: a flash set now still reaches the user.
func (s *RequestSession) Destroy() error {
	if err := s.req.destroy(); err != nil {
		return err
	}
	return s.reload()
}

// push hands the Go-side changes to the C session.
func (s *RequestSession) push() error {
	if !s.dirty {
		return nil
	}
	bp := getBuf()
	defer putBuf(bp)
	b, err := s.appendChanges(append(*bp, '{'))
	if err != nil {
		return err
	}
	*bp = append(b, '}')
	if err := s.req.update(*bp); err != nil {
		return err
	}
	s.sent()
	return nil
}

// appendChanges appends `"values": {...}, "flashes": {...}` when the session
// has changes to push (what Replace wrote, or its values and flashes now).
func (s *RequestSession) appendChanges(b []byte) ([]byte, error) {
	switch {
	case !s.dirty:
		return b, nil
	case s.pending != nil:
		return append(b, s.pending...), nil
	}
	return appendChanges(b, s.values, s.data.flashes)
}

// appendChanges appends the update members of values and flashes; a value
// that cannot be stored is refused naming its key.
func appendChanges(b []byte, values map[string]interface{}, flashes map[string][]interface{}) ([]byte, error) {
	b = append(b, `"values":{`...)
	first := true
	for k, v := range values {
		var err error
		if b, err = appendMember(b, first, k, v); err != nil {
			return b, err
		}
		first = false
	}
	b = append(b, `},"flashes":{`...)
	first = true
	for k, list := range flashes {
		var err error
		if b, err = appendFlashList(b, first, k, list); err != nil {
			return b, err
		}
		first = false
	}
	return append(b, '}'), nil
}

// appendEntries is appendChanges of members in lists (adapter.Entry; a
// flash's Value is its []interface{}).
func appendEntries(b []byte, values, flashes []adapter.Entry) ([]byte, error) {
	b = append(b, `"values":{`...)
	for i, e := range values {
		var err error
		if b, err = appendMember(b, i == 0, e.Key, e.Value); err != nil {
			return b, err
		}
	}
	b = append(b, `},"flashes":{`...)
	for i, e := range flashes {
		list, _ := e.Value.([]interface{})
		var err error
		if b, err = appendFlashList(b, i == 0, e.Key, list); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendMember appends `"k":v`, after a comma unless first.
func appendMember(b []byte, first bool, k string, v interface{}) ([]byte, error) {
	if !first {
		b = append(b, ',')
	}
	b, ok := appendValue(appendKey(b, k, false), v, 1)
	if !ok {
		return b, refusedValue(k, v)
	}
	return b, nil
}

// appendFlashList appends `"k":[...]`, after a comma unless first.
func appendFlashList(b []byte, first bool, k string, list []interface{}) ([]byte, error) {
	if !first {
		b = append(b, ',')
	}
	b = append(appendKey(b, k, false), '[')
	for i, f := range list {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendValue(b, f, 1); !ok {
			return b, refusedValue(k, f)
		}
	}
	return append(b, ']'), nil
}

// Headers returns the response headers to add ([name, value] pairs):
// Set-Cookie when needed, Cache-Control: no-store with it, Vary: Cookie. An
// undecided request returns its error (IsUndecided): answer 503.
func (s *RequestSession) Headers() ([][2]string, error) { return s.headersWith(nil) }

func (s *RequestSession) headersWith(m *SessionManager) ([][2]string, error) {
	if err := s.push(); err != nil {
		return nil, err
	}
	if m == nil {
		return s.req.save(nil)
	}
	return s.req.save(m.m)
}

// Save adds the session's headers to w (before the body is written). An
// undecided request adds nothing and returns its error: answer 503.
func (s *RequestSession) Save(w http.ResponseWriter) error { return s.SaveWith(nil, w) }

// SaveWith is Save under the cookie attributes of m (Path, Domain, Secure,
// ..., a browser session), a manager of the same codec, cookie name and
// purpose: for adapters whose sessions choose their own attributes.
func (s *RequestSession) SaveWith(m *SessionManager, w http.ResponseWriter) error {
	headers, err := s.headersWith(m)
	if err != nil {
		return err
	}
	addHeaders(w, headers)
	return nil
}

// addHeaders adds the library's response headers to w.
func addHeaders(w http.ResponseWriter, headers [][2]string) {
	h := w.Header()
	// A header the response does not have yet gets a one-line slice of one
	// shared array (as net/textproto reads headers): one allocation for all.
	// Each is capped at its line, so an append by the handler copies it.
	lines := make([]string, len(headers))
	line := func(i int, v string) []string {
		lines[i] = v
		return lines[i : i+1 : i+1]
	}
	for i, kv := range headers {
		switch name := kv[0]; name {
		case "Set-Cookie", "Vary": // canonical already (headerWord's constants)
			if old, ok := h[name]; ok {
				h[name] = append(old, kv[1])
			} else {
				h[name] = line(i, kv[1])
			}
		case "Cache-Control":
			h[name] = line(i, kv[1]) // replaces the handler's: one line, never cached
		default:
			if http.CanonicalHeaderKey(name) == "Cache-Control" {
				h.Set(name, kv[1])
			} else {
				h.Add(name, kv[1])
			}
		}
	}
}

// SaveAll saves several sessions of one HTTP request together (a "prefs" and
// an "auth" cookie, each its own SessionManager's), all or nothing: the
// headers of every one are added to w, or, when any of them is undecided
// (IsUndecided: answer 503) or cannot be saved, its error is returned and
// nothing is added for any, so a response never carries half of a change.
// Each is saved under its own manager's attributes.
func SaveAll(w http.ResponseWriter, sessions ...*RequestSession) error {
	headers, err := headersAll(sessions)
	if err != nil {
		return err
	}
	addHeaders(w, headers)
	return nil
}

// headersAll is SaveAll's headers ([name, value] pairs).
func headersAll(sessions []*RequestSession) ([][2]string, error) {
	reqs := make([]*request, len(sessions))
	for i, s := range sessions {
		if err := s.push(); err != nil {
			return nil, err
		}
		reqs[i] = s.req
	}
	return saveAll(reqs)
}

// Close frees the session's native request, at once or when the call running
// on it returns; its calls then return ErrClosed (twice is fine).
func (s *RequestSession) Close() { s.req.close() }

type contextKey struct{}

// FromContext returns the session Middleware put in the request's context.
func FromContext(ctx context.Context) *RequestSession {
	s, _ := ctx.Value(contextKey{}).(*RequestSession)
	return s
}

// Middleware gives every request its session (FromContext) and saves it: the
// headers go out before the handler's first byte. A request whose cookie
// cannot be judged is answered 503 without running the handler, and no cookie
// changes; one whose session cannot be saved now (the store is away) is
// answered 503 instead, and one whose session can never be saved (too large
// without a store, a value the library refuses) 500, its cause reported to the
// codec's Diagnostic. The writer the handler gets is still an http.Flusher and
// an http.Hijacker where the server's is.
func (m *SessionManager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Load(r)
		if err != nil {
			http.Error(w, "session error", http.StatusInternalServerError)
			return
		}
		defer s.Close()
		if s.Outcome() == Undecided {
			unavailable(w, s.Reason())
			return
		}
		sw := &savingWriter{ResponseWriter: w, session: s, say: m.codec.sink.say}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), contextKey{}, s)))
		sw.flushSession()
	})
}

// Middleware is m.Middleware(next).
func Middleware(m *SessionManager, next http.Handler) http.Handler { return m.Middleware(next) }

func unavailable(w http.ResponseWriter, why error) {
	w.Header().Set("Retry-After", "1")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Del("Location")
	msg := "the session service is unavailable; please retry"
	if why != nil {
		msg += " (" + why.Error() + ")"
	}
	http.Error(w, msg, http.StatusServiceUnavailable)
}

// savingWriter saves the session just before the response's first byte.
type savingWriter struct {
	http.ResponseWriter
	session *RequestSession
	say     func(string) // the codec's diagnostic
	done    bool
	failed  bool
}

func (w *savingWriter) flushSession() {
	if w.done {
		return
	}
	w.done = true
	err := w.session.Save(w.ResponseWriter)
	if err == nil {
		return
	}
	w.failed = true
	if IsUndecided(err) {
		unavailable(w.ResponseWriter, err) // the store may answer again: retry
		return
	}
	// Retrying cannot help: a server error, with its cause for the operator.
	w.say("save: the session cannot be saved: " + err.Error())
	w.ResponseWriter.Header().Set("Cache-Control", "no-store")
	http.Error(w.ResponseWriter, "the session could not be saved", http.StatusInternalServerError)
}

// Flush saves the session first (headers go out with the first flush).
func (w *savingWriter) Flush() {
	w.flushSession()
	if f, ok := w.ResponseWriter.(http.Flusher); ok && !w.failed {
		f.Flush()
	}
}

// Hijack hands the connection over: the session is saved into the headers
// first, which the handler now writes itself.
func (w *savingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.flushSession()
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("cookieseal: the server's ResponseWriter is not an http.Hijacker")
	}
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *savingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *savingWriter) WriteHeader(code int) {
	w.flushSession()
	if !w.failed {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *savingWriter) Write(b []byte) (int, error) {
	w.flushSession()
	if w.failed {
		return len(b), nil // the 503 is already out
	}
	return w.ResponseWriter.Write(b)
}
