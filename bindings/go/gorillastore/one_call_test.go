package gorillastore_test

// A store without a store directory reads and saves sessions in one call each
// (nothing native kept between New and Save): what a handler sees must be
// what the native path gives.

import (
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/sessions"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	"github.com/cookieseal/cookieseal/bindings/go/gorillastore"
	"github.com/cookieseal/cookieseal/bindings/go/internal/testsupport"
)

// storelessStore is a gorilla store with no store directory and its keyring path.
func storelessStore(t *testing.T) (*gorillastore.Store, string) {
	t.Helper()
	keyring := testsupport.Keyring(t, t.TempDir())
	st, err := gorillastore.New(keyring, cookieseal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, keyring
}

func TestOpenedInOneCallKeepsValuesTypesFlashesAndID(t *testing.T) {
	store, keyring := storelessStore(t)
	// Another server (the native API) queues a flash in a session it made.
	codec, err := cookieseal.Open(keyring, cookieseal.Options{Name: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	defer codec.Close()
	s, _ := codec.LoadHeader("")
	_ = s.Flash("_flash", "from elsewhere")
	_ = s.Set("n", 1)
	h, _ := s.Headers()
	nativeID := s.ID()
	s.Close()

	req := request([]string{cookieOf(h) + ";"})
	session, err := store.New(req, "hello")
	if err != nil || session.IsNew || session.ID != nativeID || session.Values["n"] != 1 {
		t.Fatalf("opened: %v new=%v id %q (want %q) %v", err, session.IsNew, session.ID, nativeID, session.Values)
	}
	if f := session.Flashes(); len(f) != 1 || f[0] != "from elsewhere" {
		t.Errorf("flash: %v", f)
	}
	session.Values["roles"] = []string{"a", "b"}
	session.AddFlash("from gorilla")
	first := httptest.NewRecorder()
	if err := session.Save(req, first); err != nil || session.ID != nativeID {
		t.Fatalf("save: %v, id %q", err, session.ID)
	}
	// A second Save in the request saves the same session again.
	session.Values["n"] = 2
	second := httptest.NewRecorder()
	if err := session.Save(req, second); err != nil || session.ID != nativeID {
		t.Fatalf("second save: %v, id %q", err, session.ID)
	}
	for i, rsp := range []*httptest.ResponseRecorder{first, second} {
		if cc := rsp.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("save %d: Cache-Control %q", i+1, cc)
		}
		again, err := store.New(request(rsp.Header()["Set-Cookie"]), "hello")
		if err != nil || again.ID != nativeID || again.Values["n"] != i+1 {
			t.Fatalf("cookie of save %d: %v id %q %v", i+1, err, again.ID, again.Values)
		}
		if roles, ok := again.Values["roles"].([]string); !ok || len(roles) != 2 {
			t.Errorf("cookie of save %d: roles %#v", i+1, again.Values["roles"])
		}
		if f := again.Flashes(); len(f) != 1 || f[0] != "from gorilla" {
			t.Errorf("cookie of save %d: flashes %v", i+1, f)
		}
	}
}

func TestOnlyOtherCookiesIsANewSessionSavedInOneCall(t *testing.T) {
	store, _ := storelessStore(t)
	req := request([]string{"theme=dark;", "lang=en;"})
	session, err := store.New(req, "hello")
	if err != nil || !session.IsNew || session.ID != "" {
		t.Fatalf("new: %v %v %q", err, session.IsNew, session.ID)
	}
	session.Values["n"] = 1
	rsp := httptest.NewRecorder()
	if err := session.Save(req, rsp); err != nil || len(session.ID) != 32 {
		t.Fatalf("save: %v %q", err, session.ID)
	}
	again, err := store.New(request(rsp.Header()["Set-Cookie"]), "hello")
	if err != nil || again.IsNew || again.ID != session.ID || again.Values["n"] != 1 {
		t.Errorf("reopened: %v %v %q %v", err, again.IsNew, again.ID, again.Values)
	}
}

func TestRefusedCookieIsReplacedAsByTheNativePath(t *testing.T) {
	store, _ := storelessStore(t)
	req := request([]string{"hello=not-a-cookie;"})
	session, err := store.New(req, "hello")
	if err != nil || !session.IsNew || session.ID != "" {
		t.Fatalf("refused: %v %v %q", err, session.IsNew, session.ID)
	}
	session.Values["n"] = 1
	rsp := httptest.NewRecorder()
	if err := session.Save(req, rsp); err != nil {
		t.Fatal(err)
	}
	// A Save always writes its cookie (as CookieStore's): the bad one is replaced.
	again, err := store.New(request(rsp.Header()["Set-Cookie"]), "hello")
	if err != nil || again.IsNew || again.ID != session.ID || again.Values["n"] != 1 {
		t.Errorf("replacement: %v %v %q %v", err, again.IsNew, again.ID, again.Values)
	}
}

func TestHeaderCutAtItsLimitsIsUndecidedInOneCall(t *testing.T) {
	store, _ := storelessStore(t)
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "pad="+strings.Repeat("a", 20000))
	session, err := store.New(req, "hello")
	if !cookieseal.IsUndecided(err) || !errors.Is(err, cookieseal.ErrHeaderTruncated) {
		t.Fatalf("want undecided header_truncated, got %v", err)
	}
	session.Values["n"] = 1
	rsp := httptest.NewRecorder()
	if err := session.Save(req, rsp); !cookieseal.IsUndecided(err) || len(rsp.Header()["Set-Cookie"]) != 0 {
		t.Errorf("save of an undecided request: %v %v", err, rsp.Header())
	}
}

func TestOpenedInOneCallThenLoginOrDeleteUseTheNativePath(t *testing.T) {
	store, _ := storelessStore(t)
	cookies := helloCookies(t, store)
	req := request(cookies)
	session, _ := store.New(req, "hello")
	id := session.ID
	gorillastore.Login(session, "alice")
	rsp := httptest.NewRecorder()
	if err := session.Save(req, rsp); err != nil || session.ID == id || len(session.ID) != 32 {
		t.Fatalf("login: %v, id %q then %q", err, id, session.ID)
	}
	session, _ = store.New(req, "hello")
	session.Options.MaxAge = -1
	rsp = httptest.NewRecorder()
	if err := session.Save(req, rsp); err != nil {
		t.Fatal(err)
	}
	if c := rsp.Header().Get("Set-Cookie"); !strings.Contains(c, "Max-Age=0") {
		t.Errorf("no deletion cookie: %q", c)
	}
}

func TestOpenedInOneCallThenStoreClosedIsAnError(t *testing.T) {
	store, _ := storelessStore(t)
	req := request(helloCookies(t, store))
	session, err := store.New(req, "hello")
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	if err := session.Save(req, httptest.NewRecorder()); !errors.Is(err, cookieseal.ErrClosed) {
		t.Errorf("save after Close: %v", err)
	}
	if _, err := store.New(req, "hello"); !errors.Is(err, cookieseal.ErrClosed) {
		t.Errorf("new after Close: %v", err)
	}
}

// A session that no longer opens when Save opens its cookie again (here its
// key replaced by a keyring reload between New and Save) is not saved.
func TestSessionThatNoLongerOpensAtSaveIsNotSaved(t *testing.T) {
	dir := t.TempDir()
	store, err := gorillastore.New(testsupport.Keyring(t, dir), cookieseal.Options{ReloadInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cookies := helloCookies(t, store)
	req := request(cookies)
	session, err := store.New(req, "hello")
	if err != nil || session.IsNew {
		t.Fatalf("opened: %v %v", err, session.IsNew)
	}
	testsupport.Keyring(t, dir) // the same key id, other bytes: the cookie no longer opens
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if again, err := store.New(request(cookies), "hello"); err != nil || again.IsNew {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the keyring was not reloaded")
		}
	}
	session.Values["n"] = 2
	rsp := httptest.NewRecorder()
	if err := session.Save(req, rsp); err == nil || len(rsp.Header()["Set-Cookie"]) != 0 {
		t.Errorf("saved a session that no longer opens: %v %v", err, rsp.Header())
	}
}

// With a store, a session keeps one native session for the request's later
// Saves: the store is asked once (by the second Save's open), not by each.
func TestWithAStoreLaterSavesAskTheStoreOnce(t *testing.T) {
	store, dir := gorillaStore(t)
	req := request(nil)
	session, _ := store.New(req, "hello")
	for n := 1; n <= 3; n++ {
		if n == 3 {
			if err := os.Rename(filepath.Join(dir, "store"), filepath.Join(dir, "moved")); err != nil {
				t.Fatal(err)
			}
		}
		session.Values["n"] = n
		rsp := httptest.NewRecorder()
		if err := session.Save(req, rsp); err != nil || len(rsp.Header()["Set-Cookie"]) != 1 {
			t.Fatalf("save %d: %v %v", n, err, rsp.Header())
		}
	}
}

// Sessions from gorilla's registry (store.Get, as gin's and echo's adapters
// take them) keep their request state: a Login takes effect, a session that
// was undecided is never saved even once the store answers again, and a
// store without a store directory reads and saves them in one call too.
func TestRegistrySessionsKeepTheirRequestState(t *testing.T) {
	store, dir := gorillaStore(t)
	req := request(nil)
	session, err := store.Get(req, "hello")
	if err != nil {
		t.Fatal(err)
	}
	gorillastore.Login(session, "alice")
	session.Values["n"] = 1
	rsp := httptest.NewRecorder()
	if err := sessions.Save(req, rsp); err != nil {
		t.Fatal(err)
	}
	codec, err := cookieseal.Open(filepath.Join(dir, "keyring"), cookieseal.Options{Name: "hello",
		Store: filepath.Join(dir, "store")})
	if err != nil {
		t.Fatal(err)
	}
	defer codec.Close()
	s, _ := codec.LoadHeader(cookieOf(headersOf(rsp)))
	if s.Subject() != "alice" || s.ID() != session.ID {
		t.Errorf("login through the registry: subject %q id %q, want alice %q", s.Subject(), s.ID(), session.ID)
	}
	s.Close()

	// A cookie whose session is in the store, read while the store is away.
	big := httptest.NewRecorder()
	session, _ = store.New(request(nil), "hello")
	session.Values["cart"] = strings.Repeat("c", 6000)
	if err := session.Save(request(nil), big); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "store"), filepath.Join(dir, "moved")); err != nil {
		t.Fatal(err)
	}
	req = request(big.Header()["Set-Cookie"])
	session, err = store.Get(req, "hello")
	if !cookieseal.IsUndecided(err) {
		t.Fatalf("want undecided, got %v", err)
	}
	if err := os.Rename(filepath.Join(dir, "moved"), filepath.Join(dir, "store")); err != nil {
		t.Fatal(err)
	}
	session.Values["cart"] = "overwritten"
	rsp = httptest.NewRecorder()
	if err := sessions.Save(req, rsp); err == nil || len(rsp.Header()["Set-Cookie"]) != 0 {
		t.Errorf("an undecided session was saved: %v %v", err, rsp.Header())
	}

	// Without a store directory, through the registry too.
	oneCall, _ := storelessStore(t)
	cookies := helloCookies(t, oneCall)
	req = request(cookies)
	session, err = oneCall.Get(req, "hello")
	if err != nil || session.IsNew || session.Values["n"] != 1 {
		t.Fatalf("opened through the registry: %v %v %v", err, session.IsNew, session.Values)
	}
	again, _ := oneCall.Get(req, "hello")
	if again != session {
		t.Error("the registry gave another session")
	}
	session.Values["n"] = 2
	rsp = httptest.NewRecorder()
	if err := sessions.Save(req, rsp); err != nil {
		t.Fatal(err)
	}
	reopened, err := oneCall.New(request(rsp.Header()["Set-Cookie"]), "hello")
	if err != nil || reopened.ID != session.ID || reopened.Values["n"] != 2 {
		t.Errorf("saved through the registry: %v %q %v", err, reopened.ID, reopened.Values)
	}
}
