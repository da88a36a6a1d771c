// Package adapter is what the binding's own adapters (gorillastore) reach of
// a RequestSession beyond the public API, which copies to stay safe for any
// caller: its values without a copy, a Replace that keeps the maps it is
// given, and a session read or saved in one call. Package cookieseal sets the functions when it is initialised (it
// imports this package, which cannot import it); the session is passed as
// its *cookieseal.RequestSession.
package adapter

import "net/http"

var (
	// Values is the session's own values map (as Get returns them): read it
	// before the session's next change, never write it.
	Values func(session interface{}) map[string]interface{}
	// Flashes is the session's own queued flashes by key, as Values.
	Flashes func(session interface{}) map[string][]interface{}
	// Adopt is RequestSession.Replace keeping the maps given (the caller
	// never touches them again) instead of copies.
	Adopt func(session interface{}, values map[string]interface{}, flashes map[string][]interface{}) error
	// SaveNew seals a new session of a *cookieseal.SessionManager holding
	// values, flashes (each Value a []interface{}) and a cookieseal.Lifetime
	// in one call, for a request that came without its cookie: the headers go
	// to w; it returns the session's id and the "name=value" its Set-Cookie sets.
	SaveNew func(manager interface{}, w http.ResponseWriter, values, flashes []Entry, lifetime interface{}) (id, cookie string, err error)
	// OpenHeader reads the session a Cookie header holds of a
	// *cookieseal.SessionManager with nothing native to make or free (no
	// finalizer's work for a read-only request). ok is false when that cannot
	// be done: the open needs the store or the keyring file (it would then
	// be read again by the save), or a refused cookie is to be cleared; load
	// a RequestSession then.
	OpenHeader func(manager interface{}, header string) (o Opened, ok bool, err error)
	// SaveHeader is SaveNew for the session a Cookie header holds (one
	// OpenHeader read, or the cookie an earlier one-call save wrote): opened
	// again, changed to values, flashes and lifetime, and saved in one call,
	// its id kept. A session that no longer opens is not saved: its reason
	// (undecided: answer 503).
	SaveHeader func(manager interface{}, w http.ResponseWriter, header string, values, flashes []Entry, lifetime interface{}) (id, cookie string, err error)
)

// Opened is a Cookie header's session as OpenHeader reads it.
type Opened struct {
	Values    map[string]interface{}   // nil when no cookie opened
	Flashes   map[string][]interface{} // by key (nil: none)
	ID        string                   // "" when no cookie opened (none came, or undecided)
	Undecided error                    // the request is undecided: its reason (answer 503)
}

// Entry is one member of a session's values or flashes: no map is built for
// a session that is sealed once and dropped.
type Entry struct {
	Key   string
	Value interface{}
}
