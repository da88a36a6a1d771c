package cookieseal_test

import (
	"reflect"
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
