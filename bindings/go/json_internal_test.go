package cookieseal

import (
	"encoding/json"
	"reflect"
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

// plainRun stops exactly where a byte-by-byte test stops, for every byte
// value at every position of three words and a tail, from every offset; and
// appendString writes what encoding/json reads back as the same string.
func TestPlainRunAgreesWithTheByteTestEverywhere(t *testing.T) {
	stops := func(c byte) bool { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80 }
	for c := 0; c < 256; c++ {
		for at := 0; at < 24; at++ {
			for start := 0; start < 8; start++ {
				b := []byte(strings.Repeat("a", start+24+3))
				b[start+at] = byte(c)
				want := len(b)
				if stops(byte(c)) {
					want = start + at
				}
				if got := plainRun(string(b), start); got != want {
					t.Fatalf("byte %#x at %d from %d: %d, want %d", c, at, start, got, want)
				}
			}
		}
	}
	for _, piece := range []string{`"`, `\`, "\n", "\x01", "\x1f", "\x7f", "é", "€", "\xff", "/"} {
		for at := 0; at < 20; at++ {
			s := strings.Repeat("x", at) + piece + strings.Repeat("y", 11)
			var back string
			if err := json.Unmarshal(appendString(nil, s), &back); err != nil {
				t.Fatalf("%q: %v", s, err)
			}
			if want := strings.ToValidUTF8(s, "\uFFFD"); back != want {
				t.Fatalf("%q came back as %q", s, back)
			}
		}
	}
}

// The headers of a save that sealed one cookie are read without the general
// parse: the same pairs, and anything else (an escape, two cookies, a raw
// control character, trailing text) goes to the general parse.
func TestSealedHeadersReadAsTheGeneralParseReadsThem(t *testing.T) {
	const tail = `,["Cache-Control","no-store"],["Vary","Cookie"]]`
	for _, c := range []struct {
		text string
		fast bool
	}{
		{`[["Set-Cookie","__Host-session=abc; Path=/; Secure; HttpOnly"]` + tail, true},
		{`[["Set-Cookie",""]` + tail, true},
		{`[["Set-Cookie","sid=a; Path=/x\"y"]` + tail, false},
		{`[["Set-Cookie","a=1"],["Set-Cookie","b=2"]` + tail, false},
		{`[["Set-Cookie","a=` + "\x01" + `"]` + tail, false},
		{`[["Set-Cookie","a=1"]` + tail + ` `, false},
		{`[["Set-Cookie","a=1"]` + tail + `x`, false},
		{`[["Vary","Cookie"]]`, false},
		{`[]`, false},
	} {
		_, fast := sealedLine([]byte(c.text))
		if fast != c.fast {
			t.Errorf("%q: fast path %v, want %v", c.text, fast, c.fast)
		}
		got, err := readHeaders([]byte(c.text))
		want, wantErr := readHeaderPairs(nil, []byte(c.text))
		if (err == nil) != (wantErr == nil) || (err == nil && len(got)+len(want) > 0 && !reflect.DeepEqual(got, want)) {
			t.Errorf("%q: %v %v, the general parse %v %v", c.text, got, err, want, wantErr)
		}
	}
	if _, err := readHeaders([]byte(`[["Set-Cookie","a=1"]` + tail + `x`)); err == nil {
		t.Error("trailing text was read")
	}
}
