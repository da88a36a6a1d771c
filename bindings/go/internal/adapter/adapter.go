// Package adapter is what the binding's own adapters (gorillastore) reach of
// a RequestSession beyond the public API, which copies to stay safe for any
// caller: its values without a copy, and a Replace that keeps the maps it is
// given. Package cookieseal sets the functions when it is initialised (it
// imports this package, which cannot import it); the session is passed as
// its *cookieseal.RequestSession.
package adapter

var (
	// Values is the session's own values map (as Get returns them): read it
	// before the session's next change, never write it.
	Values func(session interface{}) map[string]interface{}
	// Flashes is the session's own queued flashes by key, as Values.
	Flashes func(session interface{}) map[string][]interface{}
	// Adopt is RequestSession.Replace keeping the maps given (the caller
	// never touches them again) instead of copies.
	Adopt func(session interface{}, values map[string]interface{}, flashes map[string][]interface{}) error
)
