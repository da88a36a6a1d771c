package cookieseal_test

// The C ABI 1.0 seen from Go: close in any order, one codec under many cookie
// names, every Cookie line, options refused rather than wrapped.

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
)

func TestClosingTheCodecFirstThenUsingTheSessionIsAnErrorNotACrash(t *testing.T) {
	dir := t.TempDir()
	c, err := cookieseal.NewCodec(cookieseal.Options{KeyringPath: keyringFile(t, dir),
		Store: filepath.Join(dir, "store")})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.SessionManager(cookieseal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.LoadHeader("")
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Set("n", 1)
	c.Close()
	if _, err := s.Headers(); !errors.Is(err, cookieseal.ErrClosed) {
		t.Fatalf("save after the codec closed: %v, want ErrClosed", err)
	}
	if _, err := m.LoadHeader(""); !errors.Is(err, cookieseal.ErrClosed) {
		t.Fatalf("load after the codec closed: %v, want ErrClosed", err)
	}
	m.Close()
	if err := s.Login("alice"); !errors.Is(err, cookieseal.ErrClosed) {
		t.Fatalf("login after both closed: %v", err)
	}
	s.Close()
	c.Close()
	m.Close()
}

func TestEveryCookieLineIsRead(t *testing.T) {
	m, _ := newCodec(t, cookieseal.Options{})
	s, _ := m.LoadHeader("")
	_ = s.Set("n", 7)
	cookie := cookieOf(save(t, s))
	s.Close()
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Add("Cookie", "theme=dark") // HTTP/2: one line per cookie
	r.Header.Add("Cookie", cookie)
	s, err := m.Load(r)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.GetInt("n"); s.IsNew() || n != 7 {
		t.Fatalf("the second Cookie line was not read: new=%v n=%v", s.IsNew(), n)
	}
}

func TestOutOfRangeOptionsAreRefusedNamingThem(t *testing.T) {
	keyring := keyringFile(t, t.TempDir())
	for _, o := range []cookieseal.Options{{MaxAge: -2 * time.Second}, {ReloadInterval: -time.Second},
		{ReloadInterval: 60 * 24 * time.Hour}} {
		o.KeyringPath = keyring
		if _, err := cookieseal.NewCodec(o); !errors.Is(err, cookieseal.ErrInvalidArgument) {
			t.Errorf("%+v: %v, want ErrInvalidArgument", o, err)
		}
	}
	_, err := cookieseal.New(cookieseal.Options{KeyringPath: keyring, Store: "rediss://example:1"})
	if !errors.Is(err, cookieseal.ErrConfig) || cookieseal.IsUndecided(err) {
		t.Fatalf("a store that can never work: %v, want ErrConfig (not undecided)", err)
	}
}

func TestCacheControlOfTheHandlerIsReplacedNotDoubled(t *testing.T) {
	m, _ := newCodec(t, cookieseal.Options{})
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_ = cookieseal.FromContext(r.Context()).Set("n", 1)
		_, _ = w.Write([]byte("ok"))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if got := rec.Result().Header.Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
		t.Fatalf("Cache-Control %q, want one no-store", got)
	}
}

// The headers a save adds share one array: lines the handler adds after
// them, and a second save's, must leave every other header whole.
func TestSavedHeadersStayWholeWhenMoreAreAdded(t *testing.T) {
	m, _ := newCodec(t, cookieseal.Options{})
	w := httptest.NewRecorder()
	s, err := m.LoadHeader("")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("n", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(w); err != nil {
		t.Fatal(err)
	}
	w.Header().Add("Set-Cookie", "theme=dark")
	w.Header().Add("Vary", "Accept-Encoding")
	if got := w.Header().Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
		t.Fatalf("Cache-Control %q after the handler's lines, want one no-store", got)
	}
	if got := w.Header().Values("Vary"); len(got) != 2 || got[0] != "Cookie" || got[1] != "Accept-Encoding" {
		t.Fatalf("Vary %q after the handler's line", got)
	}
	if err := s.Set("n", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(w); err != nil {
		t.Fatal(err)
	}
	h := w.Header()
	if got := h.Values("Set-Cookie"); len(got) != 3 || !strings.HasPrefix(got[0], "__Host-session=") ||
		got[1] != "theme=dark" || !strings.HasPrefix(got[2], "__Host-session=") {
		t.Errorf("Set-Cookie %q", got)
	}
	if got := h.Values("Vary"); len(got) != 3 || got[0] != "Cookie" || got[1] != "Accept-Encoding" || got[2] != "Cookie" {
		t.Errorf("Vary %q", got)
	}
	if got := h.Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
		t.Errorf("Cache-Control %q, want one no-store", got)
	}
}

func TestMiddlewareKeepsFlusherAndHijacker(t *testing.T) {
	m, _ := newCodec(t, cookieseal.Options{})
	var flusher, hijacker bool
	srv := httptest.NewServer(m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, flusher = w.(http.Flusher)
		_, hijacker = w.(http.Hijacker)
		_ = cookieseal.FromContext(r.Context()).Set("n", 1)
		w.(http.Flusher).Flush()
		_, _ = w.Write([]byte("ok"))
	})))
	defer srv.Close()
	rsp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rsp.Body.Close()
	if !flusher || !hijacker {
		t.Fatalf("Flusher %v, Hijacker %v: the middleware hid them", flusher, hijacker)
	}
	if rsp.Header.Get("Set-Cookie") == "" {
		t.Fatal("a flush before the body lost the session's cookie")
	}
}

func TestASaveThatCanNeverSucceedIs500NotRetryForever(t *testing.T) {
	var heard []string
	dir := t.TempDir()
	m, err := cookieseal.Open(keyringFile(t, dir), cookieseal.Options{ // no store: too large
		Diagnostic: func(s string) { heard = append(heard, s) }})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = cookieseal.FromContext(r.Context()).Set("big", string(make([]byte, 6000)))
		_, _ = w.Write([]byte("ok"))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Retry-After") != "" {
		t.Fatalf("status %d, Retry-After %q: want 500 without Retry-After", rec.Code,
			rec.Header().Get("Retry-After"))
	}
	if len(heard) == 0 || !strings.Contains(heard[len(heard)-1], "too_large") {
		t.Fatalf("the cause was not reported: %q", heard)
	}
}

func TestASubSecondDurationRoundsUpNeverTurnsTheBoundOff(t *testing.T) {
	m, _ := newCodec(t, cookieseal.Options{})
	s, _ := m.LoadHeader("")
	defer s.Close()
	if err := s.SetLifetime(cookieseal.Lifetime{IdleTimeout: 500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if l := s.Lifetime(); l.IdleTimeout != time.Second {
		t.Fatalf("500 ms became %v, want 1s", l.IdleTimeout)
	}
}
