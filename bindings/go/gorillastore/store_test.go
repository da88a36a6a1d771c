package gorillastore_test

// The gorilla/sessions Store, with behaviour ported from gorilla/sessions' own
// store and session tests where it applies (flashes, options copied per
// session, deletion with MaxAge -1, the request registry).

import (
	"encoding/gob"
	"errors"
	"net/http"
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

// cookieOf is "name=value" of the Set-Cookie among headers, or "".
func cookieOf(headers [][2]string) string {
	for _, h := range headers {
		if h[0] == "Set-Cookie" {
			return h[1][:strings.IndexByte(h[1], ';')]
		}
	}
	return ""
}

func gorillaStore(t *testing.T) (*gorillastore.Store, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := gorillastore.New(testsupport.Keyring(t, dir), cookieseal.Options{Store: filepath.Join(dir, "store")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, dir
}

// request carries the cookies in one Cookie header, as browsers send them.
func request(cookies []string) *http.Request {
	req, _ := http.NewRequest("GET", "http://localhost:8080/", nil)
	var pairs []string
	for _, c := range cookies {
		pairs = append(pairs, c[:strings.IndexByte(c, ';')])
	}
	if len(pairs) > 0 {
		req.Header.Set("Cookie", strings.Join(pairs, "; "))
	}
	return req
}

type flashMessage struct {
	Type    int
	Message string
}

func TestGorillaFlashesAsGorillaDoes(t *testing.T) {
	store, _ := gorillaStore(t)
	// Round 1: no flashes; add some, with the default and a custom key.
	req := request(nil)
	rsp := httptest.NewRecorder()
	session, err := store.Get(req, "session-key")
	if err != nil {
		t.Fatalf("Error getting session: %v", err)
	}
	if flashes := session.Flashes(); len(flashes) != 0 {
		t.Errorf("Expected empty flashes; Got %v", flashes)
	}
	session.AddFlash("foo")
	session.AddFlash("bar")
	session.AddFlash("baz", "custom_key")
	if err = sessions.Save(req, rsp); err != nil {
		t.Fatalf("Error saving session: %v", err)
	}
	cookies := rsp.Header()["Set-Cookie"]
	if len(cookies) != 1 {
		t.Fatal("No cookies. Header:", rsp.Header())
	}
	if _, err = store.Get(req, "session:key"); err == nil {
		t.Fatalf("Expected an error for an invalid cookie name")
	}
	// Round 2: they come back once each.
	req = request(cookies)
	session, err = store.Get(req, "session-key")
	if err != nil || session.IsNew {
		t.Fatalf("Error getting session: %v (new %v)", err, session.IsNew)
	}
	if flashes := session.Flashes(); len(flashes) != 2 || flashes[0] != "foo" || flashes[1] != "bar" {
		t.Errorf("Expected foo,bar; Got %v", flashes)
	}
	if flashes := session.Flashes(); len(flashes) != 0 {
		t.Errorf("Expected dumped flashes; Got %v", flashes)
	}
	if flashes := session.Flashes("custom_key"); len(flashes) != 1 || flashes[0] != "baz" {
		t.Errorf("Expected baz; Got %v", flashes)
	}
	// Round 3: a gob-registered custom type round-trips (as gob bytes).
	gob.Register(&flashMessage{})
	req = request(nil)
	rsp = httptest.NewRecorder()
	session, _ = store.Get(req, "session-key")
	session.AddFlash(&flashMessage{42, "foo"})
	if err = sessions.Save(req, rsp); err != nil {
		t.Fatalf("Error saving session: %v", err)
	}
	cookies = rsp.Header()["Set-Cookie"]
	// Round 4: the custom type comes back as it went in.
	session, err = store.Get(request(cookies), "session-key")
	if err != nil || session.IsNew {
		t.Fatalf("Error getting session: %v", err)
	}
	flashes := session.Flashes()
	if len(flashes) != 1 {
		t.Fatalf("Expected one flash; Got %#v", flashes)
	}
	if custom, ok := flashes[0].(*flashMessage); !ok || custom.Type != 42 || custom.Message != "foo" {
		t.Errorf("Expected &flashMessage{42, \"foo\"}; Got %#v", flashes[0])
	}
	// A type gob does not know is refused, naming the key; nothing is written.
	req = request(nil)
	rsp = httptest.NewRecorder()
	session, _ = store.Get(req, "session-key")
	session.AddFlash(struct{ Unregistered int }{1})
	err = session.Save(req, rsp)
	if err == nil || !strings.Contains(err.Error(), `"_flash"`) || !errors.Is(err, cookieseal.ErrInvalidArgument) {
		t.Errorf("an unregistered type: %v", err)
	}
	if err := sessions.Save(req, rsp); err == nil || !strings.Contains(err.Error(), `"_flash"`) {
		t.Errorf("an unregistered type through the registry: %v", err)
	}
	if len(rsp.Header()["Set-Cookie"]) != 0 {
		t.Errorf("a refused save wrote a cookie")
	}
	// Round 5: a shallow copy of the request keeps the registry's session.
	req = request(nil)
	session, _ = store.Get(req, "session-key")
	session.Values["test"] = "test-value"
	req = req.WithContext(req.Context())
	session, _ = store.Get(req, "session-key")
	if session.Values["test"] != "test-value" {
		t.Fatalf("Session test value is lost in the request context!")
	}
}

func TestGorillaValuesOptionsAndSeveralSessions(t *testing.T) {
	store, _ := gorillaStore(t)
	req := request(nil)
	rsp := httptest.NewRecorder()
	auth, _ := store.Get(req, "auth")
	prefs, _ := store.Get(req, "prefs")
	store.Options.Path = "/foo" // (GH-8) a session keeps the options it was made with
	if auth.Options.Path != "/" {
		t.Fatalf("bad session path: got %q", auth.Options.Path)
	}
	auth.Values["user_id"] = 1234567
	auth.Values["roles"] = []string{"admin", "editor"}
	auth.Values["ok"] = true
	auth.Values["ratio"] = 0.25
	auth.Values["raw"] = []byte("\x00\xff")
	auth.Values["nested"] = map[string]interface{}{"a": []interface{}{1, "b"}}
	gorillastore.Login(auth, "alice")
	prefs.Values["theme"] = "dark"
	if err := sessions.Save(req, rsp); err != nil {
		t.Fatal(err)
	}
	cookies := rsp.Header()["Set-Cookie"]
	if len(cookies) != 2 || rsp.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("two cookies and no-store: %v", rsp.Header())
	}
	req = request(cookies)
	auth, err := store.Get(req, "auth")
	if err != nil || auth.IsNew || len(auth.ID) != 32 {
		t.Fatalf("auth: %v %v %q", err, auth.IsNew, auth.ID)
	}
	if auth.Values["user_id"] != 1234567 || auth.Values["ok"] != true || auth.Values["ratio"] != 0.25 ||
		string(auth.Values["raw"].([]byte)) != "\x00\xff" {
		t.Errorf("values: %v", auth.Values)
	}
	if roles := auth.Values["roles"].([]string); len(roles) != 2 || roles[1] != "editor" {
		t.Errorf("roles: %v", roles)
	}
	if p, _ := store.Get(req, "prefs"); p.Values["theme"] != "dark" {
		t.Errorf("prefs: %v", p.Values)
	}
	// A key that is not a string is refused, naming it.
	auth.Values[42] = "x"
	if err := auth.Save(req, httptest.NewRecorder()); err == nil || !strings.Contains(err.Error(), "42") {
		t.Errorf("an int key: %v", err)
	}
}

// helloCookies saves a new session "hello" with n = 1 and returns its Set-Cookie lines.
func helloCookies(t *testing.T, store *gorillastore.Store) []string {
	t.Helper()
	req := request(nil)
	rsp := httptest.NewRecorder()
	session, _ := store.New(req, "hello")
	session.Values["n"] = 1
	if err := session.Save(req, rsp); err != nil {
		t.Fatal("failed to save session", err)
	}
	return rsp.Header()["Set-Cookie"]
}

func TestGorillaMaxAgeMinusOneDeletes(t *testing.T) {
	store, _ := gorillaStore(t)
	cookies := helloCookies(t, store)
	req := request(cookies)
	session, _ := store.New(req, "hello")
	session.Options.MaxAge = -1
	rsp := httptest.NewRecorder()
	if err := session.Save(req, rsp); err != nil {
		t.Fatal("failed to delete session", err)
	}
	if c := rsp.Header().Get("Set-Cookie"); !strings.Contains(c, "Max-Age=0") {
		t.Errorf("no deletion cookie: %q", c)
	}
	// The old cookie is ended server-side too.
	again, _ := store.New(request(cookies), "hello")
	if !again.IsNew || again.Values["n"] != nil {
		t.Errorf("a deleted session came back: %v", again.Values)
	}
}

func TestGorillaOpensTheCookieOncePerRequest(t *testing.T) {
	store, dir := gorillaStore(t)
	req := request(helloCookies(t, store))
	session, err := store.New(req, "hello")
	if err != nil || session.Values["n"] != 1 {
		t.Fatalf("reopened: %v %v", err, session.Values)
	}
	// Save seals what New opened: it does not open the cookie again, so the
	// store (asked by every open for revocations) is not needed any more.
	if err := os.Rename(filepath.Join(dir, "store"), filepath.Join(dir, "moved")); err != nil {
		t.Fatal(err)
	}
	session.Values["n"] = 2
	rsp := httptest.NewRecorder()
	if err := session.Save(req, rsp); err != nil {
		t.Fatalf("save after the cookie was opened: %v", err)
	}
	if !strings.HasPrefix(rsp.Header().Get("Set-Cookie"), "hello=") {
		t.Errorf("no cookie: %v", rsp.Header())
	}
}

func TestGorillaUndecidedWritesNothingAndFlashesCrossServers(t *testing.T) {
	store, dir := gorillaStore(t)
	store.FlashKeys = []string{"notice"}
	// Another server (the native API, as the C++ or Python ones) queues a flash.
	codec, err := cookieseal.Open(filepath.Join(dir, "keyring"), cookieseal.Options{Name: "sid",
		Store: filepath.Join(dir, "store")})
	if err != nil {
		t.Fatal(err)
	}
	defer codec.Close()
	s, _ := codec.LoadHeader("")
	_ = s.Flash("notice", "from elsewhere")
	_ = s.Set("cart", strings.Repeat("c", 6000)) // in the store
	h, _ := s.Headers()
	s.Close()
	cookie := cookieOf(h) + ";"
	session, err := store.Get(request([]string{cookie}), "sid")
	if err != nil {
		t.Fatal(err)
	}
	if f := session.Flashes("notice"); len(f) != 1 || f[0] != "from elsewhere" {
		t.Errorf("cross-server flash: %v", f)
	}
	session.AddFlash("from gorilla", "notice")
	rsp := httptest.NewRecorder()
	req := request([]string{cookie})
	if err := store.Save(req, rsp, session); err != nil {
		t.Fatal(err)
	}
	s, _ = codec.LoadHeader(cookieOf(headersOf(rsp)))
	if f := s.Flashes("notice"); len(f) != 1 || f[0] != "from gorilla" {
		t.Errorf("gorilla's flash seen natively: %v", f)
	}
	s.Close()

	_ = os.Rename(filepath.Join(dir, "store"), filepath.Join(dir, "moved"))
	req = request([]string{cookie})
	session, err = store.Get(req, "sid")
	if !cookieseal.IsUndecided(err) || !errors.Is(err, cookieseal.ErrStoreUnavailable) {
		t.Errorf("undecided Get: %v", err)
	}
	session.Values["x"] = 1
	rsp = httptest.NewRecorder()
	if err := session.Save(req, rsp); !cookieseal.IsUndecided(err) || len(rsp.Header()) != 0 {
		t.Errorf("undecided Save: %v %v", err, rsp.Header())
	}
	if err := sessions.Save(req, rsp); err == nil || len(rsp.Header()) != 0 {
		t.Errorf("undecided registry Save: %v %v", err, rsp.Header())
	}
}

func headersOf(rsp *httptest.ResponseRecorder) [][2]string {
	var out [][2]string
	for k, vs := range rsp.Header() {
		for _, v := range vs {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

func TestGorillaStoreClosedWhileHandlersRunIsAnError(t *testing.T) {
	store, _ := gorillaStore(t)
	r := httptest.NewRequest("GET", "/", nil)
	session, err := store.Get(r, "__Host-session")
	if err != nil {
		t.Fatal(err)
	}
	session.Values["n"] = 1
	store.Close()
	if err := session.Save(r, httptest.NewRecorder()); !errors.Is(err, cookieseal.ErrClosed) {
		t.Fatalf("save after the store closed: %v, want ErrClosed", err)
	}
}

func TestThreeGorillaSessionNamesShareOneKeyringWatcher(t *testing.T) {
	keyring := testsupport.Keyring(t, t.TempDir())
	before := testsupport.KeyringThreads(t)
	store, err := gorillastore.New(keyring, cookieseal.Options{ReloadInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	for _, name := range []string{"__Host-session", "__Host-prefs", "__Host-cart"} {
		s, err := store.Get(r, name)
		if err != nil {
			t.Fatal(name, err)
		}
		s.Values["x"] = name
	}
	if err := sessions.Save(r, w); err != nil {
		t.Fatal(err)
	}
	if n := len(w.Result().Header.Values("Set-Cookie")); n != 3 {
		t.Fatalf("%d cookies for three names", n)
	}
	if watchers := testsupport.KeyringThreads(t) - before; watchers != 1 {
		t.Fatalf("%d keyring watcher threads for three session names, want 1", watchers)
	}
	store.Close()
	if watchers := testsupport.KeyringThreads(t) - before; watchers != 0 {
		t.Fatalf("%d keyring watcher threads after Close", watchers)
	}
}

func TestFlashesNeverPanicOnWhatAnotherLanguageWrote(t *testing.T) {
	store, dir := gorillaStore(t)
	other, err := cookieseal.Open(filepath.Join(dir, "keyring"), cookieseal.Options{Store: filepath.Join(dir, "store")})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	s, _ := other.LoadHeader("")
	_ = s.Set("_flash", "not a list") // a value, not a flash, under gorilla's flash key
	cookie := cookieOf(mustHeaders(t, s))
	s.Close()
	session, err := store.Get(request([]string{cookie + ";"}), "__Host-session")
	if err != nil {
		t.Fatal(err)
	}
	if f := session.Flashes(); len(f) != 1 || f[0] != "not a list" {
		t.Fatalf("flashes %v", f)
	}
}

func mustHeaders(t *testing.T, s *cookieseal.RequestSession) [][2]string {
	t.Helper()
	h, err := s.Headers()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestMaxAgeIsTheCookiesAndTheSessionsLifetime(t *testing.T) {
	store, _ := gorillaStore(t)
	store.Options.MaxAge = 3600
	r := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	session, _ := store.Get(r, "__Host-session")
	session.Values["n"] = 1
	if err := session.Save(r, w); err != nil {
		t.Fatal(err)
	}
	set := w.Header().Get("Set-Cookie")
	if !strings.Contains(set, "Max-Age=3600") {
		t.Fatalf("a one-hour MaxAge gave %q", set)
	}
	// MaxAge 0: a browser session, no Max-Age; the next request sees its lifetime.
	r2 := request([]string{set})
	w2 := httptest.NewRecorder()
	session, _ = store.Get(r2, "__Host-session")
	session.Options.MaxAge = 0
	if err := session.Save(r2, w2); err != nil {
		t.Fatal(err)
	}
	if set2 := w2.Header().Get("Set-Cookie"); set2 == "" || strings.Contains(set2, "Max-Age") ||
		strings.Contains(set2, "Expires") {
		t.Fatalf("MaxAge 0 gave %q", set2)
	}
}

func TestGorillaRegistryGetReturnsTheSameSessionTwice(t *testing.T) {
	store, _ := gorillaStore(t)
	req := request(helloCookies(t, store))
	first, err := store.Get(req, "hello")
	if err != nil {
		t.Fatal(err)
	}
	first.Values["n"] = 2
	second, err := store.Get(req, "hello")
	if err != nil || second != first || second.Values["n"] != 2 {
		t.Fatalf("the second Get: %p %v, want %p (%v)", second, second.Values, first, err)
	}
	other, _ := store.Get(req, "other")
	if other == first || !other.IsNew {
		t.Fatalf("another name gave the same session")
	}
	// A fresh request has its own registry.
	again, _ := store.Get(request(nil), "hello")
	if again == first || again.Values["n"] != nil {
		t.Fatalf("a new request saw another's session")
	}
}

// A new session (no Cookie header, or none of its name) has no id until its
// first Save, as with gorilla's own stores; every Save of the request seals
// the same session (one native session), whether the native session was made
// by New (other cookies came) or by the first Save (no Cookie header at all).
func TestGorillaNewSessionSavedTwiceIsOneSession(t *testing.T) {
	store, _ := gorillaStore(t)
	for _, header := range [][]string{nil, {"other=1; Path=/"}} {
		req := request(header)
		session, err := store.New(req, "hello")
		if err != nil || !session.IsNew || session.ID != "" {
			t.Fatalf("new session (cookies %v): %v %v %q", header, err, session.IsNew, session.ID)
		}
		session.Values["n"] = 1
		first := httptest.NewRecorder()
		if err := session.Save(req, first); err != nil {
			t.Fatal(err)
		}
		id := session.ID
		if len(id) != 32 {
			t.Fatalf("id after Save: %q", id)
		}
		session.Values["n"] = 2
		second := httptest.NewRecorder()
		if err := session.Save(req, second); err != nil || session.ID != id {
			t.Fatalf("second Save: %v, id %q then %q", err, id, session.ID)
		}
		for n, rsp := range []*httptest.ResponseRecorder{first, second} {
			again, err := store.New(request(rsp.Header()["Set-Cookie"]), "hello")
			if err != nil || again.IsNew || again.ID != id || again.Values["n"] != n+1 {
				t.Errorf("cookie of Save %d: %v %v %q %v, want id %q", n+1, err, again.IsNew, again.ID, again.Values, id)
			}
		}
	}
}

// A new session's first Save seals it in one call (no native session), and
// says so exactly as the request path would: the same attributes, Max-Age,
// flashes and lifetime; a session too big for a cookie goes to the store and
// keeps its id through a second Save, which loads the cookie the first wrote.
func TestGorillaNewSessionSavedInOneCallIsWhole(t *testing.T) {
	store, dir := gorillaStore(t)
	req := request(nil)
	session, _ := store.New(req, "hello")
	session.Options.MaxAge = 600
	session.Options.Path = "/app"
	session.Values["cart"] = strings.Repeat("x", 6000) // overflows
	session.AddFlash("saved")
	rsp := httptest.NewRecorder()
	if err := session.Save(req, rsp); err != nil {
		t.Fatal(err)
	}
	set := rsp.Header().Get("Set-Cookie")
	for _, want := range []string{"Max-Age=600", "Path=/app", "HttpOnly", "Secure"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %s", set, want)
		}
	}
	if len(set) > 600 || rsp.Header().Get("Cache-Control") != "no-store" || rsp.Header().Get("Vary") != "Cookie" {
		t.Errorf("headers: %v", rsp.Header())
	}
	id := session.ID
	entries, _ := filepath.Glob(filepath.Join(dir, "store", "*", "*"))
	if len(id) != 32 || len(entries) == 0 {
		t.Fatalf("id %q, store entries %v", id, entries)
	}
	session.Values["n"] = 2
	second := httptest.NewRecorder()
	if err := session.Save(req, second); err != nil || session.ID != id {
		t.Fatalf("second Save: %v, id %q then %q", err, id, session.ID)
	}
	again, err := store.New(request(second.Header()["Set-Cookie"]), "hello")
	if err != nil || again.ID != id || again.Values["n"] != 2 || len(again.Values["cart"].(string)) != 6000 {
		t.Fatalf("reopened: %v %q %v", err, again.ID, again.Values["n"])
	}
	if flashes := again.Flashes(); len(flashes) != 1 || flashes[0] != "saved" {
		t.Errorf("flashes: %v", flashes)
	}
	// After Close, a new session's Save is an error that says so.
	store.Close()
	late, _ := store.New(request(nil), "hello")
	if err := late.Save(request(nil), httptest.NewRecorder()); !errors.Is(err, cookieseal.ErrClosed) {
		t.Errorf("Save after Close: %v", err)
	}
}

// A second Save of a new session that overflowed reads it back from the
// store: with the store gone that Save is undecided (answer 503), not a new
// session in its place.
func TestGorillaSecondSaveOfAnOverflowedNewSessionNeedsTheStore(t *testing.T) {
	store, dir := gorillaStore(t)
	req := request(nil)
	session, _ := store.New(req, "hello")
	session.Values["cart"] = strings.Repeat("x", 6000)
	if err := session.Save(req, httptest.NewRecorder()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "store"), filepath.Join(dir, "moved")); err != nil {
		t.Fatal(err)
	}
	session.Values["n"] = 2
	rsp := httptest.NewRecorder()
	if err := session.Save(req, rsp); !cookieseal.IsUndecided(err) || rsp.Header().Get("Set-Cookie") != "" {
		t.Fatalf("second Save with the store gone: %v, %v", err, rsp.Header())
	}
}
