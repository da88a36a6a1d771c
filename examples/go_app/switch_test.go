package shop_test

// The README's promise to gorilla/sessions users: switching to cookieseal
// changes the import and the store constructor, nothing else. The gorilla app
// (testdata/gorilla-app-before.go) and its switched twin (cmd/gorilla-app) are
// compared line by line, and the switched one is built and run.

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTheGorillaSwitchIsTheImportAndTheConstructor(t *testing.T) {
	before, err := os.ReadFile("testdata/gorilla-app-before.go")
	if err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile("cmd/gorilla-app/main.go")
	if err != nil {
		t.Fatal(err)
	}
	b, a := strings.Split(string(before), "\n"), strings.Split(string(after), "\n")
	if len(a) != len(b) {
		t.Fatalf("%d lines before, %d after: lines were added or removed", len(b), len(a))
	}
	var changed []string
	for i := range a {
		if a[i] != b[i] {
			changed = append(changed, strings.TrimSpace(a[i]))
		}
	}
	if len(changed) != 2 || !strings.Contains(changed[0], "/gorillastore\"") ||
		!strings.HasPrefix(changed[1], "store := gorillastore.") {
		t.Fatalf("changed lines: %q, want the import and the store constructor", changed)
	}

	dir := t.TempDir()
	bin := filepath.Join(dir, "gorilla-app")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/gorilla-app").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	port := freePort(t)
	keyring := filepath.Join(dir, "keyring")
	if out, err := exec.Command(need(t, "COOKIESEAL_CLI"), "keyring", "init", keyring).CombinedOutput(); err != nil {
		t.Fatalf("keyring init: %v\n%s", err, out)
	}
	app := exec.Command(bin, "-key", keyring, "-port", fmt.Sprint(port))
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = app.Process.Kill(); _, _ = app.Process.Wait() }()
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	cookie := ""
	for want := 1; want <= 3; want++ {
		var body string
		deadline := time.Now().Add(15 * time.Second)
		for {
			req, _ := http.NewRequest("GET", url, nil)
			if cookie != "" {
				req.Header.Set("Cookie", cookie)
			}
			rsp, err := http.DefaultClient.Do(req)
			if err == nil {
				buf := make([]byte, 256)
				n, _ := rsp.Body.Read(buf)
				rsp.Body.Close()
				body = string(buf[:n])
				if set := rsp.Header.Get("Set-Cookie"); set != "" {
					cookie = set[:strings.IndexByte(set, ';')]
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the app did not answer:", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if body != fmt.Sprintf("visits: %d\n", want) {
			t.Fatalf("request %d: %q", want, body)
		}
	}
}
