package cookieseal_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
)

// Any map key round-trips, even the bridge's own tag names (docs/FORMAT.md,
// section 6): a nested key that starts with '$' travels with one more.
func TestMapKeysLikeTheBridgesTagsRoundTrip(t *testing.T) {
	c, _ := newCodec(t, cookieseal.Options{})
	s, err := c.LoadHeader("")
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]interface{}{
		"$bytes": "a top-level key is only a key",
		"q": map[string]interface{}{"$bytes": "hello!", "$object": map[string]interface{}{"$": 1, "$$x": 2},
			"plain": []interface{}{map[string]interface{}{"$bytes": "x"}}},
		"typed": map[string]string{"$bytes": "AQ"},
		"raw":   []byte{0, 0xff},
		"obj":   cookieseal.Object{TypeName: "shop.cart.v1", Data: []byte{1}},
	}
	for k, v := range values {
		if err := s.Set(k, v); err != nil {
			t.Fatal(k, err)
		}
	}
	headers := save(t, s)
	s.Close()
	s, _ = c.LoadHeader(cookieOf(headers))
	defer s.Close()
	if s.Outcome() != cookieseal.Opened || s.IsNew() {
		t.Fatalf("the cookie did not open: %v", s.Reason())
	}
	values["typed"] = map[string]interface{}{"$bytes": "AQ"} // maps come back untyped
	for k, want := range values {
		if got, _ := s.Get(k); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", k, got, want)
		}
	}
}

// Strings of every escape JSON has, ill-formed UTF-8 and NaN through the
// binding's own JSON writer and reader.
func TestStringsRoundTripAndNaNIsRefusedNamingTheKey(t *testing.T) {
	c, _ := newCodec(t, cookieseal.Options{})
	s, err := c.LoadHeader("")
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]interface{}{
		"escapes": "q\"b\\s/\n\r\t\b\f\x00\x1f<>&\u2028",
		"unicode": "é€😀",
		"list":    []interface{}{"", "$x", -12, 1e300, 2.5e-7, int64(-1) << 62},
		"k\"ey\n": map[string]interface{}{"\x01": true},
	}
	for k, v := range values {
		if err := s.Set(k, v); err != nil {
			t.Fatal(k, err)
		}
	}
	if err := s.Set("bad", "\xff\xfeok"); err != nil {
		t.Fatal(err)
	}
	headers := save(t, s)
	s.Close()
	s, _ = c.LoadHeader(cookieOf(headers))
	defer s.Close()
	values["list"] = []interface{}{"", "$x", -12, 1e300, 2.5e-7, -1 << 62}
	values["bad"] = "\ufffd\ufffdok" // each ill-formed byte one U+FFFD
	for k, want := range values {
		if got, _ := s.Get(k); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %#v, want %#v", k, got, want)
		}
	}
	if err := s.Replace(map[string]interface{}{"nan": math.NaN()}, nil); err == nil ||
		!strings.Contains(err.Error(), `"nan"`) {
		t.Errorf("NaN: %v", err)
	}
	if got, _ := s.Get("unicode"); got != "é€😀" {
		t.Errorf("a refused Replace changed the session: %v", got)
	}
}
