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

// Status maps an error code to its HTTP status.
func Status(code queue.Code) int {
	switch code {
	case queue.CodeBadRequest, queue.CodeValidation:
		return http.StatusBadRequest
	case queue.CodeUnauthenticated:
		return http.StatusUnauthorized
	case queue.CodeForbidden:
		return http.StatusForbidden
	case queue.CodeNotFound:
		return http.StatusNotFound
	case queue.CodeInvalidTransition, queue.CodeConflict:
		return http.StatusConflict
	case queue.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case queue.CodeServiceClosed:
		return http.StatusUnprocessableEntity
	case queue.CodeRateLimited:
		return http.StatusTooManyRequests
	case queue.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// statusCodes maps the statuses Echo itself produces to error codes.
func codeOfStatus(status int) queue.Code {
	switch status {
	case http.StatusBadRequest:
		return queue.CodeBadRequest
	case http.StatusUnauthorized:
		return queue.CodeUnauthenticated
	case http.StatusForbidden:
		return queue.CodeForbidden
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return queue.CodeNotFound
	case http.StatusRequestEntityTooLarge:
		return queue.CodeTooLarge
	case http.StatusTooManyRequests:
		return queue.CodeRateLimited
	case http.StatusServiceUnavailable:
		return queue.CodeUnavailable
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
		var body ErrorBody
		body.Error.Code, body.Error.Message = string(code), msg
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
	}
}

// Bind decodes a JSON body into v strictly: bad JSON, unknown fields and
// trailing data are 400s; a body over MaxBody is a 413.
func Bind(c echo.Context, v any) error {
	r := c.Request()
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return queue.Errorf(queue.CodeBadRequest, "send JSON (Content-Type: application/json)")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return queue.Errorf(queue.CodeTooLarge, "the body is larger than %d bytes", MaxBody)
		}
		return queue.Errorf(queue.CodeBadRequest, "cannot read the body: %v", err)
	}
	if len(body) > MaxBody {
		return queue.Errorf(queue.CodeTooLarge, "the body is larger than %d bytes", MaxBody)
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

// RequireStaff returns the principal if it is a user working in branch:
// 401 for nobody, 403 for others.
func RequireStaff(c echo.Context, branch string) (auth.Principal, error) {
	p := PrincipalOf(c)
	switch {
	case p.User == nil && p.Device == nil:
		return p, queue.Errorf(queue.CodeUnauthenticated, "sign in first")
	case !p.Staff(branch):
		return p, queue.Errorf(queue.CodeForbidden, "you do not work in branch %s", branch)
	}
	return p, nil
}

// RequireAdmin returns the principal if it administers branch ("" for
// server-wide administration, which only admins do).
func RequireAdmin(c echo.Context, branch string) (auth.Principal, error) {
	p := PrincipalOf(c)
	switch {
	case p.User == nil && p.Device == nil:
		return p, queue.Errorf(queue.CodeUnauthenticated, "sign in first")
	case branch == "" && !p.Admin(), branch != "" && !p.Manages(branch):
		return p, queue.Errorf(queue.CodeForbidden, "this needs an administrator")
	}
	return p, nil
}
