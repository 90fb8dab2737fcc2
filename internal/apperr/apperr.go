// Package apperr holds the kinds of error the domain returns to the web and
// API layers, which map them to pages and JSON in one place each.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the HTTP layers.
type Kind int

// The kinds of error, each mapped to one HTTP status.
const (
	KindInternal     Kind = iota // 500
	KindInvalid                  // 400: bad input
	KindUnauthorized             // 401: not signed in
	KindForbidden                // 403: outside the actor's role or scope
	KindNotFound                 // 404
	KindConflict                 // 409: duplicate or illegal state change
	KindTooMany                  // 429: rate limited or locked out
	KindUnavailable              // 503: a backend (object storage) does not answer; try again later
)

// ErrNotFound is the sentinel every store wraps when a row does not exist.
var ErrNotFound = errors.New("not found")

// Error is a domain error with a stable code for the API and a message key
// in the catalogue for people.
type Error struct {
	Kind Kind
	Code string // stable, machine-readable, e.g. "region.unknown_parent"
	Args []any  // arguments of the catalogue message
	Err  error  // the cause, if any
}

func (e *Error) Error() string {
	s := e.Code
	if len(e.Args) > 0 {
		s += fmt.Sprint(e.Args...)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, ErrNotFound) hold for KindNotFound errors.
func (e *Error) Is(target error) bool { return target == ErrNotFound && e.Kind == KindNotFound }

// New builds an error of the given kind and code.
func New(kind Kind, code string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Args: args}
}

// Invalid reports bad input; code names the catalogue message.
func Invalid(code string, args ...any) *Error { return New(KindInvalid, code, args...) }

// Forbidden reports an action outside the actor's role or scope.
func Forbidden(code string, args ...any) *Error { return New(KindForbidden, code, args...) }

// NotFound reports a missing object.
func NotFound(code string, args ...any) *Error { return New(KindNotFound, code, args...) }

// Conflict reports a duplicate or an illegal state change.
func Conflict(code string, args ...any) *Error { return New(KindConflict, code, args...) }

// As returns the *Error in err's chain, or an internal error wrapping err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, ErrNotFound) {
		return &Error{Kind: KindNotFound, Code: "not_found", Err: err}
	}
	return &Error{Kind: KindInternal, Code: "internal", Err: err}
}
