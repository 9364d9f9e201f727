//go:build !linux

package wsconn

import "log/slog"

// newReader returns goroutine readers: epoll is Linux's.
func newReader(*slog.Logger) connReader { return goReader{} }
