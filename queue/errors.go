package queue

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers: the HTTP layer maps each code to a
// status, and tests compare codes rather than messages.
type Code string

// The codes of API.md. Codes are part of the public contract.
const (
	CodeBadRequest        Code = "bad_request"
	CodeValidation        Code = "validation_failed"
	CodeUnauthenticated   Code = "unauthenticated"
	CodeForbidden         Code = "forbidden"
	CodeNotFound          Code = "not_found"
	CodeInvalidTransition Code = "invalid_transition"
	CodeConflict          Code = "conflict"
	CodeTooLarge          Code = "too_large"
	CodeServiceClosed     Code = "service_closed"
	CodeRateLimited       Code = "rate_limited"
	CodeUnavailable       Code = "unavailable"
	CodeInternal          Code = "internal"

	// Appointments.
	CodeSlotFull         Code = "slot_full"
	CodeNotBookable      Code = "not_bookable"
	CodeTooEarly         Code = "too_early"
	CodeTooLate          Code = "too_late"
	CodeAlreadyCheckedIn Code = "already_checked_in"

	// API tokens: a scope that does not exist (422).
	CodeUnknownScope Code = "unknown_scope"
	// Joining the queue from home: remote_closed carries a "reason"
	// (engine.Remote*); challenge is a missing, wrong, expired or reused
	// proof of work.
	CodeRemoteClosed Code = "remote_closed"
	CodeChallenge    Code = "challenge"
	// Webhooks: a URL that resolves to loopback, link-local or private
	// addresses, refused unless the operator allows them.
	CodeURLRefused Code = "url_refused"
)

// Error is a domain error with a code and a human message.
type Error struct {
	Code    Code
	Message string
	// Detail holds further fields of the error object that a client acts
	// on (a check-in's "come_back_at"); nil for most errors.
	Detail map[string]any
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Is lets errors.Is(err, &Error{Code: c}) match any error with code c.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// Errorf returns an *Error with the given code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal when there is none.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
