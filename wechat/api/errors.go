package api

import "fmt"

// Error is a failed WeChat API call: WeChat answered with a non-zero errcode, with an
// HTTP status other than 200, with something unreadable, or not at all. It satisfies
// kefu.APIFailure so workers can act on it without importing this package.
type Error struct {
	// Code is WeChat's errcode; 0 when WeChat gave none (transport failure, HTTP
	// status, unreadable answer).
	Code int
	// Msg is WeChat's errmsg, or a description of what went wrong on the way. It
	// never holds a secret or an access token.
	Msg string
	// Op names the call: "token", "send", "typing", "upload", "media" or "fetch".
	Op string
	// HTTPStatus is the status when WeChat answered with one other than 200.
	HTTPStatus int

	retryable bool
	reason    string
	err       error // the transport error, its URLs stripped of their queries
}

// Error says which call failed and how, in WeChat's terms.
func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("wechat %s: errcode %d: %s", e.Op, e.Code, e.Msg)
	}
	return fmt.Sprintf("wechat %s: %s", e.Op, e.Msg)
}

// ErrCode is WeChat's errcode, 0 when it gave none.
func (e *Error) ErrCode() int { return e.Code }

// Retryable reports whether the call provably did not take effect and trying again
// later may succeed.
func (e *Error) Retryable() bool { return e.retryable }

// Reason says in one sentence what happened and what it means.
func (e *Error) Reason() string { return e.reason }

// Unwrap returns the transport error, if any, so that errors.Is finds
// context.DeadlineExceeded and the like.
func (e *Error) Unwrap() error { return e.err }

// codeError is the *Error for a non-zero errcode in op's answer.
func codeError(op string, code int, msg string) *Error {
	v := verdictFor(op, code, msg)
	return &Error{Code: code, Msg: msg, Op: op, retryable: v.retryable, reason: v.reason}
}
