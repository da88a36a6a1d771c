package gorillastore_test

// Values come back with the Go types a gorilla user put in, while other
// languages read the neutral form (docs/FORMAT.md, section 6.1).

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
	"github.com/cookieseal/cookieseal/bindings/go/gorillastore"
)

const sessionName = "__Host-session"

// saveValues saves a new session holding values and returns its Set-Cookie lines.
func saveValues(t *testing.T, store *gorillastore.Store, values map[string]interface{}) []string {
	t.Helper()
	rsp := httptest.NewRecorder()
	sealWith(t, store, values, request(nil), rsp)
	return rsp.Header()["Set-Cookie"]
}

// nativeCookie seals values (and flashes) with the native API, as another
// language's server would, and returns the cookie for request().
func nativeCookie(t *testing.T, dir string, values map[string]interface{}, flashes map[string][]interface{}) string {
	t.Helper()
	other, err := cookieseal.Open(filepath.Join(dir, "keyring"), cookieseal.Options{Store: filepath.Join(dir, "store")})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	s, err := other.LoadHeader("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Replace(values, flashes); err != nil {
		t.Fatal(err)
	}
	return cookieOf(mustHeaders(t, s)) + ";"
}

func TestGorillaValuesComeBackWithTheirGoTypes(t *testing.T) {
	store, dir := gorillaStore(t)
	when := time.Date(2026, 12, 1, 12, 30, 45, 123456789, time.FixedZone("CET", 3600))
	values := map[string]interface{}{
		"roles":  []string{"admin", "editor"},
		"cart":   []int{101, 202},
		"labels": map[string]string{"theme": "dark"},
		"prefs": map[string]interface{}{"tags": []string{"a"}, "n": int64(7), "since": when,
			"plain": "x", "list": []interface{}{1.0, "y", []int{1}}},
		"n":       42,
		"big":     int64(1) << 60,
		"ratio":   0.25,
		"whole":   2.0,
		"ok":      true,
		"name":    "alice",
		"raw":     []byte{0, 0xff},
		"when":    when,
		"nested":  map[string][]int{"a": {1, 2}},
		"small":   []uint8{1, 2}, // []byte by another name: bytes
		"f32":     float32(1.5),
		"nothing": nil,
	}
	cookies := saveValues(t, store, values)
	session, err := store.New(request(cookies), sessionName)
	if err != nil || session.IsNew {
		t.Fatalf("the cookie did not open: %v", err)
	}
	for k, want := range values {
		got := session.Values[k]
		if w, ok := want.(time.Time); ok {
			if g, ok := got.(time.Time); !ok || !g.Equal(w) {
				t.Errorf("%s: got %#v, want %v", k, got, w)
			}
			continue
		}
		if k == "prefs" {
			m, ok := got.(map[string]interface{})
			if !ok {
				t.Errorf("prefs: got %#v", got)
				continue
			}
			if s, ok := m["since"].(time.Time); !ok || !s.Equal(when) {
				t.Errorf("prefs.since: got %#v", m["since"])
			}
			delete(m, "since")
			want = map[string]interface{}{"tags": []string{"a"}, "n": int64(7), "plain": "x",
				"list": []interface{}{1.0, "y", []int{1}}}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v (%T), want %#v (%T)", k, got, got, want, want)
		}
	}
	if _, ok := session.Values["_gotypes"]; ok {
		t.Errorf("the store's own entry shows in Values")
	}
	// The assertion a gorilla user writes works unchanged.
	if roles, ok := session.Values["roles"].([]string); !ok || roles[1] != "editor" {
		t.Errorf("roles.([]string): %#v", session.Values["roles"])
	}

	// What C++ (the CLI) and every other language read: the neutral form.
	cli := os.Getenv("COOKIESEAL_CLI")
	if cli == "" {
		t.Fatal("COOKIESEAL_CLI is not set: run through bindings/go/test.sh")
	}
	cookie := cookies[0][len(sessionName)+1 : strings.IndexByte(cookies[0], ';')]
	out, err := exec.Command(cli, "open", "--keyring", filepath.Join(dir, "keyring"), "--name", sessionName,
		cookie).Output()
	if err != nil {
		t.Fatalf("cookieseal open: %v", err)
	}
	var seen struct {
		Values map[string]interface{} `json:"values"`
	}
	if err := json.Unmarshal(out, &seen); err != nil {
		t.Fatal(err)
	}
	neutral := map[string]interface{}{
		"roles":  []interface{}{"admin", "editor"},
		"cart":   []interface{}{101.0, 202.0},
		"labels": map[string]interface{}{"theme": "dark"},
		"n":      42.0,
		"whole":  2.0,
		"when":   map[string]interface{}{" d": "Tue, 01 Dec 2026 11:30:45 GMT"}, // Flask's datetime
		"raw":    map[string]interface{}{"$bytes": "AP8"},
	}
	for k, want := range neutral {
		if !reflect.DeepEqual(seen.Values[k], want) {
			t.Errorf("the CLI sees %s as %#v, want %#v", k, seen.Values[k], want)
		}
	}
	types, _ := seen.Values["_gotypes"].(map[string]interface{})
	if types["roles"] != "[]string" || types["cart"] != "[]int" || types["big"] != "int64" ||
		types["whole"] != "float64" || types["when"] != "time.Time 2026-12-01T12:30:45.123456789+01:00" {
		t.Errorf("the recorded types: %v", types)
	}
	for _, untyped := range []string{"n", "ratio", "ok", "name", "raw", "nothing"} {
		if _, ok := types[untyped]; ok {
			t.Errorf("%s needs no recorded type: %v", untyped, types[untyped])
		}
	}
}

func TestGorillaValuesAnotherLanguageWroteLoadUntyped(t *testing.T) {
	store, dir := gorillaStore(t)
	cookie := nativeCookie(t, dir, map[string]interface{}{
		"roles": []interface{}{"admin"},
		"when":  map[string]interface{}{" d": "Tue, 01 Dec 2026 11:30:45 GMT"},
	}, nil)
	session, err := store.New(request([]string{cookie}), sessionName)
	if err != nil {
		t.Fatal(err)
	}
	if got := session.Values["roles"]; !reflect.DeepEqual(got, []interface{}{"admin"}) {
		t.Errorf("roles: %#v", got)
	}
	if got := session.Values["when"]; !reflect.DeepEqual(got, map[string]interface{}{" d": "Tue, 01 Dec 2026 11:30:45 GMT"}) {
		t.Errorf("when: %#v", got)
	}
}

func TestGorillaRecordedTypesThatNoLongerFitFallBack(t *testing.T) {
	store, dir := gorillaStore(t)
	// Another server changed the values under the types Go recorded (or wrote nonsense).
	cookie := nativeCookie(t, dir, map[string]interface{}{
		"roles":   []interface{}{1, 2},
		"labels":  "now a string",
		"blob":    "not bytes",
		"garbled": []byte("not gob"),
		"when":    map[string]interface{}{" d": "Wed, 02 Dec 2026 08:00:00 GMT"},
		"bad":     map[string]interface{}{" d": "yesterday"},
		"small":   300,
		"list":    []interface{}{"a"},
		"map":     map[string]interface{}{"k": "v"},
		"_gotypes": map[string]interface{}{
			"roles": "[]string", "labels": "map[string]string", "blob": "gob", "garbled": "gob",
			"when": "time.Time 2026-12-01T12:30:45.123456789+01:00", "bad": "time.Time x",
			"small": "int8", "list": map[string]interface{}{"[]interface{}": map[string]interface{}{"0": "int64", "9": "int64"}},
			"map":  map[string]interface{}{"map[string]interface{}": "not a map"},
			"gone": "[]string", "odd": 17,
		},
	}, nil)
	session, err := store.New(request([]string{cookie}), sessionName)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]interface{}{
		"roles":   []interface{}{1, 2},
		"labels":  "now a string",
		"blob":    "not bytes",
		"garbled": []byte("not gob"),
		"when":    time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), // the second that is there
		"bad":     map[string]interface{}{" d": "yesterday"},
		"small":   300,
		"list":    []interface{}{"a"},
		"map":     map[string]interface{}{"k": "v"},
	}
	for k, w := range want {
		if got := session.Values[k]; !reflect.DeepEqual(got, w) {
			t.Errorf("%s: got %#v, want %#v", k, got, w)
		}
	}
	if _, ok := session.Values["gone"]; ok {
		t.Errorf("a type without its value made a value")
	}
}

func TestGorillaFlashesNeverPanicOnAnyFlashKeyValue(t *testing.T) {
	store, dir := gorillaStore(t)
	for _, v := range []interface{}{"text", 3, map[string]interface{}{"a": 1}, []byte{1}} {
		cookie := nativeCookie(t, dir, map[string]interface{}{"_flash": v}, nil)
		session, err := store.New(request([]string{cookie}), sessionName)
		if err != nil {
			t.Fatal(err)
		}
		if f := session.Flashes(); len(f) != 1 || !reflect.DeepEqual(f[0], v) {
			t.Errorf("_flash %#v: flashes %#v", v, f)
		}
	}
	// A recorded type for a flash key keeps it a list, too.
	cookie := nativeCookie(t, dir, map[string]interface{}{"_gotypes": map[string]interface{}{"_flash": "[]string"}},
		map[string][]interface{}{"_flash": {"a", "b"}})
	session, _ := store.New(request([]string{cookie}), sessionName)
	if f := session.Flashes(); len(f) != 2 || f[1] != "b" {
		t.Errorf("typed flashes: %#v", f)
	}
}

func TestGorillaTheTypesKeyIsTheStores(t *testing.T) {
	store, _ := gorillaStore(t)
	req := request(nil)
	session, _ := store.New(req, sessionName)
	session.Values["_gotypes"] = "mine"
	err := session.Save(req, httptest.NewRecorder())
	if err == nil || !strings.Contains(err.Error(), `"_gotypes"`) || !errors.Is(err, cookieseal.ErrInvalidArgument) {
		t.Errorf("the reserved key: %v", err)
	}
}

func TestGorillaValuesOfNoStoredKindAreRefusedNamingTheKey(t *testing.T) {
	store, _ := gorillaStore(t)
	type unregistered struct{ A int }
	ch := make(chan int)
	for name, v := range map[string]interface{}{"plain": unregistered{1}, "pointer": &unregistered{1},
		"chan": ch, "deep": map[string]interface{}{"x": unregistered{1}}, "keys": map[int]string{1: "a"}} {
		req := request(nil)
		session, _ := store.New(req, sessionName)
		session.Values[name] = v
		rsp := httptest.NewRecorder()
		err := session.Save(req, rsp)
		if err == nil || !strings.Contains(err.Error(), `"`+name+`"`) || len(rsp.Header()["Set-Cookie"]) != 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
}
