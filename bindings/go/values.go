package cookieseal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Object is a user object sealed by C++ (cookieseal/cereal.hpp): its type
// name and its bytes. It comes back as it went in.
type Object struct {
	TypeName string
	Data     []byte
}

// fromJSON decodes one session value: integers as int, other numbers as
// float64, bytes ({"$bytes": ...}) as []byte, a user object as Object, arrays
// as []interface{}, objects as map[string]interface{} (a key written "$$x" is
// the key "$x": docs/FORMAT.md, section 6).
func fromJSON(raw json.RawMessage) (interface{}, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v interface{}
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return convertDecoded(v), nil
}

// isTag: a key with one leading '$' names one of the bridge's tags.
func isTag(k string) bool { return strings.HasPrefix(k, "$") && !strings.HasPrefix(k, "$$") }

func convertDecoded(v interface{}) interface{} {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return int(i)
		}
		f, _ := t.Float64()
		return f
	case []interface{}:
		for i := range t {
			t[i] = convertDecoded(t[i])
		}
		return t
	case map[string]interface{}:
		for k := range t {
			if !isTag(k) {
				continue
			}
			// The library writes only {"$bytes"} and {"$object", "$bytes"}.
			b, _ := t["$bytes"].(string)
			raw, err := base64.RawURLEncoding.DecodeString(b)
			if name, ok := t["$object"].(string); ok && len(t) == 2 && err == nil {
				return Object{TypeName: name, Data: raw}
			}
			if len(t) == 1 && err == nil {
				return raw
			}
			return t
		}
		out := make(map[string]interface{}, len(t))
		for k, e := range t {
			out[strings.TrimPrefix(k, "$")] = convertDecoded(e) // "$$x" is "$x"; others have no '$'
		}
		return out
	default:
		return v
	}
}

// toJSON prepares a value for encoding/json: []byte becomes {"$bytes": ...},
// an Object {"$object": ..., "$bytes": ...}, and a map key that starts with
// '$' gets one more, so that no key reads back as a tag.
func toJSON(v interface{}) interface{} {
	switch t := v.(type) {
	case nil:
		return nil
	case []byte:
		return map[string]string{"$bytes": base64.RawURLEncoding.EncodeToString(t)}
	case Object:
		return map[string]string{"$object": t.TypeName,
			"$bytes": base64.RawURLEncoding.EncodeToString(t.Data)}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 { // a named []byte, or [N]byte
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return toJSON(b)
		}
		out := make([]interface{}, rv.Len())
		for i := range out {
			out[i] = toJSON(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v
		}
		out := make(map[string]interface{}, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			k := it.Key().String()
			if strings.HasPrefix(k, "$") {
				k = "$" + k
			}
			out[k] = toJSON(it.Value().Interface())
		}
		return out
	default:
		return v
	}
}

// checkValue accepts the kinds that come back as they went in through JSON;
// anything else (a struct, a pointer, a channel, a map with other keys) is
// refused with an error naming the key.
func checkValue(key string, v interface{}) error {
	if v == nil {
		return nil
	}
	if !jsonKind(reflect.ValueOf(v), 0) {
		return &Error{Status: ErrInvalidArgument.Status, Name: ErrInvalidArgument.Name,
			Message: fmt.Sprintf("session value %q is a %T: only string, numbers, bool, nil, "+
				"[]byte, Object, slices and maps with string keys of those are stored", key, v)}
	}
	return nil
}

func jsonKind(v reflect.Value, depth int) bool {
	if depth > 32 {
		return false
	}
	if v.Type() == reflect.TypeOf(Object{}) {
		return true
	}
	switch v.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Interface:
		return v.IsNil() || jsonKind(v.Elem(), depth)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true // []byte
		}
		for i := 0; i < v.Len(); i++ {
			if !jsonKind(v.Index(i), depth+1) {
				return false
			}
		}
		return true
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return false
		}
		it := v.MapRange()
		for it.Next() {
			if !jsonKind(it.Value(), depth+1) {
				return false
			}
		}
		return true
	default:
		return false
	}
}
