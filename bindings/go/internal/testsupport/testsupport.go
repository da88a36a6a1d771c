// Package testsupport is what the module's tests share: keyring files, thread counts.
package testsupport

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Keyring writes a fresh keyring in dir (one random key, active since an hour
// ago, mode 0600) and returns its path.
func Keyring(t testing.TB, dir string) string {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	when := time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04:05Z")
	text := fmt.Sprintf("cookieseal-keyring 1\nkey 9f3a01c2 %s %s never %s\n", when, when,
		base64.RawURLEncoding.EncodeToString(key))
	path := filepath.Join(dir, "keyring")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// KeyringThreads counts this process's keyring watcher threads (named
// "cs-keyring" by the library).
func KeyringThreads(t testing.TB) int {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skip("no /proc/self/task:", err)
	}
	n := 0
	for _, e := range entries {
		comm, err := os.ReadFile("/proc/self/task/" + e.Name() + "/comm")
		if err == nil && strings.TrimSpace(string(comm)) == "cs-keyring" {
			n++
		}
	}
	return n
}

// Threads counts this process's OS threads (skips where /proc is missing).
func Threads(t testing.TB) int {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skip("no /proc/self/task:", err)
	}
	return len(entries)
}
