package cookieseal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
)

// fromJSON decodes one session value: integers as int, other numbers as
// float64, bytes ({"$bytes": ...}) as []byte, arrays as []interface{}, objects
// as map[string]interface{}.
func fromJSON(raw json.RawMessage) (interface{}, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v interface{}
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return convertDecoded(v), nil
}

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
		if b, ok := t["$bytes"].(string); ok && len(t) == 1 {
			if raw, err := base64.RawURLEncoding.DecodeString(b); err == nil {
				return raw
			}
		}
		for k := range t {
			t[k] = convertDecoded(t[k])
		}
		return t
	default:
		return v
	}
}

// toJSON prepares a value for encoding/json: []byte becomes {"$bytes": ...}.
func toJSON(v interface{}) interface{} {
	switch t := v.(type) {
	case []byte:
		return map[string]string{"$bytes": base64.RawURLEncoding.EncodeToString(t)}
	case []interface{}:
		out := make([]interface{}, len(t))
		for i := range t {
			out[i] = toJSON(t[i])
		}
		return out
	case map[string]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, e := range t {
			out[k] = toJSON(e)
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
				"[]byte, slices and maps with string keys of those are stored", key, v)}
	}
	return nil
}

func jsonKind(v reflect.Value, depth int) bool {
	if depth > 32 {
		return false
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
