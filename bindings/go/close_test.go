package cookieseal_test

// Close with calls in flight: a codec, manager or session closed by one
// goroutine while others call it never frees the native handle under a
// running call (a use-after-free in C); each call either succeeds or returns
// ErrClosed, and every call after Close returns ErrClosed.

import (
	"errors"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
)

// tally counts the calls of a close race: each must succeed or be ErrClosed.
type tally struct {
	t          *testing.T
	ok, closed atomic.Int64
}

func (c *tally) see(what string, err error) {
	switch {
	case err == nil:
		c.ok.Add(1)
	case errors.Is(err, cookieseal.ErrClosed):
		c.closed.Add(1)
	default:
		c.t.Errorf("%s during Close: %v, want success or ErrClosed", what, err)
	}
}

// race runs workers goroutines calling round in a loop; once okBefore calls
// succeeded it runs closeIt, and the workers stop after each saw ErrClosed
// closedAfter times between them (so calls ran both before and after it).
func (c *tally) race(workers int, okBefore, closedAfter int64, round func(), closeIt func()) {
	c.t.Helper()
	var wg sync.WaitGroup
	closed := make(chan struct{})
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !c.t.Failed() {
				round()
				select {
				case <-closed:
					if c.closed.Load() >= closedAfter*int64(workers) {
						return
					}
				default:
				}
			}
		}()
	}
	for c.ok.Load() < okBefore && !c.t.Failed() {
		runtime.Gosched()
	}
	closeIt()
	close(closed)
	wg.Wait()
	if c.ok.Load() == 0 || c.closed.Load() == 0 {
		c.t.Fatalf("%d calls succeeded and %d were closed: the race did not happen", c.ok.Load(), c.closed.Load())
	}
}

// closedCodec makes a codec (file store), a manager on it and a sealed cookie.
func closedCodec(t *testing.T) (*cookieseal.Codec, *cookieseal.SessionManager, string) {
	t.Helper()
	dir := t.TempDir()
	c, err := cookieseal.NewCodec(cookieseal.Options{KeyringPath: keyringFile(t, dir),
		Store: filepath.Join(dir, "store"), Diagnostic: func(string) {}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	m, err := c.SessionManager(cookieseal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	cookie, err := m.SealJSON([]byte(`{"values":{"n":1},"subject":"alice"}`))
	if err != nil {
		t.Fatal(err)
	}
	return c, m, m.Name() + "=" + cookie
}

// managerRound is one round of every manager call and a request's calls.
func managerRound(c *tally, m *cookieseal.SessionManager, cookie string) {
	_, err := m.SealJSON([]byte(`{"values":{"n":2}}`))
	c.see("SealJSON", err)
	_, err = m.OpenJSON(cookie[len(m.Name())+1:])
	c.see("OpenJSON", err)
	s, err := m.LoadHeader(cookie)
	c.see("LoadHeader", err)
	if err != nil {
		return
	}
	defer s.Close()
	if err := s.Set("n", 3); err != nil {
		c.t.Error(err)
	}
	c.see("RegenerateID", s.RegenerateID())
	_, err = s.Headers()
	c.see("Headers", err)
}

// everyCallIsClosed checks that each manager and request call returns ErrClosed.
func everyCallIsClosed(t *testing.T, m *cookieseal.SessionManager, s *cookieseal.RequestSession, cookie string) {
	t.Helper()
	want := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, cookieseal.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", what, err)
		}
	}
	_, err := m.SealJSON([]byte(`{"values":{"n":2}}`))
	want("SealJSON", err)
	_, err = m.OpenJSON(cookie[len(m.Name())+1:])
	want("OpenJSON", err)
	_, err = m.LoadHeader(cookie)
	want("LoadHeader", err)
	_ = s.Set("n", 4)
	want("RegenerateID", s.RegenerateID())
	want("Login", s.Login("bob"))
	want("Destroy", s.Destroy())
	want("SetLifetime", s.SetLifetime(cookieseal.Lifetime{BrowserSession: true}))
	_, err = s.Headers()
	want("Headers", err)
}

func TestCodecClosedWhileGoroutinesCallIt(t *testing.T) {
	for i := 0; i < 3; i++ {
		c, m, cookie := closedCodec(t)
		later, err := m.LoadHeader(cookie) // made before the close, used after
		if err != nil {
			t.Fatal(err)
		}
		run := &tally{t: t}
		run.race(4, 40, 10, func() {
			managerRound(run, m, cookie)
			run.see("RevokeSubject", c.RevokeSubject("mallory"))
		}, func() { c.Close() })
		if err := c.RevokeSubject("mallory"); !errors.Is(err, cookieseal.ErrClosed) {
			t.Errorf("RevokeSubject after Close: %v, want ErrClosed", err)
		}
		if _, err := c.SessionManager(cookieseal.Options{Name: "__Host-other"}); !errors.Is(err, cookieseal.ErrClosed) {
			t.Errorf("SessionManager after Close: %v, want ErrClosed", err)
		}
		everyCallIsClosed(t, m, later, cookie)
		later.Close()
	}
}

func TestManagerClosedWhileGoroutinesCallIt(t *testing.T) {
	for i := 0; i < 3; i++ {
		_, m, cookie := closedCodec(t)
		later, err := m.LoadHeader(cookie)
		if err != nil {
			t.Fatal(err)
		}
		run := &tally{t: t}
		run.race(4, 40, 10, func() { managerRound(run, m, cookie) }, func() { m.Close() })
		everyCallIsClosed(t, m, later, cookie)
		later.Close()
	}
}

func TestRequestSessionClosedWhileItsCallRuns(t *testing.T) {
	_, m, cookie := closedCodec(t)
	for i := 0; i < 20; i++ {
		s, err := m.LoadHeader(cookie)
		if err != nil {
			t.Fatal(err)
		}
		run := &tally{t: t}
		// One goroutine uses the session (as a handler does); Close comes from another.
		run.race(1, 5, 3, func() {
			_ = s.Set("n", i)
			run.see("RegenerateID", s.RegenerateID())
			_, err := s.Headers()
			run.see("Headers", err)
			run.see("SetLifetime", s.SetLifetime(cookieseal.Lifetime{IdleTimeout: 3600e9}))
		}, s.Close)
		want := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, cookieseal.ErrClosed) {
				t.Fatalf("%s after Close: %v, want ErrClosed", what, err)
			}
		}
		want("RegenerateID", s.RegenerateID())
		want("Login", s.Login("bob"))
		want("Destroy", s.Destroy())
		_, err = s.Headers()
		want("Headers", err)
		s.Close() // twice is fine
	}
	// The manager is untouched by its sessions' Close.
	if _, err := m.OpenJSON(cookie[len(m.Name())+1:]); err != nil {
		t.Fatal(err)
	}
}
