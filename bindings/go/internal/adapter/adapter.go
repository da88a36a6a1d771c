// Package adapter is what the binding's own adapters (gorillastore) reach of
// a RequestSession beyond the public API, which copies to stay safe for any
// caller: its values without a copy, a Replace that keeps the maps it is
// given, and a new session saved in one call. Package cookieseal sets the functions when it is initialised (it
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
)

// Entry is one member of a session's values or flashes: no map is built for
// a session that is sealed once and dropped.
type Entry struct {
	Key   string
	Value interface{}
}
