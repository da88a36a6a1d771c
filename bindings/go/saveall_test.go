package cookieseal_test

// SaveAll: several cookies of one request saved together (the C ABI's
// cookieseal_requests_save): the headers of all, or, when one is undecided or
// fails, its error and no header for any.

import (
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	"github.com/cookieseal/cookieseal/bindings/go/internal/testsupport"
)

var threeNames = []string{"__Host-session", "__Host-prefs", "__Host-cart"}

// threeKinds makes a codec over store and one manager per name.
func threeKinds(t *testing.T, store string) (*cookieseal.Codec, []*cookieseal.SessionManager) {
	t.Helper()
	c, err := cookieseal.NewCodec(cookieseal.Options{KeyringPath: keyringFile(t, t.TempDir()), Store: store,
		Diagnostic: func(string) {}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var ms []*cookieseal.SessionManager
	for _, name := range threeNames {
		m, err := c.SessionManager(cookieseal.Options{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return c, ms
}

// loadEach loads one session per manager from the same Cookie header.
func loadEach(t *testing.T, ms []*cookieseal.SessionManager, header string) []*cookieseal.RequestSession {
	t.Helper()
	var out []*cookieseal.RequestSession
	for _, m := range ms {
		s, err := m.LoadHeader(header)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		out = append(out, s)
	}
	return out
}

func TestSaveAllWritesEveryCookieOfTheRequest(t *testing.T) {
	_, ms := threeKinds(t, filepath.Join(t.TempDir(), "store"))
	ss := loadEach(t, ms, "")
	for i, s := range ss {
		if err := s.Set("kind", threeNames[i]); err != nil {
			t.Fatal(err)
		}
	}
	w := httptest.NewRecorder()
	if err := cookieseal.SaveAll(w, ss...); err != nil {
		t.Fatal(err)
	}
	set := w.Result().Header.Values("Set-Cookie")
	if len(set) != 3 {
		t.Fatalf("%d Set-Cookie for three sessions: %q", len(set), set)
	}
	if cc := w.Result().Header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-store" {
		t.Errorf("Cache-Control %q, want one no-store", cc)
	}
	var pairs []string
	for _, c := range set {
		pairs = append(pairs, c[:strings.IndexByte(c, ';')])
	}
	// Each cookie opens as its own kind, with its own values.
	again := loadEach(t, ms, strings.Join(pairs, "; "))
	for i, s := range again {
		if s.Outcome() != cookieseal.Opened || s.IsNew() {
			t.Fatalf("%s: outcome %v (new %v, %v)", threeNames[i], s.Outcome(), s.IsNew(), s.Reason())
		}
		if v, _ := s.GetString("kind"); v != threeNames[i] {
			t.Errorf("%s holds kind %q", threeNames[i], v)
		}
	}
	// Nothing changed: SaveAll of unchanged sessions adds no cookie.
	w = httptest.NewRecorder()
	if err := cookieseal.SaveAll(w, again...); err != nil {
		t.Fatal(err)
	}
	if set := w.Result().Header.Values("Set-Cookie"); len(set) != 0 {
		t.Errorf("unchanged sessions set %q", set)
	}
	if err := cookieseal.SaveAll(httptest.NewRecorder()); err != nil {
		t.Errorf("SaveAll of no session: %v", err)
	}
}

func TestSaveAllWithAClosedSessionSendsNothing(t *testing.T) {
	_, ms := threeKinds(t, filepath.Join(t.TempDir(), "store"))
	ss := loadEach(t, ms, "")
	for _, s := range ss {
		_ = s.Set("n", 1)
	}
	ss[2].Close()
	w := httptest.NewRecorder()
	if err := cookieseal.SaveAll(w, ss...); !errors.Is(err, cookieseal.ErrClosed) {
		t.Fatalf("SaveAll with a closed session: %v, want ErrClosed", err)
	}
	if h := w.Result().Header; len(h) != 0 {
		t.Errorf("headers written: %v", h)
	}
	// The others were left as they were: saved together, they still work.
	if n := len(savedCookies(t, ss[:2]...)); n != 2 {
		t.Errorf("%d cookies for two sessions", n)
	}
}

// savedCookies saves ss together and returns their Set-Cookie lines.
func savedCookies(t *testing.T, ss ...*cookieseal.RequestSession) []string {
	t.Helper()
	w := httptest.NewRecorder()
	if err := cookieseal.SaveAll(w, ss...); err != nil {
		t.Fatal(err)
	}
	return w.Result().Header.Values("Set-Cookie")
}

// A store that stops answering: the session that needs it (one over 4 KB, its
// overflow entry written at save) is undecided, and the two that fit in their
// cookies, saved with it, get no cookie either.
func TestSaveAllUndecidedForOneSendsNothingForAny(t *testing.T) {
	redis := testsupport.StartRedis(t)
	_, ms := threeKinds(t, redis.URL)
	ss := loadEach(t, ms, "")
	_ = ss[0].Set("theme", "dark")
	_ = ss[1].Set("notes", strings.Repeat("x", 6000)) // past 4 KB: the store holds it
	_ = ss[2].Set("items", []interface{}{"tea"})
	redis.Stop()
	nothingSent(t, ss...)
	// Alone, a small one is saved with the store gone: SaveAll is what held
	// back the two small cookies.
	small := loadEach(t, ms[:1], "")[0]
	_ = small.Set("theme", "dark")
	if n := len(savedCookies(t, small)); n != 1 {
		t.Fatalf("a small session alone: %d cookies, want 1", n)
	}
}

// A request whose cookie could not be judged (its revocation check needs the
// store, which is gone) is undecided from the start: saved with the others,
// nothing is sent for any.
func TestSaveAllWithAnUndecidedLoadSendsNothingForAny(t *testing.T) {
	redis := testsupport.StartRedis(t)
	_, ms := threeKinds(t, redis.URL)
	first := loadEach(t, ms, "")
	if err := first[0].Login("alice"); err != nil {
		t.Fatal(err)
	}
	cookie := savedCookies(t, first[0])[0]
	redis.Stop()
	ss := loadEach(t, ms, cookie[:strings.IndexByte(cookie, ';')])
	if ss[0].Outcome() != cookieseal.Undecided {
		t.Fatalf("a logged-in cookie with the store gone: outcome %v (%v), want undecided", ss[0].Outcome(), ss[0].Reason())
	}
	for _, s := range ss[1:] {
		_ = s.Set("n", 1)
	}
	nothingSent(t, ss[1], ss[0], ss[2])
}

// nothingSent saves ss together: undecided, and no header for any.
func nothingSent(t *testing.T, ss ...*cookieseal.RequestSession) {
	t.Helper()
	w := httptest.NewRecorder()
	if err := cookieseal.SaveAll(w, ss...); !cookieseal.IsUndecided(err) {
		t.Fatalf("SaveAll with one undecided: %v, want undecided", err)
	}
	if h := w.Result().Header; len(h) != 0 {
		t.Fatalf("undecided for one, yet headers were sent: %q", h)
	}
}
