package gorillastore_test

// Seal and open of the typical fixture through the gorilla store against
// gorilla/sessions' own CookieStore (securecookie: gob, AES-256-CTR and
// HMAC-SHA256, so it encrypts too), in the same `go test -bench` run: a
// handler's New (Get without the registry) and Save, as a request sees them.

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/sessions"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	"github.com/cookieseal/cookieseal/bindings/go/gorillastore"
	"github.com/cookieseal/cookieseal/bindings/go/internal/testsupport"
)

// typicalValues is bench/fixtures/typical.json as a gorilla user holds it:
// integers as int, lists as []string and []int.
func typicalValues(b *testing.B) map[string]interface{} {
	text, err := os.ReadFile(filepath.Join(os.Getenv("COOKIESEAL_SOURCE"), "bench", "fixtures", "typical.json"))
	if err != nil {
		b.Fatal(err)
	}
	var raw map[string]interface{}
	if err := json.Unmarshal(text, &raw); err != nil {
		b.Fatal(err)
	}
	out := map[string]interface{}{}
	for k, x := range raw {
		switch x := x.(type) {
		case float64:
			out[k] = int(x)
		case []interface{}:
			if _, ok := x[0].(string); ok {
				l := make([]string, len(x))
				for i, e := range x {
					l[i] = e.(string)
				}
				out[k] = l
			} else {
				l := make([]int, len(x))
				for i, e := range x {
					l[i] = int(e.(float64))
				}
				out[k] = l
			}
		default:
			out[k] = x
		}
	}
	return out
}

// headerWriter is a ResponseWriter that only keeps headers (reset per op).
type headerWriter struct{ h http.Header }

func (w *headerWriter) Header() http.Header         { return w.h }
func (w *headerWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *headerWriter) WriteHeader(int)             {}

// cpuTime is the process's CPU time so far (user + system, every thread:
// the GC's work too). Per op it is the cost of an op, which a loaded machine
// (other processes taking the CPUs) disturbs much less than the wall time.
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// reportCPU reports the CPU time per op since start as "cpu-ns/op".
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

func benchStores(b *testing.B) map[string]sessions.Store {
	dir := b.TempDir()
	ours, err := gorillastore.New(testsupport.Keyring(b, dir), cookieseal.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ours.Close() })
	hashKey, blockKey := make([]byte, 32), make([]byte, 32)
	rand.Read(hashKey)
	rand.Read(blockKey)
	theirs := sessions.NewCookieStore(hashKey, blockKey)
	theirs.Options.Secure, theirs.Options.HttpOnly = true, true
	return map[string]sessions.Store{"Cookieseal": ours, "CookieStore": theirs}
}

// sealWith saves a new session of store holding values into w (its headers
// cleared first) and returns the cookie's "name=value".
func sealWith(b testing.TB, store sessions.Store, values map[string]interface{}, r *http.Request, w http.ResponseWriter) string {
	b.Helper()
	for k := range w.Header() {
		delete(w.Header(), k)
	}
	session, err := store.New(r, "__Host-session")
	if err != nil {
		b.Fatal(err)
	}
	for k, v := range values {
		session.Values[k] = v
	}
	if err := session.Save(r, w); err != nil {
		b.Fatal(err)
	}
	set := w.Header().Get("Set-Cookie")
	return set[:strings.IndexByte(set, ';')]
}

func benchGorillaSeal(b *testing.B, name string) {
	store, values := benchStores(b)[name], typicalValues(b)
	r, _ := http.NewRequest("GET", "https://localhost/", nil)
	w := &headerWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime(b)
	for i := 0; i < b.N; i++ {
		sealWith(b, store, values, r, w)
	}
	reportCPU(b, start)
}

func benchGorillaOpen(b *testing.B, name string) {
	store, values := benchStores(b)[name], typicalValues(b)
	r, _ := http.NewRequest("GET", "https://localhost/", nil)
	cookie := sealWith(b, store, values, r, &headerWriter{h: http.Header{}})
	r.Header.Set("Cookie", cookie)
	defer b.ReportMetric(float64(len(cookie)-len("__Host-session=")), "chars")
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime(b)
	defer reportCPU(b, start)
	for i := 0; i < b.N; i++ {
		session, err := store.New(r, "__Host-session")
		if err != nil || session.IsNew {
			b.Fatal(err)
		}
		if roles, ok := session.Values["roles"].([]string); !ok || len(roles) != 3 {
			b.Fatalf("roles: %#v", session.Values["roles"])
		}
	}
}

// benchGorillaUpdate is a request that came with the cookie, changed one
// value and saved: New, a change, Save (the cookie sealed again).
func benchGorillaUpdate(b *testing.B, name string) {
	store, values := benchStores(b)[name], typicalValues(b)
	r, _ := http.NewRequest("GET", "https://localhost/", nil)
	w := &headerWriter{h: http.Header{}}
	r.Header.Set("Cookie", sealWith(b, store, values, r, w))
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime(b)
	for i := 0; i < b.N; i++ {
		for k := range w.h {
			delete(w.h, k)
		}
		session, err := store.New(r, "__Host-session")
		if err != nil || session.IsNew {
			b.Fatal(err)
		}
		session.Values["last_seen"] = i
		if err := session.Save(r, w); err != nil || len(w.h["Set-Cookie"]) != 1 {
			b.Fatal(err, w.h)
		}
	}
	reportCPU(b, start)
}

func BenchmarkGorillaSealCookieseal(b *testing.B)    { benchGorillaSeal(b, "Cookieseal") }
func BenchmarkGorillaSealCookieStore(b *testing.B)   { benchGorillaSeal(b, "CookieStore") }
func BenchmarkGorillaOpenCookieseal(b *testing.B)    { benchGorillaOpen(b, "Cookieseal") }
func BenchmarkGorillaOpenCookieStore(b *testing.B)   { benchGorillaOpen(b, "CookieStore") }
func BenchmarkGorillaUpdateCookieseal(b *testing.B)  { benchGorillaUpdate(b, "Cookieseal") }
func BenchmarkGorillaUpdateCookieStore(b *testing.B) { benchGorillaUpdate(b, "CookieStore") }
