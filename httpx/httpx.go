// Package httpx holds what every HTTP face of seira shares: the JSON error
// shape, strict JSON binding, and the authentication middleware.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/queue"
)

// MaxBody is the largest request body accepted (64 KiB).
const MaxBody = 64 << 10

// ErrorBody is the JSON shape of every error.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// statuses is the one table of error codes and their HTTP statuses
// (API.md). Where codes share a status, the first is the one given to
// that status when Echo itself answers with it.
var statuses = [...]struct {
	code   queue.Code
	status int
}{
	{queue.CodeBadRequest, http.StatusBadRequest},
	{queue.CodeValidation, http.StatusBadRequest},
	{queue.CodeUnauthenticated, http.StatusUnauthorized},
	{queue.CodeForbidden, http.StatusForbidden},
	{queue.CodeNotFound, http.StatusNotFound},
	{queue.CodeConflict, http.StatusConflict},
	{queue.CodeInvalidTransition, http.StatusConflict},
	{queue.CodeTooLarge, http.StatusRequestEntityTooLarge},
	{queue.CodeServiceClosed, http.StatusUnprocessableEntity},
	{queue.CodeRateLimited, http.StatusTooManyRequests},
	{queue.CodeUnavailable, http.StatusServiceUnavailable},
	{queue.CodeSlotFull, http.StatusConflict},
	{queue.CodeAlreadyCheckedIn, http.StatusConflict},
	{queue.CodeNotBookable, http.StatusUnprocessableEntity},
	{queue.CodeTooEarly, http.StatusUnprocessableEntity},
	{queue.CodeTooLate, http.StatusUnprocessableEntity},
	{queue.CodeUnknownScope, http.StatusUnprocessableEntity},
	{queue.CodeInvalidAnnouncement, http.StatusUnprocessableEntity},
	{queue.CodeRemoteClosed, http.StatusUnprocessableEntity},
	{queue.CodeChallenge, http.StatusUnprocessableEntity},
	{queue.CodeURLRefused, http.StatusUnprocessableEntity},
}

// Status maps an error code to its HTTP status (500 for an unknown one).
func Status(code queue.Code) int {
	for _, s := range statuses {
		if s.code == code {
			return s.status
		}
	}
	return http.StatusInternalServerError
}

// codeOfStatus maps a status Echo itself answers with to an error code.
func codeOfStatus(status int) queue.Code {
	if status == http.StatusMethodNotAllowed {
		return queue.CodeNotFound
	}
	for _, s := range statuses {
		if s.status == status {
			return s.code
		}
	}
	return queue.CodeInternal
}

// ErrorHandler writes every error as {"error": {"code", "message"}} with
// the status of its code. Internal errors are logged and answered without
// their details.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		code, status, msg := queue.ErrorCode(err), 0, ""
		var qe *queue.Error
		var he *echo.HTTPError
		switch {
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			// The client went away or gave up: nothing to report.
			code, status, msg = queue.CodeUnavailable, http.StatusServiceUnavailable, "request cancelled"
		case errors.As(err, &qe):
			status, msg = Status(code), qe.Message
		case errors.As(err, &he):
			status = he.Code
			code = codeOfStatus(status)
			msg = fmt.Sprint(he.Message)
			if status == http.StatusMethodNotAllowed {
				msg = "method not allowed"
			}
		default:
			status, msg = http.StatusInternalServerError, "internal error"
		}
		if status >= 500 && code != queue.CodeUnavailable {
			log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
			msg = "internal error"
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		if qe != nil && qe.Detail != nil && status < 500 {
			// Fields a client acts on (a check-in's "come_back_at")
			// beside the code and message.
			obj := make(map[string]any, len(qe.Detail)+2)
			for k, v := range qe.Detail {
				obj[k] = v
			}
			obj["code"], obj["message"] = string(code), msg
			_ = c.JSON(status, map[string]any{"error": obj})
			return
		}
		var body ErrorBody
		body.Error.Code, body.Error.Message = string(code), msg
		_ = c.JSON(status, body)
	}
}

// Bind decodes a JSON body into v strictly: bad JSON, unknown fields and
// trailing data are 400s; a body over MaxBody is a 413.
func Bind(c echo.Context, v any) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return queue.Errorf(queue.CodeBadRequest, "send JSON (Content-Type: application/json)")
	}
	body, err := ReadBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return queue.Errorf(queue.CodeBadRequest, "malformed JSON: %v", err)
	}
	if dec.More() {
		return queue.Errorf(queue.CodeBadRequest, "malformed JSON: data after the object")
	}
	return nil
}

// BindRaw reads a JSON body (merge-patch JSON too), checked to be JSON,
// for a caller that decodes it itself.
func BindRaw(c echo.Context) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) && !strings.HasPrefix(ct, "application/merge-patch+json") {
		return nil, queue.Errorf(queue.CodeBadRequest, "send JSON (Content-Type: application/json or application/merge-patch+json)")
	}
	body, err := ReadBody(c)
	if err != nil {
		return nil, err
	}
	if !json.Valid(body) {
		return nil, queue.Errorf(queue.CodeBadRequest, "malformed JSON")
	}
	return body, nil
}

// ReadBody reads a request body of at most MaxBody bytes: a longer one is
// a 413, one that cannot be read a 400.
func ReadBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, MaxBody+1))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, queue.Errorf(queue.CodeTooLarge, "the body is larger than %d bytes", MaxBody)
		}
		return nil, queue.Errorf(queue.CodeBadRequest, "cannot read the body: %v", err)
	}
	if len(body) > MaxBody {
		return nil, queue.Errorf(queue.CodeTooLarge, "the body is larger than %d bytes", MaxBody)
	}
	return body, nil
}

// SessionCookie is the name of the session cookie.
const SessionCookie = "seira_session"

const principalKey = "seira.principal"

// Authenticate resolves the request's principal from a bearer token or the
// session cookie, without requiring one: public endpoints serve anyone.
func Authenticate(svc *auth.Service) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			var p auth.Principal
			var err error
			if h := r.Header.Get(echo.HeaderAuthorization); h != "" {
				tok, ok := strings.CutPrefix(h, "Bearer ")
				if !ok {
					return queue.Errorf(queue.CodeUnauthenticated, "use Authorization: Bearer TOKEN")
				}
				if p, err = svc.FromBearer(r.Context(), strings.TrimSpace(tok)); err != nil {
					return err
				}
			} else if ck, cerr := r.Cookie(SessionCookie); cerr == nil && ck.Value != "" {
				// An expired or unknown cookie is as good as none.
				if p, err = svc.FromSession(r.Context(), ck.Value); err != nil && !auth.IsUnauthenticated(err) {
					return err
				}
			}
			c.Set(principalKey, p)
			return next(c)
		}
	}
}

// CSRF requires every state change authenticated by the session cookie to
// carry the session's token in X-CSRF-Token (403 otherwise). Requests with
// a bearer token or no credentials pass: browsers do not add those by
// themselves. skip exempts routes (sign-in, which has no token yet).
func CSRF(skip func(echo.Context) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := PrincipalOf(c)
			if p.Cookie && unsafeMethod(c.Request().Method) && !skip(c) {
				got := c.Request().Header.Get("X-CSRF-Token")
				if got == "" || !auth.SameSecret(got, p.CSRF) {
					return queue.Errorf(queue.CodeForbidden, "missing or wrong X-CSRF-Token header")
				}
			}
			return next(c)
		}
	}
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// PrincipalOf returns the request's principal (zero when anonymous).
func PrincipalOf(c echo.Context) auth.Principal {
	p, _ := c.Get(principalKey).(auth.Principal)
	return p
}

// errTokenRefused is the answer to an API token where only people or
// devices may act.
var errTokenRefused = queue.Errorf(queue.CodeForbidden, "an API token may not do this")

// RequireStaff returns the principal if it is a user working in branch:
// 401 for nobody, 403 for others.
func RequireStaff(c echo.Context, branch string) (auth.Principal, error) {
	p := PrincipalOf(c)
	switch {
	case p.Anonymous():
		return p, queue.Errorf(queue.CodeUnauthenticated, "sign in first")
	case p.Token != nil:
		return p, errTokenRefused
	case !p.Staff(branch):
		return p, queue.Errorf(queue.CodeForbidden, "you do not work in branch %s", branch)
	}
	return p, nil
}

// RequireDevice returns the principal if it is a paired device of kind,
// in branch ("" for any branch): 401 for nobody, 403 for anyone else.
func RequireDevice(c echo.Context, kind auth.DeviceKind, branch string) (auth.Principal, error) {
	p := PrincipalOf(c)
	switch {
	case p.Anonymous():
		return p, queue.Errorf(queue.CodeUnauthenticated, "this %s is not paired: ask an administrator", kind)
	case p.Token != nil:
		return p, errTokenRefused
	case p.Device == nil || p.Device.Kind != kind:
		return p, queue.Errorf(queue.CodeForbidden, "only a %s may do this", kind)
	case branch != "" && p.Device.Branch != branch:
		return p, queue.Errorf(queue.CodeForbidden, "this %s is not of branch %s", kind, branch)
	}
	return p, nil
}

// RequireDeviceOrStaff returns the principal if it is a device of kind in
// branch, or a user working there (staff issue tickets for citizens too).
func RequireDeviceOrStaff(c echo.Context, kind auth.DeviceKind, branch string) (auth.Principal, error) {
	if p := PrincipalOf(c); p.User != nil {
		return RequireStaff(c, branch)
	}
	return RequireDevice(c, kind, branch)
}

// RequireAdmin returns the principal if it administers branch ("" for
// server-wide administration, which only admins do).
func RequireAdmin(c echo.Context, branch string) (auth.Principal, error) {
	p := PrincipalOf(c)
	switch {
	case p.Anonymous():
		return p, queue.Errorf(queue.CodeUnauthenticated, "sign in first")
	case p.Token != nil:
		return p, errTokenRefused
	case branch == "" && !p.Admin(), branch != "" && !p.Manages(branch):
		return p, queue.Errorf(queue.CodeForbidden, "this needs an administrator")
	}
	return p, nil
}
