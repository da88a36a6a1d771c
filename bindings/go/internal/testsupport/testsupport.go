// Package testsupport is what the module's tests share: keyring files, thread
// counts, a redis-server of a test's own.
package testsupport

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// Redis is a redis-server of the test's own, listening only on a Unix socket
// in a temporary directory (no port to collide on); stopped at the end of the
// test, or earlier by Stop.
type Redis struct {
	URL    string // the store URL: unix:///…/redis.sock
	socket string
	cmd    *exec.Cmd
	done   chan struct{}
}

// StartRedis starts a redis-server (skips when none is installed: report it).
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("no redis-server:", err)
	}
	dir := t.TempDir()
	r := &Redis{socket: filepath.Join(dir, "redis.sock"), done: make(chan struct{})}
	r.URL = "unix://" + r.socket
	r.cmd = exec.Command(bin, "--port", "0", "--unixsocket", r.socket, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--loglevel", "warning")
	log, err := os.Create(filepath.Join(dir, "redis.log")) // its warnings are not the test's output
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close() // the server holds its own descriptor
	r.cmd.Stdout, r.cmd.Stderr = log, log
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(r.Stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if reply, err := r.Command("PING"); err == nil && reply == "PONG" {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not answer PING within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the server and waits for it to exit (twice is fine).
func (r *Redis) Stop() {
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Kill()
	<-r.done
}

// Command sends one command (its words) on a connection of its own and
// returns the reply as text: a status, an error ("ERR …" as an error), a bulk
// string or an integer.
func (r *Redis) Command(words ...string) (string, error) {
	conn, err := net.DialTimeout("unix", r.socket, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	req := fmt.Sprintf("*%d\r\n", len(words))
	for _, w := range words {
		req += fmt.Sprintf("$%d\r\n%s\r\n", len(w), w)
	}
	if _, err := conn.Write([]byte(req)); err != nil {
		return "", err
	}
	in := bufio.NewReader(conn)
	line, err := in.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch {
	case line == "":
		return "", fmt.Errorf("an empty reply")
	case line[0] == '+' || line[0] == ':':
		return line[1:], nil
	case line[0] == '-':
		return "", fmt.Errorf("redis: %s", line[1:])
	case line[0] == '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", fmt.Errorf("a bulk reply of length %q", line[1:])
		}
		body := make([]byte, n+2)
		if _, err := io.ReadFull(in, body); err != nil {
			return "", err
		}
		return string(body[:n]), nil
	}
	return "", fmt.Errorf("a reply this client does not read: %q", line)
}

// Clients counts the server's client connections other than the one asking
// (CLIENT LIST): a test's server serves only the test's process.
func (r *Redis) Clients(t testing.TB) int {
	t.Helper()
	list, err := r.Command("CLIENT", "LIST", "TYPE", "normal")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		if line != "" && !strings.Contains(line, " cmd=client|list ") {
			n++
		}
	}
	return n
}
