package ginstore_test

// The store under gin-contrib/sessions, as a gin app uses it.

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	ginsessions "github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	"github.com/cookieseal/cookieseal/bindings/go/gorillastore"
	"github.com/cookieseal/cookieseal/bindings/go/gorillastore/ginstore"
	"github.com/cookieseal/cookieseal/bindings/go/internal/testsupport"
)

func TestGinSessionsCountVisitsFlashAndClear(t *testing.T) {
	gin.SetMode(gin.TestMode)
	dir := t.TempDir()
	store, err := gorillastore.New(testsupport.Keyring(t, dir), cookieseal.Options{Store: filepath.Join(dir, "store")})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	gs := ginstore.New(store)
	gs.Options(ginsessions.Options{Path: "/", MaxAge: 3600, Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode})
	r := gin.New()
	r.Use(ginsessions.Sessions("__Host-session", gs))
	r.GET("/visit", func(c *gin.Context) {
		s := ginsessions.Default(c)
		flashes := s.Flashes() // read once: gone from the cookie Save writes
		n, _ := s.Get("visits").(int)
		s.Set("visits", n+1)
		if n == 0 {
			s.AddFlash("welcome")
		}
		if err := s.Save(); err != nil {
			c.String(http.StatusServiceUnavailable, err.Error())
			return
		}
		c.String(http.StatusOK, "%d %v", n+1, flashes)
	})
	r.GET("/logout", func(c *gin.Context) {
		s := ginsessions.Default(c)
		s.Clear()
		s.Options(ginsessions.Options{MaxAge: -1})
		if err := s.Save(); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "bye")
	})
	cookie := ""
	get := func(path string) (string, string) {
		req := httptest.NewRequest("GET", path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		set := rec.Header().Values("Set-Cookie")
		if len(set) > 0 {
			last := set[len(set)-1]
			cookie = last[:strings.IndexByte(last, ';')]
		}
		return rec.Body.String(), strings.Join(set, "\n")
	}
	for i, want := range []string{"1 []", "2 [welcome]", "3 []"} {
		if body, _ := get("/visit"); body != want {
			t.Fatalf("visit %d: %q, want %q", i+1, body, want)
		}
	}
	if body, set := get("/logout"); body != "bye" || !strings.Contains(set, "Max-Age=0") {
		t.Fatalf("logout: %q %q", body, set)
	}
	cookie = ""
	if body, _ := get("/visit"); body != "1 []" {
		t.Fatalf("after logout: %q", body)
	}
}
