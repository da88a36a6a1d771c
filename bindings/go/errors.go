package cookieseal

import (
	"errors"
	"fmt"
)

// Error is a cookieseal error: Status is the stable number of the C ABI (the
// library's error values 1-11, then the ABI's own). Compare with errors.Is:
//
//	if errors.Is(err, cookieseal.ErrExpired) { ... }
type Error struct {
	Status  int
	Name    string
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "cookieseal: " + e.Name
	}
	return fmt.Sprintf("cookieseal: %s: %s", e.Name, e.Message)
}

// Is matches any *Error with the same Status, so errors.Is(err, ErrExpired) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Status == e.Status
}

// Undecided reports whether the server could not judge the cookie (the store
// or the keyring file could not answer, the Cookie header was cut): answer 503
// and leave the cookie alone. The library says which errors these are.
func (e *Error) Undecided() bool { return outcomeOf(e.Status) == Undecided }

// The errors, one per status.
var (
	ErrMalformed            = &Error{Status: 1, Name: "malformed"}
	ErrUnsupportedVersion   = &Error{Status: 2, Name: "unsupported_version"}
	ErrUnknownKey           = &Error{Status: 3, Name: "unknown_key"}
	ErrAuthenticationFailed = &Error{Status: 4, Name: "authentication_failed"}
	ErrExpired              = &Error{Status: 5, Name: "expired"}
	ErrInvalidPayload       = &Error{Status: 6, Name: "invalid_payload"}
	ErrTooLarge             = &Error{Status: 7, Name: "too_large"}
	ErrStoreUnavailable     = &Error{Status: 8, Name: "store_unavailable"}
	ErrRevoked              = &Error{Status: 9, Name: "revoked"}
	ErrKeyNotLoaded         = &Error{Status: 10, Name: "key_not_loaded"}
	ErrAmbiguous            = &Error{Status: 11, Name: "ambiguous"}
	ErrHeaderTruncated      = &Error{Status: 12, Name: "header_truncated"}
	ErrInvalidArgument      = &Error{Status: 100, Name: "invalid_argument"}
	ErrOutOfMemory          = &Error{Status: 101, Name: "out_of_memory"}
	ErrNotFound             = &Error{Status: 102, Name: "not_found"}
	ErrKeyring              = &Error{Status: 103, Name: "keyring_error"}
	ErrInternal             = &Error{Status: 104, Name: "internal_error"}
	ErrConfig               = &Error{Status: 105, Name: "config_error"} // a store that can never work
	ErrClosed               = &Error{Status: 106, Name: "closed"}       // its Codec, SessionManager or RequestSession was closed
)

func errorFor(status int, name, message string) *Error {
	return &Error{Status: status, Name: name, Message: message}
}

// IsUndecided reports whether err means the request could not be judged: 503.
func IsUndecided(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Undecided()
}
