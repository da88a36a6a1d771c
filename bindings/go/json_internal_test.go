package cookieseal

import (
	"strings"
	"testing"
)

// plainEnd finds a string's closing quote only when no byte before it is
// escaped or a control character, wherever that byte is (the word-at-a-time
// part and the tail alike); str and headerWord read the same strings either way.
func TestPlainEndRefusesEveryEscapeAndControlCharacter(t *testing.T) {
	for n := 0; n <= 20; n++ {
		text := strings.Repeat("a", n) + "é~"
		if end := plainEnd([]byte(text+`"`), 0); end != len(text) {
			t.Fatalf("plain text of %d bytes: end %d", len(text), end)
		}
		for i := 0; i <= n; i++ {
			for _, c := range []byte{0x00, 0x1f, '\\'} {
				b := []byte(text + `"`)
				b[i] = c
				if c == '\\' {
					b = append(b[:i+1], append([]byte{'n'}, b[i+1:]...)...)
				}
				if end := plainEnd(b, 0); end != -1 {
					t.Fatalf("byte %#x at %d of %d: end %d, want -1", c, i, n, end)
				}
				r := &jsonReader{s: append([]byte{'"'}, b...)}
				a, errA := r.str()
				r = &jsonReader{s: append([]byte{'"'}, b...)}
				h, errH := r.headerWord()
				if a != h || (errA == nil) != (errH == nil) {
					t.Fatalf("str %q %v, headerWord %q %v", a, errA, h, errH)
				}
			}
		}
	}
	r := &jsonReader{s: []byte(`["Set-Cookie","a=b; Path=/"]`)}
	var got []string
	if err := r.array(func() error { w, err := r.headerWord(); got = append(got, w); return err }); err != nil ||
		len(got) != 2 || got[0] != "Set-Cookie" || got[1] != "a=b; Path=/" {
		t.Fatalf("headers: %q %v", got, err)
	}
}
