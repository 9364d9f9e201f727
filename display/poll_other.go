//go:build !linux

package display

import "log/slog"

// newReader returns goroutine readers: epoll is Linux's.
func newReader(*slog.Logger) connReader { return goReader{} }
