package cookieseal

import (
	"fmt"
	"reflect"
)

// Object is a user object sealed by C++ (cookieseal/cereal.hpp): its type
// name and its bytes. It comes back as it went in.
type Object struct {
	TypeName string
	Data     []byte
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

// refusedValue is the error of a value the bridge cannot carry, naming its key.
func refusedValue(key string, v interface{}) error {
	if err := checkValue(key, v); err != nil {
		return err
	}
	return &Error{Status: ErrInvalidArgument.Status, Name: ErrInvalidArgument.Name,
		Message: fmt.Sprintf("session value %q (%T) holds a number JSON cannot carry "+
			"(NaN, an infinity, an integer past int64) or nests past 32 levels", key, v)}
}
