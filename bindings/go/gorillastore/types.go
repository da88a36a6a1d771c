package gorillastore

// Go's types through a session that every language reads (docs/FORMAT.md,
// section 6.1): each value is stored in the bridge's neutral form, and the Go
// type of each value whose neutral form would read back as another type is
// recorded under typesKey, a value the store owns.

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	cookieseal "github.com/cookieseal/cookieseal/bindings/go"
)

// typesKey is the reserved value that maps each typed key to its type.
const typesKey = "_gotypes"

// Descriptors: a Go type as Go writes it ("int64", "[]string",
// "map[string][]int"), "time.Time <RFC 3339 instant>", "gob", or for a
// []interface{} or map[string]interface{} whose elements have types, a
// one-key object {"[]interface{}": {index: type}} or
// {"map[string]interface{}": {key: type}} listing only those elements.
const (
	gobType     = "gob"
	timePrefix  = "time.Time "
	listOfAny   = "[]interface{}"
	mapOfAny    = "map[string]interface{}"
	maxDepth    = 32   // the library's nesting bound: deeper is refused by Replace
	flaskTimeTg = " d" // Flask's tag for a datetime (flask.json.tag.TagDateTime)
)

// refused is the error of a value that cannot be stored, naming its key.
func refused(key string, v interface{}, why string) error {
	return &cookieseal.Error{Status: cookieseal.ErrInvalidArgument.Status, Name: cookieseal.ErrInvalidArgument.Name,
		Message: fmt.Sprintf("session value %q is a %T: %s", key, v, why)}
}

// encodeValue is v in its neutral form and, when that form would read back
// as another Go type, v's descriptor (nil when none is needed). A value of no
// neutral kind (a struct, a pointer) is gob-encoded into bytes when its type
// is gob-registered, and refused otherwise.
func encodeValue(key string, v interface{}, depth int) (interface{}, interface{}, error) {
	switch t := v.(type) {
	case nil, string, bool, int, []byte, cookieseal.Object:
		return v, nil, nil // read back as they are
	case float64:
		if t == math.Trunc(t) && !math.IsInf(t, 0) {
			return v, "float64", nil // written as an integer: read back as int
		}
		return v, nil, nil
	case time.Time:
		// Flask's datetime form (to the second, in UTC), the instant exact in the descriptor.
		return map[string]interface{}{flaskTimeTg: t.UTC().Format(http.TimeFormat)},
			timePrefix + t.Format(time.RFC3339Nano), nil
	case []interface{}:
		return encodeList(key, t, depth)
	case map[string]interface{}:
		return encodeMap(key, t, depth)
	case []string:
		return v, "[]string", nil
	case []int:
		return v, "[]int", nil
	case map[string]string:
		return v, "map[string]string", nil
	case int64:
		return v, "int64", nil
	}
	rt := reflect.TypeOf(v)
	if name, ok := typeName(rt); ok {
		return v, name, nil
	}
	var buf bytes.Buffer
	boxed := v // its address escapes (gob): v's own would move v to the heap on every call
	gerr := gob.NewEncoder(&buf).Encode(&boxed)
	if gerr == nil {
		return buf.Bytes(), gobType, nil
	}
	switch rt.Kind() {
	case reflect.Struct, reflect.Pointer, reflect.Chan, reflect.Func, reflect.UnsafePointer,
		reflect.Complex64, reflect.Complex128:
		return nil, nil, refused(key, v, "only string, numbers, bool, nil, []byte, time.Time, slices and "+
			"maps with string keys of those, or a gob-registered type, are stored ("+gerr.Error()+")")
	}
	return v, nil, nil // a named kind (type Role string): stored as its kind, read back untyped
}

func encodeList(key string, l []interface{}, depth int) (interface{}, interface{}, error) {
	if depth >= maxDepth {
		return l, nil, nil
	}
	var out []interface{}
	var types map[string]interface{}
	for i, e := range l {
		n, d, err := encodeValue(key, e, depth+1)
		if err != nil {
			return nil, nil, err
		}
		if d == nil {
			continue
		}
		if out == nil {
			out = append(make([]interface{}, 0, len(l)), l...)
			types = map[string]interface{}{}
		}
		out[i] = n
		types[strconv.Itoa(i)] = d
	}
	if types == nil {
		return l, nil, nil
	}
	return out, map[string]interface{}{listOfAny: types}, nil
}

func encodeMap(key string, m map[string]interface{}, depth int) (interface{}, interface{}, error) {
	if depth >= maxDepth {
		return m, nil, nil
	}
	var out map[string]interface{}
	var types map[string]interface{}
	for k, e := range m {
		n, d, err := encodeValue(key, e, depth+1)
		if err != nil {
			return nil, nil, err
		}
		if d == nil {
			continue
		}
		if out == nil {
			out = make(map[string]interface{}, len(m))
			for k2, e2 := range m {
				out[k2] = e2
			}
			types = map[string]interface{}{}
		}
		out[k] = n
		types[k] = d
	}
	if types == nil {
		return m, nil, nil
	}
	return out, map[string]interface{}{mapOfAny: types}, nil
}

var stringType = reflect.TypeOf("")

// typeName is t in Go's syntax when t is built of unnamed basic types,
// interface{}, slices and maps with string keys; false otherwise.
func typeName(t reflect.Type) (string, bool) {
	switch t.Kind() {
	case reflect.Slice:
		e, ok := typeName(t.Elem())
		return "[]" + e, ok && t.Name() == ""
	case reflect.Map:
		e, ok := typeName(t.Elem())
		return "map[string]" + e, ok && t.Name() == "" && t.Key() == stringType
	case reflect.Interface:
		return "interface{}", t.NumMethod() == 0 && t.Name() == ""
	}
	if b, ok := basicTypes[t.String()]; ok && b == t {
		return t.String(), true
	}
	return "", false
}

var basicTypes = func() map[string]reflect.Type {
	m := map[string]reflect.Type{"interface{}": reflect.TypeOf((*interface{})(nil)).Elem()}
	for _, v := range []interface{}{false, "", int(0), int8(0), int16(0), int32(0), int64(0),
		uint(0), uint8(0), uint16(0), uint32(0), uint64(0), float32(0), float64(0)} {
		m[reflect.TypeOf(v).String()] = reflect.TypeOf(v)
	}
	return m
}()

var parsedTypes sync.Map // descriptor -> reflect.Type (nil: not a type)

// parseType is the type a descriptor names, or false.
func parseType(s string) (reflect.Type, bool) {
	if t, ok := parsedTypes.Load(s); ok {
		rt, _ := t.(reflect.Type)
		return rt, rt != nil
	}
	t := parseTypeText(s, 0)
	if len(s) < 256 { // a bounded cache: descriptors come from cookies
		parsedTypes.Store(s, t)
	}
	return t, t != nil
}

func parseTypeText(s string, depth int) reflect.Type {
	if depth > maxDepth {
		return nil
	}
	switch {
	case strings.HasPrefix(s, "[]"):
		if e := parseTypeText(s[2:], depth+1); e != nil {
			return reflect.SliceOf(e)
		}
		return nil
	case strings.HasPrefix(s, "map[string]"):
		if e := parseTypeText(s[len("map[string]"):], depth+1); e != nil {
			return reflect.MapOf(stringType, e)
		}
		return nil
	}
	return basicTypes[s]
}

// decodeValue gives v (read in the untyped form) the type d describes; where
// v does not fit d (another server changed the value), v stays as it is.
func decodeValue(v interface{}, d interface{}) interface{} {
	switch d := d.(type) {
	case string:
		switch {
		case d == gobType:
			b, ok := v.([]byte)
			if !ok {
				return v
			}
			var out interface{}
			if gob.NewDecoder(bytes.NewReader(b)).Decode(&out) != nil {
				return v
			}
			return out
		case strings.HasPrefix(d, timePrefix):
			return decodeTime(v, d[len(timePrefix):])
		}
		t, ok := parseType(d)
		if !ok {
			return v
		}
		if out, ok := convert(v, t); ok {
			return out
		}
	case map[string]interface{}:
		if len(d) != 1 {
			return v
		}
		if types, ok := d[listOfAny].(map[string]interface{}); ok {
			l, ok := v.([]interface{})
			if !ok {
				return v
			}
			out := append(make([]interface{}, 0, len(l)), l...)
			for k, ed := range types {
				if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(out) {
					out[i] = decodeValue(out[i], ed)
				}
			}
			return out
		}
		if types, ok := d[mapOfAny].(map[string]interface{}); ok {
			m, ok := v.(map[string]interface{})
			if !ok {
				return v
			}
			out := make(map[string]interface{}, len(m))
			for k, e := range m {
				out[k] = e
			}
			for k, ed := range types {
				if e, ok := out[k]; ok {
					out[k] = decodeValue(e, ed)
				}
			}
			return out
		}
	}
	return v
}

// decodeTime is the instant of Flask's datetime form v: the exact one
// recorded when it still names the same second, else the second v names.
func decodeTime(v interface{}, exact string) interface{} {
	m, ok := v.(map[string]interface{})
	if !ok || len(m) != 1 {
		return v
	}
	s, ok := m[flaskTimeTg].(string)
	if !ok {
		return v
	}
	second, err := http.ParseTime(s)
	if err != nil {
		return v
	}
	if t, err := time.Parse(time.RFC3339Nano, exact); err == nil && t.Truncate(time.Second).Equal(second) {
		return t
	}
	return second.UTC()
}

// convert is v (untyped) as a value of type t, or false when it does not fit.
func convert(v interface{}, t reflect.Type) (interface{}, bool) {
	switch t {
	case reflect.TypeOf([]string(nil)):
		return listOf[string](v)
	case reflect.TypeOf([]int(nil)):
		return listOf[int](v)
	case reflect.TypeOf(map[string]string(nil)):
		m, ok := v.(map[string]interface{})
		if !ok {
			return nil, v == nil
		}
		out := make(map[string]string, len(m))
		for k, e := range m {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[k] = s
		}
		return out, true
	}
	rv, ok := convertValue(v, t)
	if !ok {
		return nil, false
	}
	return rv.Interface(), true
}

// listOf is the untyped list v as a []T, or false.
func listOf[T any](v interface{}) (interface{}, bool) {
	l, ok := v.([]interface{})
	if !ok {
		return nil, v == nil
	}
	out := make([]T, len(l))
	for i, e := range l {
		if out[i], ok = e.(T); !ok {
			return nil, false
		}
	}
	return out, true
}

func convertValue(v interface{}, t reflect.Type) (reflect.Value, bool) {
	out := reflect.New(t).Elem()
	if v == nil {
		k := t.Kind()
		return out, k == reflect.Interface || k == reflect.Slice || k == reflect.Map
	}
	switch t.Kind() {
	case reflect.Interface:
		out.Set(reflect.ValueOf(v))
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return out, false
		}
		out.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return out, false
		}
		out.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(int)
		if !ok || out.OverflowInt(int64(n)) {
			return out, false
		}
		out.SetInt(int64(n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(int)
		if !ok || n < 0 || out.OverflowUint(uint64(n)) {
			return out, false
		}
		out.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		var f float64
		switch n := v.(type) {
		case int:
			f = float64(n)
		case float64:
			f = n
		default:
			return out, false
		}
		if out.OverflowFloat(f) {
			return out, false
		}
		out.SetFloat(f)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			b, ok := v.([]byte)
			if !ok {
				return out, false
			}
			out.SetBytes(b)
			return out, true
		}
		l, ok := v.([]interface{})
		if !ok {
			return out, false
		}
		out.Set(reflect.MakeSlice(t, len(l), len(l)))
		for i, e := range l {
			ev, ok := convertValue(e, t.Elem())
			if !ok {
				return out, false
			}
			out.Index(i).Set(ev)
		}
	case reflect.Map:
		m, ok := v.(map[string]interface{})
		if !ok {
			return out, false
		}
		out.Set(reflect.MakeMapWithSize(t, len(m)))
		for k, e := range m {
			ev, ok := convertValue(e, t.Elem())
			if !ok {
				return out, false
			}
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
	default:
		return out, false
	}
	return out, true
}
