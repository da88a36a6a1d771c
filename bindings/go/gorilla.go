package cookieseal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/sessions"
)

// GorillaStore is a sessions.Store for gorilla/sessions 1.2: swap it in for a
// CookieStore and sessions become encrypted, rotating cookies that C++ and
// Python servers sharing the keyring file open too.
//
//	store, err := cookieseal.NewGorillaStore("/etc/cookieseal/keyring", cookieseal.Options{})
//	session, _ := store.Get(r, "__Host-session")
//	session.Values["visits"] = n + 1
//	session.AddFlash("Saved.")
//	err = session.Save(r, w)   // or sessions.Save(r, w) for every session of the request
//
// Each session name is its own cookie (a codec per name). Values are the JSON
// kinds: string keys; string, int, float64, bool, nil, []byte, slices and maps
// with string keys (slices come back as []interface{}); anything else is
// refused by Save with an error naming the key. Options.MaxAge = -1 destroys
// the session (server-side too) and deletes the cookie. A request whose cookie
// cannot be judged gets a new session and an undecided error from Get
// (IsUndecided), and Save then writes nothing: answer 503.
//
// Flashes: gorilla keeps them in Values (under "_flash" or the key given to
// AddFlash). The store exchanges cookieseal flashes under "_flash", under any
// key that held flashes when the session was loaded, and under FlashKeys, so a
// flash queued by another server shows in Flashes(key).
type GorillaStore struct {
	Options   *sessions.Options // defaults for new sessions (Path, MaxAge, ...)
	FlashKeys []string          // more Values keys that hold flashes (e.g. "notice")

	base     Options
	shared   *Codec // one keyring watcher and one store pool for every session name
	mu       sync.Mutex
	managers map[string]*SessionManager
}

// NewGorillaStore makes a store over the keyring file at keyringPath.
func NewGorillaStore(keyringPath string, o Options) (*GorillaStore, error) {
	o.KeyringPath = keyringPath
	c, err := NewCodec(o)
	if err != nil {
		return nil, err
	}
	s := &GorillaStore{base: o, shared: c, managers: map[string]*SessionManager{}}
	// Fail now on bad cookie options, not on the first request.
	if _, err := s.manager(nameOr(o.Name)); err != nil {
		c.Close()
		return nil, err
	}
	maxAge := o.MaxAge
	if maxAge == 0 {
		maxAge = defaultMaxAge()
	}
	s.Options = &sessions.Options{Path: "/", MaxAge: int(maxAge / time.Second), Secure: !o.Insecure,
		HttpOnly: !o.NoHTTPOnly, SameSite: http.SameSiteLaxMode}
	return s, nil
}

func nameOr(n string) string {
	if n == "" {
		return "__Host-session"
	}
	return n
}

// manager returns the session manager of cookie name (made on first use, on
// the store's one codec).
func (s *GorillaStore) manager(name string) (*SessionManager, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.managers[name]; ok {
		return m, nil
	}
	o := s.base
	o.Name = name
	m, err := s.shared.SessionManager(o)
	if err != nil {
		return nil, err
	}
	s.managers[name] = m
	return m, nil
}

// Close frees the store's codec and managers; sessions in flight then fail
// with ErrClosed (never a crash). Twice is fine.
func (s *GorillaStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.managers {
		m.Close()
	}
	s.managers = map[string]*SessionManager{}
	return s.shared.Close()
}

// RevokeSubject logs subject out everywhere (see Codec.RevokeSubject).
func (s *GorillaStore) RevokeSubject(subject string) error {
	return s.shared.RevokeSubject(subject)
}

// Get returns the request's session of that name, cached in the request's registry.
func (s *GorillaStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// gorillaState travels in session.Values under an unexported key type, so it
// can never collide with a user's key nor be sealed.
type gorillaState struct {
	opened     *Session // what New opened, saved by Save: the cookie is opened once
	header     string   // the cookie to open again for a second Save in the request
	undecided  error
	flashKeys  map[string]bool
	subject    string // Login's subject, applied by Save
	regenerate bool
}

type stateKey struct{}

func stateOf(session *sessions.Session) *gorillaState {
	st, _ := session.Values[stateKey{}].(*gorillaState)
	return st
}

// New opens the session of that name from the request (not cached).
func (s *GorillaStore) New(r *http.Request, name string) (*sessions.Session, error) {
	session := sessions.NewSession(s, name)
	opts := *s.Options
	session.Options = &opts
	session.IsNew = true
	st := &gorillaState{header: strings.Join(r.Header.Values("Cookie"), "\n"), flashKeys: map[string]bool{"_flash": true}}
	for _, k := range s.FlashKeys {
		st.flashKeys[k] = true
	}
	session.Values[stateKey{}] = st
	m, err := s.manager(name)
	if err != nil {
		return session, err
	}
	cs, err := m.LoadHeader(st.header)
	if err != nil {
		return session, err
	}
	switch cs.Outcome() {
	case Undecided:
		cs.Close()
		st.undecided = cs.Reason()
		return session, cs.Reason()
	case Refused:
		st.opened = cs
		return session, nil // a fresh session; Save clears the bad cookie
	}
	// Kept for Save (freed there, or by its finalizer if the handler never saves).
	st.opened = cs
	session.IsNew = cs.IsNew()
	session.ID = cs.ID()
	for k, v := range cs.values {
		session.Values[k] = v
	}
	for k, raws := range cs.data.Flashes {
		st.flashKeys[k] = true
		list, _ := session.Values[k].([]interface{})
		for _, raw := range raws {
			if v, err := fromJSON(raw); err == nil {
				list = append(list, v)
			}
		}
		session.Values[k] = list
	}
	return session, nil
}

// GorillaLogin marks a gorilla session as logged in as subject (new id, for
// "log out everywhere"); it takes effect when the session is saved.
func GorillaLogin(session *sessions.Session, subject string) {
	if st := stateOf(session); st != nil {
		st.subject = subject
	}
}

// Save writes the session's cookie (or deletes it when Options.MaxAge < 0).
func (s *GorillaStore) Save(r *http.Request, w http.ResponseWriter, session *sessions.Session) error {
	st := stateOf(session)
	if st == nil {
		return fmt.Errorf("cookieseal: session %q was not made by this store", session.Name())
	}
	if st.undecided != nil {
		return st.undecided // nothing is written: answer 503
	}
	values := map[string]interface{}{}
	flashes := map[string][]interface{}{}
	for k, v := range session.Values {
		if _, internal := k.(stateKey); internal {
			continue
		}
		key, ok := k.(string)
		if !ok {
			return &Error{Status: ErrInvalidArgument.Status, Name: ErrInvalidArgument.Name,
				Message: fmt.Sprintf("session key %v is a %T: keys must be strings", k, k)}
		}
		if list, isList := v.([]interface{}); isList && st.flashKeys[key] {
			for _, f := range list {
				if err := checkValue(key, f); err != nil {
					return err
				}
				flashes[key] = append(flashes[key], toJSON(f))
			}
			continue
		}
		if err := checkValue(key, v); err != nil {
			return err
		}
		values[key] = toJSON(v)
	}
	cs := st.opened
	st.opened = nil
	if cs == nil { // a second Save in the request: start from what the first sent
		m, err := s.manager(session.Name())
		if err != nil {
			return err
		}
		if cs, err = m.LoadHeader(st.header); err != nil {
			return err
		}
	}
	defer cs.Close()
	if cs.Outcome() == Undecided {
		return cs.Reason()
	}
	if session.Options != nil && session.Options.MaxAge < 0 {
		if err := cs.Destroy(); err != nil {
			return err
		}
	} else {
		if st.subject != "" && cs.Subject() != st.subject {
			if err := cs.Login(st.subject); err != nil {
				return err
			}
		}
		body, err := json.Marshal(map[string]interface{}{"values": values, "flashes": flashes})
		if err != nil {
			return err
		}
		if err := cs.req.update(body); err != nil {
			return err
		}
	}
	if err := cs.Save(w); err != nil {
		return err
	}
	// A later Save in the same request starts from what this one sent.
	for _, v := range w.Header().Values("Set-Cookie") {
		if len(v) > len(session.Name())+1 && v[:len(session.Name())+1] == session.Name()+"=" {
			st.header = v[:indexOrLen(v, ';')]
		}
	}
	session.ID = cs.ID()
	return nil
}

func indexOrLen(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return len(s)
}
