// go-shop serves the Go twin of the example shop on 127.0.0.1.
//
//	go-shop -keyring STATE/keyring -store STATE/store [-port 8082]
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	shop "github.com/cookieseal/cookieseal/examples/go_app"
)

func main() {
	keyring := flag.String("keyring", "", "the keyring file shared with the other servers")
	store := flag.String("store", "", "overflow and revocation store: a directory or redis:// URL")
	port := flag.Int("port", 8082, "port on 127.0.0.1")
	flag.Parse()
	if *keyring == "" {
		fmt.Fprintln(os.Stderr, "usage: go-shop -keyring FILE [-store DIR|URL] [-port N]")
		os.Exit(2)
	}
	codec, err := cookieseal.Open(*keyring, cookieseal.Options{Store: *store})
	if err != nil {
		log.Fatal(err)
	}
	defer codec.Close()
	fmt.Printf("cookieseal go: http://127.0.0.1:%d/\n", *port)
	log.Fatal(http.ListenAndServe(fmt.Sprintf("127.0.0.1:%d", *port), shop.Handler(codec)))
}
