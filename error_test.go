package kefu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestErrorf(t *testing.T) {
	err := Errorf(ENotFound, "no app %s (%d)", "wx1", 3)
	if err.Code != ENotFound || err.Message != "no app wx1 (3)" || err.Error() != "no app wx1 (3)" {
		t.Errorf("Errorf = %#v, Error() %q", err, err.Error())
	}
	if plain := Errorf(EInvalid, "100%% sure"); plain.Message != "100% sure" {
		t.Errorf("Errorf without args = %q", plain.Message)
	}
}

func TestErrorCodeAndMessageOf(t *testing.T) {
	notFound := Errorf(ENotFound, "no app wx1")
	conflict := Errorf(EConflict, "app wx1 already exists")
	tests := []struct {
		name     string
		err      error
		wantCode ErrorCode
		wantMsg  string
	}{
		{"nil", nil, "", ""},
		{"domain error", notFound, ENotFound, "no app wx1"},
		{"each code: invalid", Errorf(EInvalid, "bad"), EInvalid, "bad"},
		{"each code: conflict", conflict, EConflict, "app wx1 already exists"},
		{"each code: unauthorized", Errorf(EUnauthorized, "who are you"), EUnauthorized, "who are you"},
		{"each code: internal", Errorf(EInternal, "disk on fire"), EInternal, "disk on fire"},
		{"wrapped once", fmt.Errorf("load app: %w", notFound), ENotFound, "no app wx1"},
		{"wrapped twice", fmt.Errorf("serve: %w", fmt.Errorf("load app: %w", notFound)), ENotFound, "no app wx1"},
		{"joined with a plain error", errors.Join(io.EOF, conflict), EConflict, "app wx1 already exists"},
		{"first domain error wins", errors.Join(fmt.Errorf("x: %w", conflict), notFound), EConflict, "app wx1 already exists"},
		{"struct value in the chain", &Error{Code: EInvalid, Message: "literal"}, EInvalid, "literal"},
		{"plain error", errors.New("pq: password authentication failed for user kefu"), EInternal, "internal error"},
		{"context error", context.Canceled, EInternal, "internal error"},
		{"wrapped plain error", fmt.Errorf("query: %w", io.ErrUnexpectedEOF), EInternal, "internal error"},
		{"formatted without wrapping", fmt.Errorf("load app: %v", notFound), EInternal, "internal error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorCodeOf(tc.err); got != tc.wantCode {
				t.Errorf("ErrorCodeOf = %q, want %q", got, tc.wantCode)
			}
			if got := ErrorMessageOf(tc.err); got != tc.wantMsg {
				t.Errorf("ErrorMessageOf = %q, want %q", got, tc.wantMsg)
			}
		})
	}
}

// TestErrorMessageOfHidesInternals checks that the text of a non-domain error, which
// may hold SQL, paths or credentials, never reaches a user through ErrorMessageOf.
func TestErrorMessageOfHidesInternals(t *testing.T) {
	secret := "postgres://kefu:hunter2@db/kefu"
	err := fmt.Errorf("open %s: %w", secret, errors.New("connection refused"))
	if msg := ErrorMessageOf(err); msg != "internal error" {
		t.Errorf("ErrorMessageOf = %q, want the generic text", msg)
	}
}

// TestErrorAs checks that a *Error is found with errors.As through wrapping, which
// is how adapters map codes to statuses.
func TestErrorAs(t *testing.T) {
	err := fmt.Errorf("ctx: %w", Errorf(EConflict, "dup"))
	var e *Error
	if !errors.As(err, &e) || e.Code != EConflict || e.Message != "dup" {
		t.Errorf("errors.As = %v, %#v", errors.As(err, &e), e)
	}
}
