// gorilla-peer is the load benchmark's peer for the Go example: its GET
// routes and login on gorilla/sessions' own CookieStore (securecookie: gob,
// AES-256-CTR, HMAC-SHA256), served the way go-shop serves, so
// bench/load/run.py compares cookieseal with what a gorilla user has
// without it, in the same run.
//
//	gorilla-peer [-port 8083]
package main

import (
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
)

func main() {
	port := flag.Int("port", 8083, "port on 127.0.0.1")
	flag.Parse()
	hashKey, blockKey := make([]byte, 32), make([]byte, 32) // per run: the benchmark logs in afresh
	if _, err := rand.Read(hashKey); err != nil {
		log.Fatal(err)
	}
	if _, err := rand.Read(blockKey); err != nil {
		log.Fatal(err)
	}
	store := sessions.NewCookieStore(hashKey, blockKey)
	// The same attributes as cookieseal's defaults (__Host-session).
	store.Options = &sessions.Options{Path: "/", MaxAge: 7 * 24 * 3600, Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode}
	const name = "__Host-session"

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s, _ := store.Get(r, name)
		visits, _ := s.Values["visits"].(int)
		s.Values["visits"] = visits + 1
		if err := s.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>gorilla</title><p>Visits: %d</p>`, visits+1)
	})
	mux.HandleFunc("/api/state", func(w http.ResponseWriter, r *http.Request) {
		s, _ := store.Get(r, name)
		user, _ := s.Values["user"].(string)
		visits, _ := s.Values["visits"].(int)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]interface{}{"user": user, "visits": visits,
			"cart_items": 0, "cart_bytes": 0, "new": s.IsNew, "refused": ""})
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		s, _ := store.New(r, name)
		s.Values["user"] = r.FormValue("user")
		if err := s.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	server := &http.Server{Addr: fmt.Sprintf("127.0.0.1:%d", *port), Handler: mux,
		ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 60 * time.Second}
	log.Fatal(server.ListenAndServe())
}
