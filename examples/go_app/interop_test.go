package shop_test

// End to end: the C++ example shop, the Flask example app and the Go example
// server share one keyring file and store. A session created in any one opens
// in the other two; a CLI rotation and "log out everywhere" are seen by all.

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	shop "github.com/cookieseal/cookieseal/examples/go_app"
)

// browser keeps cookies by name, as one browser does across servers on one host.
type browser struct {
	t       *testing.T
	cookies map[string]string
	client  *http.Client
}

func newBrowser(t *testing.T) *browser {
	return &browser{t: t, cookies: map[string]string{}, client: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       20 * time.Second,
	}}
}

func (b *browser) do(method, u string, form url.Values) (int, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	var pairs []string
	for k, v := range b.cookies {
		pairs = append(pairs, k+"="+v)
	}
	if len(pairs) > 0 {
		req.Header.Set("Cookie", strings.Join(pairs, "; "))
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	text, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return res.StatusCode, string(text)
}

func (b *browser) state(base string) map[string]interface{} {
	b.t.Helper()
	code, text := b.do("GET", base+"/api/state", nil)
	var out map[string]interface{}
	if code != 200 || json.Unmarshal([]byte(text), &out) != nil {
		b.t.Fatalf("%s/api/state: %d %s", base, code, text)
	}
	return out
}

func (b *browser) post(u string, kv ...string) {
	b.t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	if code, text := b.do("POST", u, form); code != http.StatusSeeOther {
		b.t.Fatalf("POST %s: %d %s", u, code, text)
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startServer runs a server process until the test ends and waits for it.
func startServer(t *testing.T, log string, env []string, args ...string) string {
	t.Helper()
	port := freePort(t)
	args = append(args, "--port", strconv.Itoa(port))
	cmd := exec.Command(args[0], args[1:]...)
	out, _ := os.Create(log)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	for i := 0; i < 300; i++ {
		if res, err := http.Get(base + "/api/state"); err == nil {
			res.Body.Close()
			return base
		}
		time.Sleep(50 * time.Millisecond)
	}
	text, _ := os.ReadFile(log)
	t.Fatalf("%s did not start: %s", args[0], text)
	return ""
}

func need(t *testing.T, env string) string {
	v := os.Getenv(env)
	if v == "" {
		t.Fatalf("%s is not set: run through bindings/go/test.sh", env)
	}
	return v
}

func TestShopFlaskAndGoShareSessions(t *testing.T) {
	build, source := need(t, "COOKIESEAL_BUILD"), need(t, "COOKIESEAL_SOURCE")
	dir := t.TempDir()
	state, store := filepath.Join(dir, "state"), filepath.Join(dir, "state", "store")
	keyring := filepath.Join(state, "keyring")
	shopURL := startServer(t, filepath.Join(dir, "shop.log"), nil,
		need(t, "COOKIESEAL_SHOP"), "--state", state, "--store", store)
	flaskURL := startServer(t, filepath.Join(dir, "flask.log"),
		[]string{"PYTHONPATH=" + filepath.Join(source, "bindings", "python"),
			"COOKIESEAL_LIBRARY=" + filepath.Join(build, "lib", "libcookieseal-c.so.1")},
		"/usr/bin/python3", filepath.Join(source, "examples", "flask_app.py"), "--keyring", keyring,
		"--store", store)
	codec, err := cookieseal.Open(keyring, cookieseal.Options{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer codec.Close()
	goSrv := httptest.NewServer(shop.Handler(codec))
	defer goSrv.Close()
	goURL := goSrv.URL
	servers := map[string]string{"shop": shopURL, "flask": flaskURL, "go": goURL}

	// A session created in each server opens in the other two.
	for made, base := range servers {
		b := newBrowser(t)
		b.post(base+"/login", "user", "user-of-"+made)
		b.post(base+"/cart/add", "item", "from-"+made)
		for name, other := range servers {
			st := b.state(other)
			if st["user"] != "user-of-"+made || st["cart_items"].(float64) != 1 {
				t.Errorf("made in %s, opened in %s: %v", made, name, st)
			}
		}
	}

	// One browser moves across all three: values and flashes follow.
	alice := newBrowser(t)
	alice.post(goURL+"/login", "user", "alice")
	alice.post(flaskURL+"/cart/add", "item", "pen")
	alice.post(shopURL+"/cart/add", "item", "book")
	if st := alice.state(goURL); st["cart_items"].(float64) != 2 || st["user"] != "alice" {
		t.Errorf("go sees the others' changes: %v", st)
	}
	alice.post(flaskURL+"/flash", "message", "from Flask")
	if _, page := alice.do("GET", goURL+"/", nil); !strings.Contains(page, "from Flask") {
		t.Errorf("a flash queued in Flask, shown by Go: %s", page)
	}
	alice.post(goURL+"/login", "user", "alice") // same user: a welcome flash
	if _, page := alice.do("GET", shopURL+"/", nil); !strings.Contains(page, "Welcome, alice!") {
		t.Errorf("a flash queued in Go, shown by the shop: %s", page)
	}

	// An emergency rotation through the CLI: nobody is logged out.
	out, err := exec.Command(need(t, "COOKIESEAL_CLI"), "keyring", "rotate", keyring, "--activate-in", "0s").CombinedOutput()
	if err != nil {
		t.Fatalf("rotate: %v %s", err, out)
	}
	time.Sleep(1500 * time.Millisecond) // the shop's watcher polls each second: it now seals with the new key
	alice.post(shopURL+"/cart/add", "item", "cup")
	for name, base := range servers {
		if st := alice.state(base); st["user"] != "alice" || st["cart_items"].(float64) != 3 {
			t.Errorf("after the rotation, %s: %v", name, st)
		}
	}

	// Log out everywhere in Go ends alice's session made in Flask.
	other := newBrowser(t)
	other.post(flaskURL+"/login", "user", "alice")
	alice.post(goURL + "/logout-everywhere")
	for name, base := range servers {
		copy := newBrowser(t) // the same cookie for each server (the first would clear it)
		for k, v := range other.cookies {
			copy.cookies[k] = v
		}
		if st := copy.state(base); st["user"] != "" || st["refused"] != "revoked" {
			t.Errorf("after log out everywhere, %s: %v", name, st)
		}
	}
	other.post(shopURL+"/login", "user", "alice") // at once: holds everywhere
	for name, base := range servers {
		if st := other.state(base); st["user"] != "alice" {
			t.Errorf("a login right after, seen by %s: %v", name, st)
		}
	}
}
