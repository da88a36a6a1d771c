package cookieseal_test

// Handles and the garbage collector (security review 2, item 1): a codec or
// session whose last use is a C call must not be freed during that call; a
// diagnostic for a codec that is gone must not panic; a Diagnostic closure
// that captures its own codec must not keep it (and its threads) alive.

import (
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	"github.com/cookieseal/cookieseal/bindings/go/internal/testsupport"
)

// silentRedis accepts connections and never answers: every command waits for
// the store's timeout, so a C call lasts long enough for the GC to run.
func silentRedis(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, conn)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for _, c := range held {
			c.Close()
		}
	})
	return "redis://" + ln.Addr().String()
}

// collectWhile runs the GC (and finalizers) over and over until done is closed.
func collectWhile(done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		default:
			runtime.GC()
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func TestCodecCollectedDuringItsLastCallDoesNotCrash(t *testing.T) {
	dir := t.TempDir()
	keyring := keyringFile(t, dir)
	sealer, err := cookieseal.Open(keyring, cookieseal.Options{Store: filepath.Join(dir, "store")})
	if err != nil {
		t.Fatal(err)
	}
	defer sealer.Close()
	cookie, err := sealer.SealJSON([]byte(`{"values":{"n":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	store := silentRedis(t)
	for i := 0; i < 3; i++ {
		// Never closed, and its last use is the C call: only the binding keeps it alive.
		c, err := cookieseal.Open(keyring, cookieseal.Options{Store: store, Diagnostic: func(string) {}})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go collectWhile(done)
		_, err = c.OpenJSON(cookie)
		close(done)
		if !cookieseal.IsUndecided(err) {
			t.Fatalf("open against a silent store: %v, want undecided", err)
		}
	}
}

func TestSessionCollectedDuringItsLastCallDoesNotCrash(t *testing.T) {
	dir := t.TempDir()
	keyring := keyringFile(t, dir)
	store := silentRedis(t)
	for i := 0; i < 3; i++ {
		c, err := cookieseal.Open(keyring, cookieseal.Options{Store: store, Diagnostic: func(string) {}})
		if err != nil {
			t.Fatal(err)
		}
		s, err := c.LoadHeader("")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Login("alice"); err != nil { // a subject: the save asks the silent store
			t.Fatal(err)
		}
		done := make(chan struct{})
		go collectWhile(done)
		_, err = s.Headers() // the last use of s and c; never closed
		close(done)
		if !cookieseal.IsUndecided(err) {
			t.Fatalf("save against a silent store: %v, want undecided", err)
		}
	}
}

func threads(t *testing.T) int { return testsupport.Threads(t) }

func TestForgottenCodecsWhoseDiagnosticCapturesThemStopTheirThreads(t *testing.T) {
	keyring := keyringFile(t, t.TempDir())
	runtime.GC()
	before := threads(t)
	const forgotten = 40
	for i := 0; i < forgotten; i++ {
		var c *cookieseal.SessionManager
		var err error
		c, err = cookieseal.Open(keyring, cookieseal.Options{
			ReloadInterval: 50 * time.Millisecond,
			Diagnostic:     func(m string) { _ = c.Name() + m }, // captures its own codec
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if during := threads(t); during < before+forgotten {
		t.Fatalf("%d threads with %d watchers running, %d before: the count cannot tell", during,
			forgotten, before)
	}
	deadline := time.Now().Add(10 * time.Second)
	for threads(t) > before+forgotten/4 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	if after := threads(t); after > before+forgotten/4 {
		t.Fatalf("%d threads after collecting %d forgotten codecs (%d before): their watchers still run",
			after, forgotten, before)
	}
}

func TestDiagnosticsReachTheCodecUntilCloseAndCloseTwiceIsFine(t *testing.T) {
	var heard []string
	c, _ := newCodec(t, cookieseal.Options{Store: silentRedis(t),
		Diagnostic: func(m string) { heard = append(heard, m) }})
	if err := c.RevokeSubject("alice"); !cookieseal.IsUndecided(err) {
		t.Fatalf("revoke against a silent store: %v, want undecided", err)
	}
	if !strings.Contains(strings.Join(heard, "\n"), "timed out talking to Redis") {
		t.Fatalf("the store's cause was not heard: %q", heard)
	}
	c.Close()
	c.Close()
}
