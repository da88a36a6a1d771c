// go-shop serves the Go twin of the example shop on 127.0.0.1.
//
//	go-shop -keyring STATE/keyring -store STATE/store [-port 8082] [-no-revocation]
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	shop "github.com/cookieseal/cookieseal/examples/go_app"
)

func main() {
	keyring := flag.String("keyring", "", "the keyring file shared with the other servers")
	store := flag.String("store", "", "overflow and revocation store: a directory or redis:// URL")
	port := flag.Int("port", 8082, "port on 127.0.0.1")
	noRevocation := flag.Bool("no-revocation", false,
		"do not ask the store whether sessions are revoked (as bench/load measures)")
	flag.Parse()
	if *keyring == "" {
		fmt.Fprintln(os.Stderr, "usage: go-shop -keyring FILE [-store DIR|URL] [-port N] [-no-revocation]")
		os.Exit(2)
	}
	codec, err := cookieseal.Open(*keyring, cookieseal.Options{Store: *store, NoRevocations: *noRevocation})
	if err != nil {
		log.Fatal(err)
	}
	defer codec.Close()
	fmt.Printf("cookieseal go: http://127.0.0.1:%d/\n", *port)
	// net/http already sets TCP_NODELAY, serves each connection on its own
	// goroutine and keeps connections alive without a request limit; what
	// http.ListenAndServe leaves out are timeouts: without them a client that
	// sends its headers a byte a minute, or idles, holds a connection forever.
	server := &http.Server{
		Addr:              fmt.Sprintf("127.0.0.1:%d", *port),
		Handler:           shop.Handler(codec),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	log.Fatal(server.ListenAndServe())
}
