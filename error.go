package kefu

import (
	"errors"
	"fmt"
)

// ErrorCode classifies a domain error. Adapters map codes to their own status
// (HTTP status, exit code) in exactly one place each.
type ErrorCode string

// The error codes a caller can act on.
const (
	ENotFound     ErrorCode = "not_found"
	EInvalid      ErrorCode = "invalid"
	EConflict     ErrorCode = "conflict"
	EUnauthorized ErrorCode = "unauthorized"
	EInternal     ErrorCode = "internal"
	EQuota        ErrorCode = "quota" // WeChat's reply window (docs/protocol.md §12) does not allow a send
)

// Error is a domain error whose Message is safe to show to an operator or agent.
// Key, when set, names the reason in a stable word ("not_online") that a page can
// say in the agent's language; Message stays the English for logs and the CLI.
type Error struct {
	Code    ErrorCode
	Message string
	Key     string
}

// WithKey sets the error's Key and returns it.
func (e *Error) WithKey(key string) *Error {
	e.Key = key
	return e
}

func (e *Error) Error() string { return e.Message }

// Errorf builds an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCodeOf returns the code of the first *Error in err's chain, EInternal for any
// other non-nil error, and "" for nil.
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorKeyOf returns the Key of the first *Error in err's chain, or "".
func ErrorKeyOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// ErrorMessageOf returns the user-safe message of err: the *Error's message, or a
// generic text for errors that may carry internals.
func ErrorMessageOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
