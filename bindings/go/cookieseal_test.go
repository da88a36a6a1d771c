package cookieseal_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	"github.com/cookieseal/cookieseal/bindings/go/internal/testsupport"
)

// keyringFile writes a fresh keyring (one random key, active since an hour ago).
func keyringFile(t testing.TB, dir string) string { return testsupport.Keyring(t, dir) }

func newCodec(t testing.TB, o cookieseal.Options) (*cookieseal.SessionManager, string) {
	t.Helper()
	dir := t.TempDir()
	if o.Store == "" {
		o.Store = filepath.Join(dir, "store")
	}
	c, err := cookieseal.Open(keyringFile(t, dir), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, dir
}

// cookieOf is "name=value" of the Set-Cookie among headers, or "".
func cookieOf(headers [][2]string) string {
	for _, h := range headers {
		if h[0] == "Set-Cookie" {
			return h[1][:strings.IndexByte(h[1], ';')]
		}
	}
	return ""
}

func save(t *testing.T, s *cookieseal.RequestSession) [][2]string {
	t.Helper()
	h, err := s.Headers()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSessionRoundTripsWithTypedAccessors(t *testing.T) {
	c, _ := newCodec(t, cookieseal.Options{})
	s, err := c.LoadHeader("")
	if err != nil || s.Outcome() != cookieseal.Opened || !s.IsNew() {
		t.Fatalf("fresh session: %v %v %v", err, s.Outcome(), s.IsNew())
	}
	for k, v := range map[string]interface{}{"n": 42, "name": "alice", "ok": true, "pi": 3.5,
		"raw": []byte{0, 1, 2}, "list": []interface{}{"a", 1}, "map": map[string]interface{}{"x": false}} {
		if err := s.Set(k, v); err != nil {
			t.Fatal(k, err)
		}
	}
	headers := save(t, s)
	s.Close()
	if !strings.Contains(fmt.Sprint(headers), "Cache-Control no-store") || !strings.Contains(fmt.Sprint(headers), "Vary Cookie") {
		t.Fatalf("cache headers missing: %v", headers)
	}
	s, _ = c.LoadHeader("theme=dark; " + cookieOf(headers))
	defer s.Close()
	if s.IsNew() {
		t.Fatal("the cookie did not open")
	}
	if n, ok := s.GetInt("n"); !ok || n != 42 {
		t.Errorf("GetInt: %v %v", n, ok)
	}
	if v, ok := s.GetString("name"); !ok || v != "alice" {
		t.Errorf("GetString: %v %v", v, ok)
	}
	if v, ok := s.GetBool("ok"); !ok || !v {
		t.Errorf("GetBool: %v %v", v, ok)
	}
	if v, _ := s.Get("pi"); v != 3.5 {
		t.Errorf("float: %v", v)
	}
	if v, _ := s.Get("raw"); string(v.([]byte)) != "\x00\x01\x02" {
		t.Errorf("bytes: %v", v)
	}
	if v, _ := s.Get("list"); fmt.Sprint(v) != "[a 1]" {
		t.Errorf("list: %v", v)
	}
	if _, ok := s.GetInt("name"); ok {
		t.Error("GetInt of a string")
	}
	if h := save(t, s); cookieOf(h) != "" {
		t.Errorf("unchanged session re-sent: %v", h)
	}
}

func TestFlashesLoginAndDestroy(t *testing.T) {
	c, _ := newCodec(t, cookieseal.Options{})
	s, _ := c.LoadHeader("")
	if err := s.Login("alice"); err != nil {
		t.Fatal(err)
	}
	_ = s.Flash("notice", "Welcome")
	if err := s.Login("mallory"); !errors.Is(err, cookieseal.ErrInvalidArgument) {
		t.Errorf("second login: %v", err)
	}
	first := cookieOf(save(t, s))
	s.Close()
	s, _ = c.LoadHeader(first)
	if s.Subject() != "alice" {
		t.Errorf("subject %q", s.Subject())
	}
	if f := s.Flashes("notice"); fmt.Sprint(f) != "[Welcome]" {
		t.Errorf("flashes %v", f)
	}
	if f := s.Flashes("notice"); f != nil {
		t.Errorf("flashes twice: %v", f)
	}
	if err := s.Destroy(); err != nil {
		t.Fatal(err)
	}
	_ = s.Flash("notice", "Logged out")
	after := cookieOf(save(t, s))
	s.Close()
	s, _ = c.LoadHeader(after)
	if f := s.Flashes("notice"); fmt.Sprint(f) != "[Logged out]" || s.Subject() != "" {
		t.Errorf("after destroy: %v %q", f, s.Subject())
	}
	s.Close()
	s, _ = c.LoadHeader(first)
	defer s.Close()
	if s.Outcome() != cookieseal.Refused || !errors.Is(s.Reason(), cookieseal.ErrRevoked) {
		t.Errorf("destroyed cookie: %v %v", s.Outcome(), s.Reason())
	}
}

func TestRefusedUndecidedAndErrors(t *testing.T) {
	var mu sync.Mutex
	var heard []string
	c, dir := newCodec(t, cookieseal.Options{Diagnostic: func(m string) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, m)
	}})
	s, _ := c.LoadHeader("__Host-session=garbage!")
	if s.Outcome() != cookieseal.Refused || !errors.Is(s.Reason(), cookieseal.ErrMalformed) {
		t.Errorf("garbage: %v %v", s.Outcome(), s.Reason())
	}
	if h := save(t, s); !strings.Contains(fmt.Sprint(h), "Max-Age=0") {
		t.Errorf("a refused cookie is cleared: %v", h)
	}
	s.Close()

	s, _ = c.LoadHeader("")
	_ = s.Set("cart", strings.Repeat("x", 6000)) // overflows into the store
	big := cookieOf(save(t, s))
	s.Close()
	if err := os.Rename(filepath.Join(dir, "store"), filepath.Join(dir, "moved")); err != nil {
		t.Fatal(err)
	}
	s, _ = c.LoadHeader(big)
	if s.Outcome() != cookieseal.Undecided || !errors.Is(s.Reason(), cookieseal.ErrStoreUnavailable) {
		t.Errorf("moved store: %v %v", s.Outcome(), s.Reason())
	}
	_ = s.Set("visits", 1)
	rec := httptest.NewRecorder()
	if err := s.Save(rec); !cookieseal.IsUndecided(err) || len(rec.Header()) != 0 {
		t.Errorf("undecided save: %v %v", err, rec.Header())
	}
	s.Close()
	_ = os.Rename(filepath.Join(dir, "moved"), filepath.Join(dir, "store"))
	mu.Lock()
	said := strings.Join(heard, "\n")
	mu.Unlock()
	if !strings.Contains(said, "the store directory is missing") ||
		!strings.Contains(said, "open: the overflow store could not be read") {
		t.Errorf("the diagnostic function did not hear why: %q", said)
	}

	value := big[strings.IndexByte(big, '=')+1:]
	if _, err := c.OpenJSON("garbage!"); !errors.Is(err, cookieseal.ErrMalformed) {
		t.Errorf("OpenJSON garbage: %v", err)
	}
	other, _ := newCodec(t, cookieseal.Options{})
	if _, err := other.OpenJSON(value); !errors.Is(err, cookieseal.ErrAuthenticationFailed) {
		t.Errorf("other key bytes, same id: %v", err)
	}
	if j, err := c.OpenJSON(value); err != nil || !strings.Contains(string(j), `"overflow":true`) {
		t.Errorf("OpenJSON: %v %s", err, j)
	}
	if _, err := cookieseal.Open(filepath.Join(dir, "missing"), cookieseal.Options{}); !errors.Is(err, cookieseal.ErrKeyring) ||
		!strings.Contains(err.Error(), "missing") {
		t.Errorf("missing keyring: %v", err)
	}
	type user struct{ Name string }
	s, _ = c.LoadHeader("")
	defer s.Close()
	if err := s.Set("user", user{"x"}); err == nil || !strings.Contains(err.Error(), `"user"`) {
		t.Errorf("a struct value: %v", err)
	}
}

func TestMiddleware(t *testing.T) {
	c, dir := newCodec(t, cookieseal.Options{})
	srv := httptest.NewServer(c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := cookieseal.FromContext(r.Context())
		n, _ := s.GetInt("n")
		_ = s.Set("n", n+1)
		fmt.Fprint(w, n+1)
	})))
	defer srv.Close()
	jar := ""
	get := func() (*http.Response, string) {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		if jar != "" {
			req.Header.Set("Cookie", jar)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body := make([]byte, 512)
		k, _ := res.Body.Read(body)
		for _, ck := range res.Cookies() {
			jar = ck.Name + "=" + ck.Value
		}
		return res, strings.TrimSpace(string(body[:k]))
	}
	for want := 1; want <= 3; want++ {
		res, body := get()
		if body != fmt.Sprint(want) || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("request %d: %q %v", want, body, res.Header)
		}
	}
	_ = os.Rename(filepath.Join(dir, "store"), filepath.Join(dir, "moved"))
	before := jar
	res, _ := get()
	if res.StatusCode != http.StatusServiceUnavailable || jar != before || len(res.Cookies()) != 0 {
		t.Errorf("undecided: %d %v", res.StatusCode, res.Cookies())
	}
}
