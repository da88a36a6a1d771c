package cookieseal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

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

	base   Options
	mu     sync.Mutex
	codecs map[string]*Codec
}

// NewGorillaStore makes a store over the keyring file at keyringPath.
func NewGorillaStore(keyringPath string, o Options) (*GorillaStore, error) {
	o.KeyringPath = keyringPath
	s := &GorillaStore{base: o, codecs: map[string]*Codec{}}
	// Fail now on a bad keyring or store, not on the first request.
	if _, err := s.codec(nameOr(o.Name)); err != nil {
		return nil, err
	}
	maxAge := int(seconds(o.MaxAge, 7*24*3600))
	s.Options = &sessions.Options{Path: "/", MaxAge: maxAge, Secure: !o.Insecure,
		HttpOnly: !o.NoHTTPOnly, SameSite: http.SameSiteLaxMode}
	return s, nil
}

func nameOr(n string) string {
	if n == "" {
		return "__Host-session"
	}
	return n
}

// Codec returns the codec of cookie name (made on first use).
func (s *GorillaStore) codec(name string) (*Codec, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.codecs[name]; ok {
		return c, nil
	}
	o := s.base
	o.Name = name
	c, err := New(o)
	if err != nil {
		return nil, err
	}
	s.codecs[name] = c
	return c, nil
}

// Close frees every codec of the store.
func (s *GorillaStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.codecs {
		c.Close()
	}
	s.codecs = map[string]*Codec{}
	return nil
}

// RevokeSubject logs subject out everywhere (see Codec.RevokeSubject).
func (s *GorillaStore) RevokeSubject(subject string) error {
	c, err := s.codec(nameOr(s.base.Name))
	if err != nil {
		return err
	}
	return c.RevokeSubject(subject)
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
	st := &gorillaState{header: r.Header.Get("Cookie"), flashKeys: map[string]bool{"_flash": true}}
	for _, k := range s.FlashKeys {
		st.flashKeys[k] = true
	}
	session.Values[stateKey{}] = st
	c, err := s.codec(name)
	if err != nil {
		return session, err
	}
	cs, err := c.LoadHeader(st.header)
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
		c, err := s.codec(session.Name())
		if err != nil {
			return err
		}
		if cs, err = c.LoadHeader(st.header); err != nil {
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
