// Package gorillastore is a gorilla/sessions store over cookieseal: swap it in
// for a CookieStore and sessions become encrypted, rotating cookies that C++,
// Python and Go servers sharing the keyring file open too. gin-contrib/sessions
// and echo-contrib/session take it as any gorilla store.
//
//	store, err := gorillastore.New("/etc/cookieseal/keyring", cookieseal.Options{})  // was: sessions.NewCookieStore(key)
//	session, _ := store.Get(r, "__Host-session")
//	session.Values["visits"] = n + 1
//	session.AddFlash("Saved.")
//	err = session.Save(r, w)   // or sessions.Save(r, w) for every session of the request
//	err = gorillastore.SaveAll(r, w, session, prefs)  // several, all or nothing
//
// One codec (one keyring watcher, one store connection pool) serves every
// session name. Each session's Options are honoured: Path, Domain, Secure,
// HttpOnly, SameSite and Partitioned are its cookie's attributes; MaxAge < 0
// destroys the session (server-side too) and deletes the cookie; MaxAge > 0 is
// the session's own lifetime (its cookie's Max-Age, an idle timeout as
// securecookie enforces it, within the codec's bounds: raise
// Options.IdleTimeout, 24 hours by default, for longer); MaxAge = 0 is a
// browser-session cookie. Values (string keys) come back with the Go types
// put in: int, sized integers, float64, bool, string, nil, []byte, time.Time,
// slices and string-keyed maps of those ([]string, map[string]interface{}),
// and gob-registered types (as gob bytes); a type gob does not know is refused
// by Save with an error naming the key. Other languages see the neutral form;
// the Go types travel in the reserved value "_gotypes" (docs/FORMAT.md,
// section 6.1), and a value another server wrote loads untyped ([]interface{},
// int, ...). A request whose cookie cannot
// be judged gets a new session and an undecided error from Get
// (cookieseal.IsUndecided), and Save then writes nothing: answer 503.
//
// Flashes: gorilla keeps them in Values (under "_flash" or the key given to
// AddFlash). The store exchanges cookieseal flashes under "_flash", under any
// key that held flashes when the session was loaded, and under FlashKeys, so a
// flash queued by another server shows in Flashes(key).
package gorillastore

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/sessions"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	"github.com/cookieseal/cookieseal/bindings/go/internal/adapter"
)

// Store is a sessions.Store for gorilla/sessions.
type Store struct {
	Options   *sessions.Options // defaults for new sessions (Path, MaxAge, ...)
	FlashKeys []string          // more Values keys that hold flashes (e.g. "notice")

	base  cookieseal.Options
	codec *cookieseal.Codec // one keyring watcher and one store pool for every name
	// Sessions are read and saved in one call each, with nothing native
	// kept between: without a store, where opening a cookie again costs no
	// store call (with one, a native session asks it once per request).
	inOneCall bool
	mu        sync.Mutex
	managers  map[managerKey]*cookieseal.SessionManager
}

// managerKey is one kind of cookie: a name with its attributes.
type managerKey struct {
	name, path, domain          string
	secure, httpOnly, partition bool
	sameSite                    http.SameSite
}

// New makes a store over the keyring file at keyringPath. The cookie fields
// of o (at most one; none: the library's defaults) become the default Options
// of new sessions.
func New(keyringPath string, options ...cookieseal.Options) (*Store, error) {
	var o cookieseal.Options
	switch len(options) {
	case 0:
	case 1:
		o = options[0]
	default:
		return nil, invalid("gorillastore.New takes at most one Options")
	}
	o.KeyringPath = keyringPath
	c, err := cookieseal.NewCodec(o)
	if err != nil {
		return nil, err
	}
	// The default kind of cookie, and the library's answer for what its
	// attributes are: the default Options of new sessions.
	def, err := c.SessionManager(o)
	if err != nil {
		c.Close()
		return nil, err
	}
	set := def.Settings()
	maxAge := 0 // gorilla's MaxAge 0: a browser-session cookie
	if set.MaxAge > 0 && !set.BrowserSession {
		maxAge = int(set.MaxAge / time.Second)
	}
	s := &Store{base: o, codec: c, inOneCall: o.Store == "", managers: map[managerKey]*cookieseal.SessionManager{},
		Options: &sessions.Options{Path: set.Path, Domain: set.Domain, MaxAge: maxAge,
			Secure: set.Secure, HttpOnly: set.HTTPOnly, SameSite: set.SameSite,
			Partitioned: set.Partitioned}}
	s.managers[keyOf(set.Name, s.Options)] = def
	return s, nil
}

// Must is New for a store made in one line: it panics on an error, as
// template.Must does, so the switch from sessions.NewCookieStore stays one line:
//
//	store := gorillastore.Must(gorillastore.New("/etc/cookieseal/keyring"))
func Must(s *Store, err error) *Store {
	if err != nil {
		panic(err)
	}
	return s
}

// keyOf is the kind of cookie of name with options o.
func keyOf(name string, o *sessions.Options) managerKey {
	return managerKey{name: name, path: o.Path, domain: o.Domain, secure: o.Secure,
		httpOnly: o.HttpOnly, partition: o.Partitioned, sameSite: o.SameSite}
}

// manager is the session manager of cookie name with options o (made on
// first use, on the store's one codec; managers are cheap).
func (s *Store) manager(name string, o *sessions.Options) (*cookieseal.SessionManager, error) {
	if o == nil {
		o = s.Options
	}
	k := keyOf(name, o)
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.managers[k]; ok {
		return m, nil
	}
	co := s.base
	co.Name, co.Path, co.Domain = name, k.path, k.domain
	co.Insecure, co.NoHTTPOnly, co.Partitioned = !k.secure, !k.httpOnly, k.partition
	co.SameSite = k.sameSite
	m, err := s.codec.SessionManager(co)
	if err != nil {
		return nil, err
	}
	s.managers[k] = m
	return m, nil
}

// Close frees the store's codec and managers, also while handlers use them
// (a call running finishes); Get and Save then fail with cookieseal.ErrClosed
// (never a crash). Twice is fine.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.managers {
		m.Close()
	}
	s.managers = map[managerKey]*cookieseal.SessionManager{}
	return s.codec.Close()
}

// Codec is the store's codec (RevokeSubject, or more session managers).
func (s *Store) Codec() *cookieseal.Codec { return s.codec }

// RevokeSubject logs subject out everywhere (see cookieseal.Codec.RevokeSubject).
func (s *Store) RevokeSubject(subject string) error { return s.codec.RevokeSubject(subject) }

// Get returns the request's session of that name, cached in the request's registry.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// state is a session's request state. It travels in session.Values under an
// unexported key type, so it can never collide with a user's key nor be
// sealed. (Not as the store the session reports: gorilla's registry sets
// every session's store to the one its Get was given.)
type state struct {
	session   *sessions.Session          // the one session it is the state of
	options   sessions.Options           // its session's Options as New made them (one allocation with the state)
	opened    *cookieseal.RequestSession // the request's native session: every later Save in the request uses it
	loadedBy  *cookieseal.SessionManager // the kind it was loaded as (a deletion's attributes)
	header    string                     // the request's Cookie lines
	undecided error
	failed    error    // why the native session could not be opened (ErrClosed after Close): Save returns it
	fresh     bool     // no cookie of the name came: nothing native until the first Save
	saved     bool     // read or saved in one call: header holds its cookie, saved in one call again or loaded by native()
	flashKeys []string // the store's FlashKeys then, and keys that held flashes when loaded
	subject   string   // Login's subject, applied by Save
}

type stateKey struct{}

// open loads the request's session of that name: read in one call (the
// *adapter.Opened, nothing native) when oneCall and the store reads so, else
// its native session.
func (s *Store) open(r *http.Request, name string, o *sessions.Options, oneCall bool) (*state, *cookieseal.RequestSession, *adapter.Opened, error) {
	st := &state{options: *o, header: strings.Join(r.Header.Values("Cookie"), "\n"), flashKeys: s.FlashKeys}
	m, err := s.manager(name, &st.options)
	if err != nil {
		return st, nil, nil, err
	}
	st.loadedBy = m
	if st.header == "" {
		// No cookie at all: a fresh session, saved in one call (or, for a
		// login or a deletion, loaded from an empty header) by the first Save.
		st.fresh = true
		return st, nil, nil, nil
	}
	if oneCall && s.inOneCall {
		opened, ok, err := adapter.OpenHeader(m, st.header)
		if err != nil {
			return st, nil, nil, err
		}
		if ok {
			switch {
			case opened.Undecided != nil:
				st.undecided = opened.Undecided
			case opened.ID == "":
				st.fresh = true // none of the name came
			default:
				st.saved = true
			}
			return st, nil, &opened, nil
		}
	}
	cs, err := m.LoadHeader(st.header)
	return st, cs, nil, err
}

// native is the request's native session, made on first use for a fresh one
// (from an empty header) or one read or saved in one call (from its cookie).
func (st *state) native() (*cookieseal.RequestSession, error) {
	switch {
	case st.opened != nil:
	case st.fresh:
		cs, err := st.loadedBy.LoadHeader("")
		if err != nil {
			return nil, err
		}
		cs.ID() // read now, while the session JSON is only its meta (Save sets session.ID)
		st.opened, st.fresh = cs, false
	case st.saved:
		cs, err := st.loadedBy.LoadHeader(st.header)
		if err != nil {
			return nil, err
		}
		switch cs.Outcome() {
		case cookieseal.Undecided:
			cs.Close()
			return nil, cs.Reason() // the store could not answer: IsUndecided, answer 503
		case cookieseal.Refused:
			cs.Close()
			return nil, fmt.Errorf("cookieseal: the session read or saved earlier in this request did not open again: %w", cs.Reason())
		}
		st.opened, st.saved = cs, false
	}
	return st.opened, nil
}

// isFlashKey reports that Values[k] holds flashes: "_flash", a FlashKeys
// key, or a key that held flashes when the session was loaded.
func (st *state) isFlashKey(k string) bool {
	if k == "_flash" {
		return true
	}
	for _, f := range st.flashKeys {
		if f == k {
			return true
		}
	}
	return false
}

// stateOf is the request state of a session of this package, or nil.
func stateOf(session *sessions.Session) *state {
	st, _ := session.Values[stateKey{}].(*state)
	if st == nil || st.session != session {
		return nil // another session's Values (a map handed from one to another)
	}
	return st
}

// New opens the session of that name from the request (not cached).
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	st, cs, opened, err := s.open(r, name, s.Options, true)
	session := sessions.NewSession(s, name)
	st.session = session
	session.Options = &st.options
	session.Values[stateKey{}] = st
	session.IsNew = true
	switch {
	case err != nil:
		st.failed = err
		return session, err
	case st.undecided != nil:
		return session, st.undecided
	case st.fresh:
		return session, nil
	case opened != nil:
		session.IsNew = false
		session.ID = opened.ID
		st.fill(session, opened.Values, opened.Flashes)
		return session, nil
	}
	switch cs.Outcome() {
	case cookieseal.Undecided:
		cs.Close()
		st.undecided = cs.Reason()
		return session, cs.Reason()
	case cookieseal.Refused:
		st.opened = cs
		return session, nil // a fresh session; Save clears the bad cookie
	}
	// Kept for Save (freed by its finalizer once the request is gone).
	st.opened = cs
	session.IsNew = cs.IsNew()
	if !session.IsNew {
		session.ID = cs.ID() // a new session's is set by its first Save (as gorilla's stores do)
	}
	st.fill(session, adapter.Values(cs), adapter.Flashes(cs)) // the native session's own: read, never written
	return session, nil
}

// fill puts a loaded session's values and flashes into session.Values, with
// the Go types they were saved with.
func (st *state) fill(session *sessions.Session, values map[string]interface{}, flashes map[string][]interface{}) {
	types, _ := values[typesKey].(map[string]interface{})
	for k, v := range values {
		if k == typesKey {
			continue
		}
		if _, isList := v.([]interface{}); st.isFlashKey(k) && !isList && v != nil {
			v = []interface{}{v} // gorilla's Flashes() asserts a list: never a panic
		}
		session.Values[k] = v
	}
	for k, list := range flashes {
		if !st.isFlashKey(k) {
			st.flashKeys = append(st.flashKeys[:len(st.flashKeys):len(st.flashKeys)], k) // never the store's array
		}
		old, _ := session.Values[k].([]interface{})                  // a non-list value of that key gives way
		session.Values[k] = append(old[:len(old):len(old)], list...) // a new array: neither is the loaded session's
	}
	for k, d := range types {
		if v, ok := session.Values[k]; ok {
			v = decodeValue(v, d)
			if _, isList := v.([]interface{}); st.isFlashKey(k) && !isList {
				continue // a flash key keeps a list
			}
			session.Values[k] = v
		}
	}
}

// entries is what a session's Values are sealed as: its values (with the Go
// types under typesKey) and its flashes (the lists under flash keys).
func (st *state) entries(session *sessions.Session) ([]adapter.Entry, []adapter.Entry, error) {
	values := make([]adapter.Entry, 0, len(session.Values)+1) // and the types
	var flashes []adapter.Entry                               // most saves have none
	var types []adapter.Entry                                 // few values have Go types: a list, not a map
	for k, v := range session.Values {
		if _, internal := k.(stateKey); internal {
			continue
		}
		key, ok := k.(string)
		if !ok {
			return nil, nil, invalid(fmt.Sprintf("session key %v is a %T: keys must be strings", k, k))
		}
		if key == typesKey {
			return nil, nil, invalid(fmt.Sprintf("session key %q is the store's own (the Go types of the values)", key))
		}
		v, d, err := encodeValue(key, v, 0)
		if err != nil {
			return nil, nil, err
		}
		if d != nil {
			if types == nil {
				types = make([]adapter.Entry, 0, 4)
			}
			types = append(types, adapter.Entry{Key: key, Value: d})
		}
		if _, isList := v.([]interface{}); isList && st.isFlashKey(key) {
			flashes = append(flashes, adapter.Entry{Key: key, Value: v})
			continue
		}
		values = append(values, adapter.Entry{Key: key, Value: v})
	}
	if types != nil {
		values = append(values, adapter.Entry{Key: typesKey, Value: types})
	}
	return values, flashes, nil
}

// maps is entries as the maps a native session adopts.
func (st *state) maps(session *sessions.Session) (map[string]interface{}, map[string][]interface{}, error) {
	list, flashList, err := st.entries(session)
	if err != nil {
		return nil, nil, err
	}
	values := make(map[string]interface{}, len(list))
	for _, e := range list {
		if t, ok := e.Value.([]adapter.Entry); ok && e.Key == typesKey {
			m := make(map[string]interface{}, len(t)) // the native session keeps maps
			for _, d := range t {
				m[d.Key] = d.Value
			}
			values[e.Key] = m
			continue
		}
		values[e.Key] = e.Value
	}
	var flashes map[string][]interface{}
	for _, e := range flashList {
		if flashes == nil {
			flashes = make(map[string][]interface{}, len(flashList))
		}
		flashes[e.Key] = e.Value.([]interface{})
	}
	return values, flashes, nil
}

// lifetime is the native lifetime of a session's MaxAge: seconds from each
// save (as securecookie checks it: an idle timeout), 0 a browser session.
func lifetime(o *sessions.Options) cookieseal.Lifetime {
	if o != nil && o.MaxAge > 0 {
		return cookieseal.Lifetime{IdleTimeout: time.Duration(o.MaxAge) * time.Second}
	}
	return cookieseal.Lifetime{BrowserSession: true}
}

// saveInOneCall saves a session with nothing native to make or free: a new
// one (no cookie of the name came), or the one its cookie holds (read or
// saved in one call). A later Save in the request does so again from the
// cookie it wrote, as the next request would: the same session (a deletion
// then ends it server-side too; an overflowed one is read back from the
// store, and that Save is undecided if the store cannot answer).
func (s *Store) saveInOneCall(w http.ResponseWriter, session *sessions.Session, st *state) error {
	values, flashes, err := st.entries(session)
	if err != nil {
		return err
	}
	m, err := s.manager(session.Name(), session.Options)
	if err != nil {
		return err
	}
	var id, cookie string
	if st.fresh {
		id, cookie, err = adapter.SaveNew(m, w, values, flashes, lifetime(session.Options))
	} else {
		id, cookie, err = adapter.SaveHeader(m, w, st.header, values, flashes, lifetime(session.Options))
	}
	if err != nil {
		return err
	}
	if cookie == "" {
		return fmt.Errorf("cookieseal: session %q was saved without a Set-Cookie", session.Name())
	}
	session.ID = id
	st.header, st.fresh, st.saved = cookie, false, true
	return nil
}

// Login marks a gorilla session as logged in as subject (new id, for "log
// out everywhere"); it takes effect when the session is saved.
func Login(session *sessions.Session, subject string) {
	if st := stateOf(session); st != nil {
		st.subject = subject
	}
}

// Save writes the session's cookie (or deletes it when Options.MaxAge < 0).
// Without a store, the cookie New opened is opened again here: a session
// that no longer opens (its idle timeout passed during the request, its key
// removed by a keyring reload) is not saved, and Save returns why (answer
// 503 when cookieseal.IsUndecided).
func (s *Store) Save(r *http.Request, w http.ResponseWriter, session *sessions.Session) error {
	if st := stateOf(session); st != nil && (st.fresh || st.saved && s.inOneCall) && st.opened == nil && st.subject == "" &&
		(session.Options == nil || session.Options.MaxAge >= 0) {
		return s.saveInOneCall(w, session, st)
	}
	cs, m, err := s.prepare(r, session)
	if err != nil {
		return err
	}
	if err := cs.SaveWith(m, w); err != nil {
		return err
	}
	session.ID = cs.ID()
	return nil
}

// SaveAll saves several sessions of one request together, all or nothing
// (cookieseal.SaveAll): every cookie is written, or, when any of them is
// undecided (cookieseal.IsUndecided: answer 503) or fails, its error is
// returned and no cookie is written for any. sessions.Save(r, w) saves the
// request's sessions one at a time instead (gorilla's registry calls each
// store's Save in turn), so a store that fails for one still lets the others'
// cookies out, and its error is text (cookieseal.IsUndecided cannot see
// through it; through SaveAll's it can). The sessions must be this package's; each is saved under the
// cookie attributes it was loaded with (a session whose Options changed Path,
// Domain, Secure, HttpOnly, SameSite or Partitioned is refused: save it with
// Save). MaxAge is honoured as by Save.
func SaveAll(r *http.Request, w http.ResponseWriter, list ...*sessions.Session) error {
	native := make([]*cookieseal.RequestSession, 0, len(list))
	for _, session := range list {
		s, ok := session.Store().(*Store)
		if !ok {
			return invalid(fmt.Sprintf("session %q is not a gorillastore session", session.Name()))
		}
		cs, m, err := s.prepare(r, session)
		if err != nil {
			return err
		}
		if m != stateOf(session).loadedBy {
			return invalid(fmt.Sprintf("session %q changed its cookie attributes: "+
				"SaveAll saves each session with those it was loaded with; save it with Save", session.Name()))
		}
		native = append(native, cs)
	}
	if err := cookieseal.SaveAll(w, native...); err != nil {
		return err
	}
	for i, session := range list {
		session.ID = native[i].ID()
	}
	return nil
}

// invalid is ErrInvalidArgument with a message.
func invalid(message string) error {
	return &cookieseal.Error{Status: cookieseal.ErrInvalidArgument.Status,
		Name: cookieseal.ErrInvalidArgument.Name, Message: message}
}

// prepare hands a gorilla session's Values, flashes, login and MaxAge to its
// native session, and returns it with the manager whose cookie attributes it
// is saved under.
func (s *Store) prepare(r *http.Request, session *sessions.Session) (*cookieseal.RequestSession, *cookieseal.SessionManager, error) {
	st := stateOf(session)
	if st == nil {
		// The handler cleared Values (gin's Clear(), a logout), or New did
		// not make the session (sessions.NewSession(store, name)): the
		// request's session is opened again, and saved with what Values hold.
		var cs *cookieseal.RequestSession
		var err error
		if st, cs, _, err = s.open(r, session.Name(), s.Options, false); err != nil {
			return nil, nil, err
		}
		switch {
		case st.fresh: // no cookie came: its native session is made below, by native()
		case cs.Outcome() == cookieseal.Undecided:
			cs.Close()
			st.undecided = cs.Reason()
		default:
			st.opened = cs
		}
		st.session = session
		session.Values[stateKey{}] = st
	}
	if st.failed != nil {
		return nil, nil, st.failed // Get's error, for a handler that did not look at it
	}
	if st.undecided != nil {
		return nil, nil, st.undecided // nothing is written: answer 503
	}
	values, flashes, err := st.maps(session)
	if err != nil {
		return nil, nil, err
	}
	made := st.opened == nil && st.fresh // the native session is made now: its lifetime is the codec's
	cs, err := st.native()
	if err != nil {
		return nil, nil, err
	}
	if cs == nil {
		return nil, nil, fmt.Errorf("cookieseal: session %q has no native session", session.Name())
	}
	if cs.Outcome() == cookieseal.Undecided {
		return nil, nil, cs.Reason()
	}
	// Options changed by the handler choose the cookie's attributes; a
	// deletion keeps those of the cookie it deletes (gin's Options{MaxAge: -1}
	// leaves every other field zero).
	m := st.loadedBy
	if session.Options != nil && session.Options.MaxAge < 0 {
		if err := cs.Destroy(); err != nil {
			return nil, nil, err
		}
	} else {
		var err error
		if m, err = s.manager(session.Name(), session.Options); err != nil {
			return nil, nil, err
		}
		if st.subject != "" && cs.Subject() != st.subject {
			if err := cs.Login(st.subject); err != nil {
				return nil, nil, err
			}
		}
		if err := adapter.Adopt(cs, values, flashes); err != nil { // Replace, without copies of maps made for it
			return nil, nil, err
		}
		// MaxAge is the session's own lifetime.
		want := lifetime(session.Options)
		if made || cs.Lifetime() != want { // want is never the codec's (zero) lifetime
			if err := cs.SetLifetime(want); err != nil {
				return nil, nil, err
			}
		}
	}
	return cs, m, nil
}
