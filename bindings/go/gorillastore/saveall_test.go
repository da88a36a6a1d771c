package gorillastore_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/sessions"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	"github.com/cookieseal/cookieseal/bindings/go/gorillastore"
	"github.com/cookieseal/cookieseal/bindings/go/internal/testsupport"
)

var threeNames = []string{"__Host-session", "__Host-prefs", "__Host-cart"}

// getThree gets the three names' sessions of r, each holding its name under "kind".
func getThree(t *testing.T, store *gorillastore.Store, r *http.Request) []*sessions.Session {
	t.Helper()
	var out []*sessions.Session
	for _, name := range threeNames {
		s, err := store.Get(r, name)
		if err != nil {
			t.Fatal(name, err)
		}
		s.Values["kind"] = name
		out = append(out, s)
	}
	return out
}

func TestSaveAllWritesEveryNamesCookie(t *testing.T) {
	store, _ := gorillaStore(t)
	r := request(nil)
	w := httptest.NewRecorder()
	if err := gorillastore.SaveAll(r, w, getThree(t, store, r)...); err != nil {
		t.Fatal(err)
	}
	set := w.Result().Header.Values("Set-Cookie")
	if len(set) != 3 {
		t.Fatalf("%d cookies for three names: %q", len(set), set)
	}
	again := request(set)
	for _, name := range threeNames {
		s, err := store.Get(again, name)
		if err != nil {
			t.Fatal(err)
		}
		if s.IsNew || s.Values["kind"] != name {
			t.Errorf("%s: new %v, kind %v", name, s.IsNew, s.Values["kind"])
		}
	}
}

// One name's session needs the store (over 4 KB), which stops answering:
// SaveAll writes no cookie for any name, where sessions.Save, saving each in
// turn, lets the two small ones out.
func TestSaveAllUndecidedForOneNameWritesNoCookie(t *testing.T) {
	redis := testsupport.StartRedis(t)
	store, err := gorillastore.New(testsupport.Keyring(t, t.TempDir()),
		cookieseal.Options{Store: redis.URL, Diagnostic: func(string) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r := request(nil)
	all := getThree(t, store, r)
	all[1].Values["notes"] = strings.Repeat("x", 6000)
	other := request(nil)
	each := getThree(t, store, other)
	each[1].Values["notes"] = strings.Repeat("x", 6000)
	redis.Stop()

	w := httptest.NewRecorder()
	if err := gorillastore.SaveAll(r, w, all...); !cookieseal.IsUndecided(err) {
		t.Fatalf("SaveAll with the store gone: %v, want undecided", err)
	}
	if set := w.Result().Header.Values("Set-Cookie"); len(set) != 0 {
		t.Fatalf("undecided for one name, yet %d cookies were written: %q", len(set), set)
	}
	w = httptest.NewRecorder()
	if err := sessions.Save(other, w); err == nil {
		t.Fatal("sessions.Save with the store gone succeeded")
	}
	if n := len(w.Result().Header.Values("Set-Cookie")); n != 2 {
		t.Fatalf("sessions.Save wrote %d cookies, want the two small ones (what SaveAll prevents)", n)
	}
}

func TestSaveAllRefusesWhatItCannotSaveTogether(t *testing.T) {
	store, _ := gorillaStore(t)
	r := request(nil)
	three := getThree(t, store, r)
	three[2].Options.SameSite = http.SameSiteStrictMode // another kind of cookie than it was loaded as
	w := httptest.NewRecorder()
	if err := gorillastore.SaveAll(r, w, three...); err == nil || !strings.Contains(err.Error(), "attributes") {
		t.Fatalf("SaveAll of a session whose attributes changed: %v", err)
	}
	foreign := sessions.NewCookieStore([]byte("0123456789abcdef0123456789abcdef"))
	theirs, _ := foreign.Get(r, "theirs")
	if err := gorillastore.SaveAll(r, w, three[0], theirs); err == nil {
		t.Fatal("SaveAll of another store's session succeeded")
	}
	if set := w.Result().Header.Values("Set-Cookie"); len(set) != 0 {
		t.Fatalf("a refused SaveAll wrote %q", set)
	}
}
