package gorillastore_test

import (
	"net/http"
	"testing"

	"github.com/gorilla/sessions"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	"github.com/cookieseal/cookieseal/bindings/go/gorillastore"
	"github.com/cookieseal/cookieseal/bindings/go/internal/testsupport"
)

// A store's default Options are what the library says its default kind of
// cookie is (cookieseal_session_manager_settings), not a copy in the binding.
func TestStoreOptionsAreTheLibrarysSettings(t *testing.T) {
	for i, c := range []struct {
		o    cookieseal.Options
		want sessions.Options
	}{
		{cookieseal.Options{}, sessions.Options{Path: "/", MaxAge: int(cookieseal.DefaultMaxAge().Seconds()),
			Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}},
		{cookieseal.Options{Name: "prefs", Path: "/app", Insecure: true, SameSite: http.SameSiteStrictMode},
			sessions.Options{Path: "/app", MaxAge: int(cookieseal.DefaultMaxAge().Seconds()), HttpOnly: true,
				SameSite: http.SameSiteStrictMode}},
		// A browser session: gorilla's MaxAge 0 (a cookie without Max-Age).
		{cookieseal.Options{BrowserSession: true}, sessions.Options{Path: "/", Secure: true, HttpOnly: true,
			SameSite: http.SameSiteLaxMode}},
		{cookieseal.Options{MaxAge: cookieseal.Off}, sessions.Options{Path: "/", Secure: true, HttpOnly: true,
			SameSite: http.SameSiteLaxMode}},
	} {
		store, err := gorillastore.New(testsupport.Keyring(t, t.TempDir()), c.o)
		if err != nil {
			t.Fatal(err)
		}
		if *store.Options != c.want {
			t.Errorf("case %d: store Options %+v, want %+v", i, *store.Options, c.want)
		}
		store.Close()
	}
}
