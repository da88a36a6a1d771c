package gorillastore_test

// Several session names in one request: saved together (SaveAll), and served
// by one codec.

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

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

// One codec serves every session name: three gorilla names on one Store run
// one keyring watcher thread and one Redis connection pool, counted in this
// process (/proc/self/task/*/comm) and on a redis-server of the test's own
// (CLIENT LIST), against three Stores, one per name, as the control that
// shows the counts tell the two designs apart.

// workers is how many requests run at once. Each request opens its three
// cookies one after the other (a revocation check each: one Redis round trip
// on a borrowed connection), so one shared pool never holds more than workers
// connections, while one pool per name holds at least one each: with two
// workers, at most 2 against at least 3.
const workers = 2

// loggedIn saves a logged-in session under each name (storeOf[i] serves
// threeNames[i]) and returns the cookies.
func loggedIn(t *testing.T, storeOf []*gorillastore.Store) []string {
	t.Helper()
	r := request(nil)
	for i, name := range threeNames {
		s, err := storeOf[i].Get(r, name)
		if err != nil {
			t.Fatal(name, err)
		}
		gorillastore.Login(s, "alice") // a subject: every open asks the store about revocations
		s.Values["n"] = 0
	}
	w := httptest.NewRecorder()
	if err := sessions.Save(r, w); err != nil {
		t.Fatal(err)
	}
	cookies := w.Result().Header.Values("Set-Cookie")
	if len(cookies) != len(threeNames) {
		t.Fatalf("%d cookies for three names", len(cookies))
	}
	return cookies
}

// busy runs workers goroutines making requests that open and save all three
// names with cookies.
func busy(t *testing.T, storeOf []*gorillastore.Store, cookies []string) {
	t.Helper()
	var wg sync.WaitGroup
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25 && !t.Failed(); i++ {
				r := request(cookies)
				for k, name := range threeNames {
					s, err := storeOf[k].Get(r, name)
					if err != nil || s.IsNew {
						t.Errorf("%s: new %v, %v", name, s.IsNew, err)
						return
					}
					s.Values["n"] = i
				}
				if err := sessions.Save(r, httptest.NewRecorder()); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// settle collects forgotten codecs of earlier tests, so that thread counts
// taken around this test are its own.
func settle() {
	for i := 0; i < 3; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// clientsBecome waits (up to 5 s) for the server's client count to be want,
// collecting garbage meanwhile: the native sessions a request leaves behind
// (freed by their finalizers) hold the codec's store, and its pool, until
// they are collected.
func clientsBecome(t *testing.T, redis *testsupport.Redis, want int) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := redis.Clients(t)
		if n == want || time.Now().After(deadline) {
			return n
		}
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
}

func TestThreeGorillaNamesShareOneKeyringWatcherAndOneStorePool(t *testing.T) {
	redis := testsupport.StartRedis(t)
	keyring := testsupport.Keyring(t, t.TempDir())
	o := cookieseal.Options{Store: redis.URL, Diagnostic: func(m string) { t.Log(m) }}
	settle()
	before := testsupport.KeyringThreads(t)

	store, err := gorillastore.New(keyring, o)
	if err != nil {
		t.Fatal(err)
	}
	one := []*gorillastore.Store{store, store, store}
	busy(t, one, loggedIn(t, one))
	if watchers := testsupport.KeyringThreads(t) - before; watchers != 1 {
		t.Errorf("%d keyring watcher threads for three session names on one store, want 1", watchers)
	}
	t.Logf("one store, three names: %d watcher threads, %d Redis connections",
		testsupport.KeyringThreads(t)-before, redis.Clients(t))
	if n := redis.Clients(t); n < 1 || n > workers {
		t.Errorf("%d Redis connections for three names on one store with %d requests at once, "+
			"want 1 to %d (one pool)", n, workers, workers)
	}
	store.Close()
	if watchers := testsupport.KeyringThreads(t) - before; watchers != 0 {
		t.Errorf("%d keyring watcher threads after Close", watchers)
	}
	if n := clientsBecome(t, redis, 0); n != 0 {
		t.Errorf("%d Redis connections after Close", n)
	}

	// The control: a store per name runs three watchers and three pools.
	var three []*gorillastore.Store
	for range threeNames {
		s, err := gorillastore.New(keyring, o)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		three = append(three, s)
	}
	busy(t, three, loggedIn(t, three))
	if watchers := testsupport.KeyringThreads(t) - before; watchers != 3 {
		t.Errorf("%d keyring watcher threads for three stores, want 3", watchers)
	}
	t.Logf("three stores: %d watcher threads, %d Redis connections",
		testsupport.KeyringThreads(t)-before, redis.Clients(t))
	if n := redis.Clients(t); n < 3 {
		t.Errorf("%d Redis connections for three stores, want at least 3: the count cannot tell one pool from three", n)
	}
}
