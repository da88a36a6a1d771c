package cookieseal_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
)

// The library is the one home of the defaults: a manager made with no cookie
// options reports the library's, and one made with some reports them, with
// the rest filled in.
func TestSettingsAreTheLibrarysAnswer(t *testing.T) {
	m, _ := newCodec(t, cookieseal.Options{})
	got := m.Settings()
	want := cookieseal.Settings{Name: "__Host-session", Path: "/", SameSite: http.SameSiteLaxMode,
		Secure: true, HTTPOnly: true, MaxAge: cookieseal.DefaultMaxAge(), IdleTimeout: 24 * time.Hour}
	if got != want {
		t.Fatalf("default settings %+v, want %+v", got, want)
	}
	if m.Name() != got.Name {
		t.Errorf("Name %q, settings %q", m.Name(), got.Name)
	}

	c, err := cookieseal.NewCodec(cookieseal.Options{KeyringPath: keyringFile(t, t.TempDir()),
		MaxAge: cookieseal.Off, IdleTimeout: cookieseal.Off})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	prefs, err := c.SessionManager(cookieseal.Options{Name: "prefs", Purpose: "ui", Path: "/app",
		Domain: "example.com", SameSite: http.SameSiteStrictMode, Partitioned: true, BrowserSession: true})
	if err != nil {
		t.Fatal(err)
	}
	got = prefs.Settings()
	want = cookieseal.Settings{Name: "prefs", Purpose: "ui", Path: "/app", Domain: "example.com",
		SameSite: http.SameSiteStrictMode, Secure: true, HTTPOnly: true, Partitioned: true,
		BrowserSession: true, MaxAge: cookieseal.Off, IdleTimeout: cookieseal.Off}
	if got != want {
		t.Fatalf("settings %+v, want %+v", got, want)
	}
	prefs.Close()
	if s := prefs.Settings(); s.Name != "prefs" {
		t.Errorf("a closed manager's settings changed: %+v", s)
	}
	if _, err := c.SessionManager(cookieseal.Options{}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := c.SessionManager(cookieseal.Options{}); !errors.Is(err, cookieseal.ErrClosed) {
		t.Errorf("a manager on a closed codec: %v, want ErrClosed", err)
	}
}
