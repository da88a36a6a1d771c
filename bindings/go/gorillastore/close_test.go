package gorillastore_test

import (
	"errors"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gorilla/sessions"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
)

// Store.Close while handlers run on other goroutines: no crash, each request
// either saves its three sessions or gets ErrClosed (from Get, and from Save
// for a handler that did not look at Get's error), and after Close every
// request gets ErrClosed.
func TestStoreClosedWhileHandlersRunOnOtherGoroutines(t *testing.T) {
	names := []string{"__Host-session", "__Host-prefs", "__Host-cart"}
	for round := 0; round < 3; round++ {
		store, _ := gorillaStore(t)
		var ok, closed atomic.Int64
		var cookies []string // one saved response's cookies, sent back by every request
		handle := func(cookieHeader []string) error {
			r := request(cookieHeader)
			w := httptest.NewRecorder()
			var getErr, saveErr error
			var opened []*sessions.Session
			for _, name := range names {
				s, err := store.Get(r, name)
				if err != nil && getErr == nil {
					getErr = err
				}
				n, _ := s.Values["n"].(int)
				s.Values["n"] = n + 1
				opened = append(opened, s)
			}
			// Each in turn, as sessions.Save does (whose error hides the cause's type).
			for _, s := range opened {
				if err := s.Save(r, w); err != nil {
					if saveErr == nil || !errors.Is(err, cookieseal.ErrClosed) {
						saveErr = err
					}
				}
			}
			switch {
			case getErr == nil && saveErr == nil:
				if got := len(w.Result().Header.Values("Set-Cookie")); got != len(names) {
					t.Errorf("%d cookies for %d names", got, len(names))
				}
				ok.Add(1)
			case errors.Is(saveErr, cookieseal.ErrClosed) && (getErr == nil || errors.Is(getErr, cookieseal.ErrClosed)):
				closed.Add(1)
			default:
				t.Errorf("a request during Close: Get %v, Save %v; want success or ErrClosed", getErr, saveErr)
			}
			return saveErr
		}
		w := httptest.NewRecorder()
		r := request(nil)
		for _, name := range names {
			s, _ := store.Get(r, name)
			s.Values["n"] = 0
		}
		if err := sessions.Save(r, w); err != nil {
			t.Fatal(err)
		}
		cookies = w.Result().Header.Values("Set-Cookie")

		var wg sync.WaitGroup
		stop := make(chan struct{})
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !t.Failed() {
					_ = handle(cookies)
					select {
					case <-stop:
						if closed.Load() >= 20 {
							return
						}
					default:
					}
				}
			}()
		}
		for ok.Load() < 20 && !t.Failed() {
			runtime.Gosched()
		}
		store.Close()
		close(stop)
		wg.Wait()
		if ok.Load() == 0 || closed.Load() == 0 {
			t.Fatalf("%d requests saved and %d were closed: the race did not happen", ok.Load(), closed.Load())
		}
		if err := handle(cookies); !errors.Is(err, cookieseal.ErrClosed) {
			t.Fatalf("a request after Close: %v, want ErrClosed", err)
		}
	}
}
