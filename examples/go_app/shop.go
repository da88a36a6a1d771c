// Package shop is the example shop's twin in Go (net/http and cookieseal's
// middleware): it shares the keyring file and store with the C++
// cookieseal-shop and the Flask app, so a user logged in on one is logged in
// on all, with the same cart, visits and flash messages.
package shop

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
)

// Handler serves the shop's routes over codec's sessions.
func Handler(codec *cookieseal.SessionManager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s := cookieseal.FromContext(r.Context())
		visits, _ := s.GetInt("visits")
		_ = s.Set("visits", visits+1)
		notes := ""
		for _, f := range s.Flashes("notice") {
			notes += fmt.Sprintf(`<p class="flash" id="flash">%s</p>`, html.EscapeString(fmt.Sprint(f)))
		}
		who := `<p id="user">Not logged in.</p>`
		if s.Subject() != "" {
			who = `<p id="user">Logged in as <b>` + html.EscapeString(s.Subject()) + `</b></p>`
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>cookieseal go</title><h1>cookieseal on Go</h1>%s%s`+
			`<p>Visits: <span id="visits">%d</span></p><p>Cart: <span id="cart-items">%d</span> items</p>`,
			notes, who, visits+1, len(cart(s)))
	})
	mux.HandleFunc("/api/state", func(w http.ResponseWriter, r *http.Request) {
		s := cookieseal.FromContext(r.Context())
		visits, _ := s.GetInt("visits")
		items, bytes := 0, 0
		for _, it := range cart(s) {
			if str, ok := it.(string); ok {
				items++
				bytes += len(str)
			}
		}
		refused := ""
		if s.Outcome() == cookieseal.Refused {
			refused = s.Reason().(*cookieseal.Error).Name
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]interface{}{"user": s.Subject(), "visits": visits,
			"cart_items": items, "cart_bytes": bytes, "new": s.IsNew(), "refused": refused})
	})
	mux.HandleFunc("/login", post(func(w http.ResponseWriter, r *http.Request, s *cookieseal.RequestSession) {
		user := r.FormValue("user")
		switch {
		case user == "" || len(user) > 64:
			_ = s.Flash("notice", "Please enter a name (up to 64 characters).")
		case s.Login(user) != nil:
			_ = s.Flash("notice", "Log out first to switch users.")
		default:
			_ = s.Flash("notice", "Welcome, "+user+"!")
		}
	}))
	mux.HandleFunc("/cart/add", post(func(w http.ResponseWriter, r *http.Request, s *cookieseal.RequestSession) {
		item := r.FormValue("item")
		if item == "" {
			item = "item"
		}
		if len(item) > 2000 {
			item = item[:2000]
		}
		items := cart(s)
		if len(items) < 1000 {
			items = append(items, item)
		}
		_ = s.Set("cart", items)
	}))
	mux.HandleFunc("/flash", post(func(w http.ResponseWriter, r *http.Request, s *cookieseal.RequestSession) {
		_ = s.Flash("notice", r.FormValue("message"))
	}))
	mux.HandleFunc("/logout", post(func(w http.ResponseWriter, r *http.Request, s *cookieseal.RequestSession) {
		_ = s.Destroy()
		_ = s.Flash("notice", "You are logged out.")
	}))
	mux.HandleFunc("/logout-everywhere", func(w http.ResponseWriter, r *http.Request) {
		s := cookieseal.FromContext(r.Context())
		if s.Subject() != "" {
			if err := codec.RevokeSubject(s.Subject()); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		_ = s.Destroy()
		_ = s.Flash("notice", "You are logged out everywhere.")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	return codec.Middleware(mux)
}

func cart(s *cookieseal.RequestSession) []interface{} {
	items, _ := s.Get("cart")
	list, _ := items.([]interface{})
	return list
}

// post runs f for a POST and redirects to / (303), as the other shops do.
func post(f func(http.ResponseWriter, *http.Request, *cookieseal.RequestSession)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		f(w, r, cookieseal.FromContext(r.Context()))
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
}
