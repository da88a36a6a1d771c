package gorillastore_test

// The store under echo-contrib/session, which takes any gorilla store.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"
)

func TestEchoSessionsRoundTrip(t *testing.T) {
	store, _ := gorillaStore(t)
	e := echo.New()
	e.Use(session.Middleware(store))
	e.GET("/", func(c echo.Context) error {
		s, err := session.Get("__Host-session", c)
		if err != nil {
			return c.String(http.StatusServiceUnavailable, err.Error())
		}
		n, _ := s.Values["n"].(int)
		s.Values["n"] = n + 1
		if err := s.Save(c.Request(), c.Response()); err != nil {
			return err
		}
		return c.String(http.StatusOK, strings.Repeat("x", n+1))
	})
	cookie := ""
	for want := 1; want <= 3; want++ {
		req := httptest.NewRequest("GET", "/", nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || len(rec.Body.String()) != want {
			t.Fatalf("request %d: %d %q", want, rec.Code, rec.Body.String())
		}
		set := rec.Header().Get("Set-Cookie")
		cookie = set[:strings.IndexByte(set, ';')]
	}
}
