package printer

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Code pages a Config may name.
const (
	CodePage1253 = "1253" // Windows-1253 Greek, the default
	CodePage737  = "737"  // DOS Greek (CP737), for printers without 1253
)

const (
	// DefaultPort is the raw-printing port of network printers.
	DefaultPort = "9100"
	// DefaultWidth is the characters per line of 80 mm paper in the
	// printer's normal font (font A); 58 mm paper has 32.
	DefaultWidth = 48

	minWidth = 24
	maxWidth = 96
)

// Config describes the printer of one kiosk.
type Config struct {
	// Addr is host:port, e.g. "10.0.0.5:9100"; a bare host gets port 9100.
	// It is a network address, not a URL.
	Addr string
	// CodePage is CodePage1253 (default when empty) or CodePage737.
	CodePage string
	// Width is the characters per line in the normal font: 48 for 80 mm
	// paper (default when 0), 32 for 58 mm.
	Width int
}

// Validate reports every problem with c, joined, or nil. Empty CodePage and
// zero Width are valid: they mean the defaults.
func (c Config) Validate() error {
	var errs []error
	if _, err := normalizeAddr(c.Addr); err != nil {
		errs = append(errs, err)
	}
	if _, err := lookupCodePage(c.CodePage); err != nil {
		errs = append(errs, err)
	}
	if _, err := lineWidth(c.Width); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// normalizeAddr checks that addr is host or host:port and returns host:port,
// adding DefaultPort to a bare host.
func normalizeAddr(addr string) (string, error) {
	if addr == "" {
		return "", errors.New("printer address is empty (want host:port, e.g. 10.0.0.5:9100)")
	}
	// URLs are a common mistake in admin forms; say so rather than failing
	// later with a confusing "too many colons".
	if strings.Contains(addr, "/") || strings.Contains(addr, "://") {
		return "", fmt.Errorf("printer address %q is a URL or path: want host:port, e.g. 10.0.0.5:9100", addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		// A bare host ("printer-3", "10.0.0.5", "[fe80::1]") gets the
		// default port; a bare IPv6 address without brackets is ambiguous.
		bare := addr
		if strings.HasPrefix(bare, "[") && strings.HasSuffix(bare, "]") {
			bare = bare[1 : len(bare)-1]
		} else if strings.Contains(bare, ":") {
			return "", fmt.Errorf("printer address %q is not host:port: %w", addr, err)
		}
		host, port = bare, DefaultPort
	}
	if err := checkHost(host); err != nil {
		return "", fmt.Errorf("printer address %q: %w", addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("printer address %q: port %q is not a number from 1 to 65535", addr, port)
	}
	return net.JoinHostPort(host, port), nil
}

// checkHost accepts an IP address or a DNS name.
func checkHost(host string) error {
	if host == "" {
		return errors.New("host is empty")
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	if len(host) > 253 {
		return errors.New("host name is longer than 253 characters")
	}
	for _, label := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("host %q is not a valid host name or IP address", host)
		}
		for _, ch := range label {
			if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
				return fmt.Errorf("host %q is not a valid host name or IP address", host)
			}
		}
	}
	return nil
}

// lineWidth returns the characters per line, applying the default.
func lineWidth(w int) (int, error) {
	if w == 0 {
		return DefaultWidth, nil
	}
	if w < minWidth || w > maxWidth {
		return 0, fmt.Errorf("printer width %d is out of range: want %d to %d characters per line (48 for 80 mm paper, 32 for 58 mm)", w, minWidth, maxWidth)
	}
	return w, nil
}
