package cookieseal_test

// Seal and open of the typical fixture through the Go binding against
// gorilla/securecookie (what gorilla's CookieStore uses: gob, AES-256-CTR and
// HMAC-SHA256 here, so it encrypts too), in the same `go test -bench` run.

import (
	"crypto/rand"
	"encoding/gob"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorilla/securecookie"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
)

func typicalValues(b *testing.B) map[string]interface{} {
	path := filepath.Join(os.Getenv("COOKIESEAL_SOURCE"), "bench", "fixtures", "typical.json")
	text, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var v map[string]interface{}
	if err := json.Unmarshal(text, &v); err != nil {
		b.Fatal(err)
	}
	// As a Go program holds them: integers as int.
	for k, x := range v {
		if f, ok := x.(float64); ok && f == float64(int(f)) {
			v[k] = int(f)
		}
		if l, ok := x.([]interface{}); ok {
			for i, e := range l {
				if f, ok := e.(float64); ok {
					l[i] = int(f)
				}
			}
		}
	}
	return v
}

func benchCodec(b *testing.B) *cookieseal.SessionManager {
	dir := b.TempDir()
	c, err := cookieseal.Open(keyringFile(b, dir), cookieseal.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

func sealTypical(b *testing.B, c *cookieseal.SessionManager, values map[string]interface{}) string {
	body, err := json.Marshal(map[string]interface{}{"values": values})
	if err != nil {
		b.Fatal(err)
	}
	cookie, err := c.SealJSON(body)
	if err != nil {
		b.Fatal(err)
	}
	return cookie
}

func BenchmarkSealCookieseal(b *testing.B) {
	c, values := benchCodec(b), typicalValues(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sealTypical(b, c, values)
	}
}

func BenchmarkOpenCookieseal(b *testing.B) {
	c, values := benchCodec(b), typicalValues(b)
	cookie := sealTypical(b, c, values)
	defer b.ReportMetric(float64(len(cookie)), "chars") // after ResetTimer, which drops metrics
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		text, err := c.OpenJSON(cookie)
		if err != nil {
			b.Fatal(err)
		}
		var out struct {
			Values map[string]interface{} `json:"values"`
		}
		if err := json.Unmarshal(text, &out); err != nil || len(out.Values) != len(values) {
			b.Fatal(err)
		}
	}
}

func secureCookie(b *testing.B) *securecookie.SecureCookie {
	hashKey, blockKey := make([]byte, 32), make([]byte, 32)
	rand.Read(hashKey)
	rand.Read(blockKey)
	gob.Register([]interface{}{})
	return securecookie.New(hashKey, blockKey)
}

func BenchmarkSealSecurecookie(b *testing.B) {
	sc, values := secureCookie(b), typicalValues(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := sc.Encode("session", values); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenSecurecookie(b *testing.B) {
	sc, values := secureCookie(b), typicalValues(b)
	cookie, err := sc.Encode("session", values)
	if err != nil {
		b.Fatal(err)
	}
	defer b.ReportMetric(float64(len(cookie)), "chars")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out map[string]interface{}
		if err := sc.Decode("session", cookie, &out); err != nil || len(out) != len(values) {
			b.Fatal(err)
		}
	}
}
