package cookieseal

// The JSON bridge (docs/FORMAT.md, section 6) written and read directly
// between Go values and bytes: no encoding/json, no intermediate maps of the
// tagged form, one buffer per call. Values are the JSON kinds as Get returns
// them (integers as int, other numbers as float64, []interface{},
// map[string]interface{}, []byte for {"$bytes"}, Object for {"$object"}).

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cookieseal/cookieseal/bindings/go/internal/adapter"
)

const maxJSONDepth = 34 // a value's 32 levels plus the session's own two (section 6)

// bufPool holds the buffers of JSON written for the library (copied by it).
var bufPool = sync.Pool{New: func() interface{} { b := make([]byte, 0, 2048); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

// putBuf wipes what the buffer held (session values: plaintext) and pools it.
func putBuf(b *[]byte) {
	clear(*b)
	if cap(*b) <= 64<<10 {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}

// The word tests of 8 bytes at a time (the library's detail::json_plain_run).
const ones, highs = 0x0101010101010101, 0x8080808080808080

// zeroIn is nonzero when a byte of x is zero.
func zeroIn(x uint64) uint64 { return (x - ones) &^ x & highs }

// controlIn is nonzero when a byte of x is a control character (< 0x20): the
// high bit of (x - 0x20 each) &^ x is set exactly for those bytes.
func controlIn(x uint64) uint64 { return (x - 0x20*ones) &^ x & highs }

// plainRun is the end of the run of s from i that JSON writes as it is (no
// control character, '"', '\\' or non-ASCII byte): 8 bytes a step while none
// of them stops it (a word test: the library's detail::json_plain_run), then
// a byte at a time.
func plainRun(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		if x&highs|controlIn(x)|zeroIn(x^0x22*ones)|zeroIn(x^0x5C*ones) != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			break
		}
	}
	return i
}

// appendString appends s as a JSON string; ill-formed UTF-8 becomes U+FFFD
// (as encoding/json writes it: the library takes only valid UTF-8).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i = plainRun(s, i); i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendKey appends a map key; in a map nested in a value (nested) a key that
// starts with '$' gets one more, so no map reads back as a tag.
func appendKey(b []byte, k string, nested bool) []byte {
	if nested && len(k) > 0 && k[0] == '$' {
		return append(appendString(b, "$"+k), ':')
	}
	return append(appendString(b, k), ':')
}

func appendBytes(b []byte, p []byte) []byte {
	b = append(b, `{"$bytes":"`...)
	n := len(b)
	b = append(b, make([]byte, base64.RawURLEncoding.EncodedLen(len(p)))...)
	base64.RawURLEncoding.Encode(b[n:], p)
	return append(b, `"}`...)
}

func appendFloat(b []byte, f float64, bits int) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false // not a JSON number
	}
	// encoding/json's choice of format: exponent only for very small or large.
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
		bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, bits), true
}

// appendValue appends v in the bridge's JSON; false for a value of no JSON
// kind (a struct, a pointer, a map with other keys, NaN, an integer past
// int64, nesting past the bound).
func appendValue(b []byte, v interface{}, depth int) ([]byte, bool) {
	if depth > 32 {
		return b, false
	}
	switch t := v.(type) {
	case nil:
		return append(b, "null"...), true
	case string:
		return appendString(b, t), true
	case bool:
		return strconv.AppendBool(b, t), true
	case int:
		return strconv.AppendInt(b, int64(t), 10), true
	case int64:
		return strconv.AppendInt(b, t, 10), true
	case float64:
		return appendFloat(b, t, 64)
	case []byte:
		return appendBytes(b, t), true
	case Object:
		b = append(b, `{"$object":`...)
		b = appendString(b, t.TypeName)
		b = append(b, `,"$bytes":"`...)
		n := len(b)
		b = append(b, make([]byte, base64.RawURLEncoding.EncodedLen(len(t.Data)))...)
		base64.RawURLEncoding.Encode(b[n:], t.Data)
		return append(b, `"}`...), true
	case []interface{}:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendValue(b, e, depth+1); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case []string:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e)
		}
		return append(b, ']'), true
	case []int:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(e), 10)
		}
		return append(b, ']'), true
	case []adapter.Entry: // a map in the order given, with no map built (the gorilla store's types)
		b = append(b, '{')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendKey(b, e.Key, true)
			var ok bool
			if b, ok = appendValue(b, e.Value, depth+1); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	case map[string]interface{}:
		b = append(b, '{')
		first := true
		for k, e := range t {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendKey(b, k, true)
			var ok bool
			if b, ok = appendValue(b, e, depth+1); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	case map[string]string:
		b = append(b, '{')
		first := true
		for k, e := range t {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(appendKey(b, k, true), e)
		}
		return append(b, '}'), true
	}
	return appendReflect(b, reflect.ValueOf(v), depth)
}

var objectType = reflect.TypeOf(Object{})

// appendReflect is appendValue for the other types of a JSON kind (named
// types, sized integers, typed slices and maps).
func appendReflect(b []byte, v reflect.Value, depth int) ([]byte, bool) {
	if depth > 32 {
		return b, false
	}
	if v.Type() == objectType {
		return appendValue(b, v.Interface(), depth)
	}
	switch v.Kind() {
	case reflect.String:
		return appendString(b, v.String()), true
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if v.Uint() > math.MaxInt64 {
			return b, false // the bridge's integers are int64
		}
		return strconv.AppendUint(b, v.Uint(), 10), true
	case reflect.Float32:
		return appendFloat(b, v.Float(), 32)
	case reflect.Float64:
		return appendFloat(b, v.Float(), 64)
	case reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...), true
		}
		return appendValue(b, v.Elem().Interface(), depth)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 { // a named []byte, or [N]byte
			p := make([]byte, v.Len())
			reflect.Copy(reflect.ValueOf(p), v)
			return appendBytes(b, p), true
		}
		b = append(b, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendReflect(b, v.Index(i), depth+1); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return b, false
		}
		b = append(b, '{')
		first := true
		for it := v.MapRange(); it.Next(); {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendKey(b, it.Key().String(), true)
			var ok bool
			if b, ok = appendReflect(b, it.Value(), depth+1); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	}
	return b, false
}

// jsonReader reads the JSON the library writes (and refuses, never panics
// on, anything else).
type jsonReader struct {
	s []byte
	i int
}

var errJSON = errors.New("cookieseal: malformed JSON from the library")

func (r *jsonReader) ws() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte (0 at the end).
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

func (r *jsonReader) expect(c byte) error {
	if r.peek() != c {
		return errJSON
	}
	r.i++
	return nil
}

func (r *jsonReader) literal(word string) error {
	if len(r.s)-r.i < len(word) || string(r.s[r.i:r.i+len(word)]) != word {
		return errJSON
	}
	r.i += len(word)
	return nil
}

// null consumes a null if one comes next.
func (r *jsonReader) null() bool {
	if r.peek() == 'n' && r.literal("null") == nil {
		return true
	}
	return false
}

// plainEnd is the index of the '"' that ends the string whose text starts at
// s[i], when none of the text is escaped or a control character (then it is
// the string as it is); else -1. IndexByte scans a long run (a cookie) many
// bytes at a time.
func plainEnd(s []byte, i int) int {
	q := bytes.IndexByte(s[i:], '"')
	if q < 0 {
		return -1
	}
	run := s[i : i+q]
	if bytes.IndexByte(run, '\\') >= 0 {
		return -1
	}
	for ; len(run) >= 8; run = run[8:] { // a control character among 8 bytes at a time
		if controlIn(binary.LittleEndian.Uint64(run)) != 0 {
			return -1
		}
	}
	for _, c := range run {
		if c < 0x20 {
			return -1
		}
	}
	return i + q
}

func (r *jsonReader) str() (string, error) {
	if err := r.expect('"'); err != nil {
		return "", err
	}
	start := r.i
	if end := plainEnd(r.s, start); end >= 0 {
		r.i = end + 1
		return string(r.s[start:end]), nil
	}
	for r.i < len(r.s) {
		switch c := r.s[r.i]; {
		case c == '"':
			s := string(r.s[start:r.i])
			r.i++
			return s, nil
		case c == '\\':
			return r.escapedStr(start)
		case c < 0x20:
			return "", errJSON
		default:
			r.i++
		}
	}
	return "", errJSON
}

func (r *jsonReader) escapedStr(start int) (string, error) {
	out := append([]byte(nil), r.s[start:r.i]...)
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == '"':
			r.i++
			return string(out), nil
		case c < 0x20:
			return "", errJSON
		case c != '\\':
			out = append(out, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.s) {
			return "", errJSON
		}
		e := r.s[r.i+1]
		r.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			c1, ok := r.hex4()
			if !ok {
				return "", errJSON
			}
			ru := rune(c1)
			if utf16.IsSurrogate(ru) {
				ru = utf8.RuneError
				if r.i+1 < len(r.s) && r.s[r.i] == '\\' && r.s[r.i+1] == 'u' {
					save := r.i
					r.i += 2
					if c2, ok := r.hex4(); ok {
						if d := utf16.DecodeRune(rune(c1), rune(c2)); d != utf8.RuneError {
							ru = d
						} else {
							r.i = save
						}
					} else {
						r.i = save
					}
				}
			}
			out = utf8.AppendRune(out, ru)
		default:
			return "", errJSON
		}
	}
	return "", errJSON
}

func (r *jsonReader) hex4() (uint16, bool) {
	if len(r.s)-r.i < 4 {
		return 0, false
	}
	var n uint16
	for _, c := range r.s[r.i : r.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | uint16(c)
	}
	r.i += 4
	return n, true
}

// number reads an integer as int, any other number as float64.
func (r *jsonReader) number() (interface{}, error) {
	start, integer := r.i, true
	for r.i < len(r.s) {
		c := r.s[r.i]
		if c >= '0' && c <= '9' || c == '-' {
			r.i++
		} else if c == '.' || c == 'e' || c == 'E' || c == '+' {
			integer = false
			r.i++
		} else {
			break
		}
	}
	text := string(r.s[start:r.i])
	if integer {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil && n == int64(int(n)) {
			return int(n), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, errJSON
	}
	return f, nil
}

func (r *jsonReader) int64OrNull() (*int64, error) {
	if r.null() {
		return nil, nil
	}
	v, err := r.number()
	if err != nil {
		return nil, err
	}
	n, ok := v.(int)
	if !ok {
		return nil, errJSON
	}
	i := int64(n)
	return &i, nil
}

func (r *jsonReader) boolean() (bool, error) {
	switch r.peek() {
	case 't':
		return true, r.literal("true")
	case 'f':
		return false, r.literal("false")
	}
	return false, errJSON
}

// object calls member for each key; member reads the key's value.
func (r *jsonReader) object(member func(key string) error) error {
	return r.objectKeys(func(k []byte) error { return member(string(k)) })
}

// objectKeys is object with each key as a view (see key): for members
// matched by name, without allocating the name.
func (r *jsonReader) objectKeys(member func(key []byte) error) error {
	return r.sequence('{', '}', func() error {
		k, err := r.key()
		if err != nil {
			return err
		}
		return member(k)
	})
}

// array calls item for each element; item reads it.
func (r *jsonReader) array(item func() error) error { return r.sequence('[', ']', item) }

// sequence reads open, items separated by commas, and close.
func (r *jsonReader) sequence(open, close byte, item func() error) error {
	if err := r.expect(open); err != nil {
		return err
	}
	if r.peek() == close {
		r.i++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case close:
			r.i++
			return nil
		default:
			return errJSON
		}
	}
}

// skip reads and drops one value.
func (r *jsonReader) skip() error {
	switch r.peek() {
	case '"':
		return r.skipString()
	case '[':
		return r.array(r.skip)
	case '{':
		return r.objectKeys(func([]byte) error { return r.skip() })
	case 't':
		return r.literal("true")
	case 'f':
		return r.literal("false")
	case 'n':
		return r.literal("null")
	}
	start := r.i // a number, passed without its text
	for r.i < len(r.s) && strings.IndexByte("+-.0123456789Ee", r.s[r.i]) >= 0 {
		r.i++
	}
	if r.i == start {
		return errJSON
	}
	return nil
}

// skipString passes a string without keeping it.
func (r *jsonReader) skipString() error {
	r.i++
	for r.i < len(r.s) {
		switch c := r.s[r.i]; {
		case c == '"':
			r.i++
			return nil
		case c == '\\':
			r.i += 2
		case c < 0x20:
			return errJSON
		default:
			r.i++
		}
	}
	return errJSON
}

// key reads an object's key and its colon; the bytes are the reader's (a
// view, valid until the next read) unless the key has escapes.
func (r *jsonReader) key() ([]byte, error) {
	if r.peek() != '"' {
		return nil, errJSON
	}
	start := r.i + 1
	for j := start; j < len(r.s); j++ {
		if c := r.s[j]; c == '"' {
			r.i = j + 1
			return r.s[start:j], r.expect(':')
		} else if c == '\\' || c < 0x20 {
			break
		}
	}
	k, err := r.str()
	if err != nil {
		return nil, err
	}
	return []byte(k), r.expect(':')
}

// value reads one session value (tags decoded, "$$x" keys as "$x").
func (r *jsonReader) value(depth int) (interface{}, error) {
	if depth > maxJSONDepth {
		return nil, errJSON
	}
	switch c := r.peek(); {
	case c == '"':
		return r.str()
	case c == 't' || c == 'f':
		return r.boolean()
	case c == 'n':
		return nil, r.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return r.number()
	case c == '[':
		r.i++
		list := make([]interface{}, 0, 4)
		if r.peek() == ']' {
			r.i++
			return list, nil
		}
		for {
			v, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			switch r.peek() {
			case ',':
				r.i++
			case ']':
				r.i++
				return list, nil
			default:
				return nil, errJSON
			}
		}
	case c == '{':
		r.i++
		m := map[string]interface{}{}
		dollar := false
		if r.peek() == '}' {
			r.i++
			return m, nil
		}
		for {
			k, err := r.str()
			if err != nil {
				return nil, err
			}
			if err := r.expect(':'); err != nil {
				return nil, err
			}
			v, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			dollar = dollar || len(k) > 0 && k[0] == '$'
			m[k] = v
			switch r.peek() {
			case ',':
				r.i++
			case '}':
				r.i++
				if dollar {
					return untag(m), nil
				}
				return m, nil
			default:
				return nil, errJSON
			}
		}
	}
	return nil, errJSON
}

// untag is a map with '$' keys: a tag ({"$bytes"}, {"$object", "$bytes"}),
// or a map whose "$$x" keys are "$x".
func untag(m map[string]interface{}) interface{} {
	for k := range m {
		if len(k) > 0 && k[0] == '$' && (len(k) < 2 || k[1] != '$') { // a single '$': a tag
			b, _ := m["$bytes"].(string)
			raw, err := base64.RawURLEncoding.DecodeString(b)
			if name, ok := m["$object"].(string); ok && len(m) == 2 && err == nil {
				return Object{TypeName: name, Data: raw}
			}
			if _, ok := m["$bytes"]; ok && len(m) == 1 && err == nil {
				return raw
			}
			return m // the library writes no other tag
		}
	}
	out := make(map[string]interface{}, len(m))
	for k, v := range m {
		if len(k) > 0 && k[0] == '$' {
			k = k[1:]
		}
		out[k] = v
	}
	return out
}

// valuesMap reads a map of values whose own keys are not tags.
func (r *jsonReader) valuesMap(depth int) (map[string]interface{}, error) {
	m := map[string]interface{}{}
	if r.null() {
		return m, nil
	}
	err := r.object(func(k string) error {
		v, err := r.value(depth + 1)
		m[k] = v
		return err
	})
	return m, err
}
