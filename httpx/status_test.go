package httpx

import (
	"net/http"
	"testing"

	"github.com/seira-queue/seira/queue"
)

// TestStatusTable: every code of the contract has its status, and a status
// Echo answers with maps back to a code of that status.
func TestStatusTable(t *testing.T) {
	want := map[queue.Code]int{
		queue.CodeBadRequest: 400, queue.CodeValidation: 400, queue.CodeUnauthenticated: 401,
		queue.CodeForbidden: 403, queue.CodeNotFound: 404, queue.CodeInvalidTransition: 409,
		queue.CodeConflict: 409, queue.CodeTooLarge: 413, queue.CodeServiceClosed: 422,
		queue.CodeRateLimited: 429, queue.CodeUnavailable: 503, queue.CodeInternal: 500, "no_such_code": 500,
		queue.CodeUnknownScope: 422,
		queue.CodeURLRefused:   422,
	}
	for code, status := range want {
		if got := Status(code); got != status {
			t.Errorf("Status(%s) = %d, want %d", code, got, status)
		}
		if status == 500 {
			continue
		}
		if back := codeOfStatus(status); Status(back) != status {
			t.Errorf("status %d maps back to %s, of status %d", status, back, Status(back))
		}
	}
	if codeOfStatus(http.StatusMethodNotAllowed) != queue.CodeNotFound || codeOfStatus(http.StatusTeapot) != queue.CodeInternal {
		t.Error("405 is not_found, and a status the contract lacks is internal")
	}
}
