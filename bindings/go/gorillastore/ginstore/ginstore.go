// Package ginstore makes a cookieseal gorilla store a gin-contrib/sessions
// store: gin apps change their store constructor and nothing else.
//
//	store, err := gorillastore.New("/etc/cookieseal/keyring", cookieseal.Options{})
//	router.Use(sessions.Sessions("__Host-session", ginstore.New(store)))
package ginstore

import (
	ginsessions "github.com/gin-contrib/sessions"

	"github.com/cookieseal/cookieseal/bindings/go/gorillastore"
)

// Store is a gorillastore.Store as gin-contrib/sessions expects it.
type Store struct {
	*gorillastore.Store
}

// New wraps s for gin-contrib/sessions.
func New(s *gorillastore.Store) ginsessions.Store { return &Store{s} }

// Options sets the default options of new sessions (gin's session.Options).
func (s *Store) Options(o ginsessions.Options) { s.Store.Options = o.ToGorillaOptions() }
