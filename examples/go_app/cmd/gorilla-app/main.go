// A gorilla/sessions app: it counts a visitor's visits in a session.
//
//	gorilla-app -key KEY [-port 8090]
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"

	"github.com/cookieseal/cookieseal/bindings/go/gorillastore"
)

func main() {
	key := flag.String("key", "", "the session key")
	port := flag.Int("port", 8090, "port on 127.0.0.1")
	flag.Parse()
	store := gorillastore.Must(gorillastore.New(*key))
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		session, err := store.Get(r, "session-name")
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		visits, _ := session.Values["visits"].(int)
		session.Values["visits"] = visits + 1
		if err := session.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "visits: %d\n", visits+1)
	})
	log.Fatal(http.ListenAndServe(fmt.Sprintf("127.0.0.1:%d", *port), nil))
}
