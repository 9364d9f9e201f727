package printer

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good := []Config{
		{Addr: "10.0.0.5:9100"},
		{Addr: "10.0.0.5", CodePage: CodePage737, Width: 32},
		{Addr: "kep-printer-3.local:9100", CodePage: CodePage1253, Width: 48},
		{Addr: "[fe80::1]:9100"},
		{Addr: "[fe80::1]"},
	}
	for _, c := range good {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	bad := []struct {
		c    Config
		want string
	}{
		{Config{}, "address is empty"},
		{Config{Addr: "http://10.0.0.5:9100"}, "URL"},
		{Config{Addr: "tcp://10.0.0.5:9100"}, "URL"},
		{Config{Addr: "10.0.0.5:9100/"}, "URL"},
		{Config{Addr: "10.0.0.5:abc"}, "port"},
		{Config{Addr: "10.0.0.5:0"}, "port"},
		{Config{Addr: "10.0.0.5:70000"}, "port"},
		{Config{Addr: "fe80::1"}, "not host:port"},
		{Config{Addr: ":9100"}, "host is empty"},
		{Config{Addr: "my printer:9100"}, "not a valid host"},
		{Config{Addr: "10.0.0.5", CodePage: "1252"}, `unknown printer code page "1252"`},
		{Config{Addr: "10.0.0.5", Width: 12}, "width 12"},
		{Config{Addr: "10.0.0.5", Width: 200}, "width 200"},
	}
	for _, tt := range bad {
		err := tt.c.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want one containing %q", tt.c, err, tt.want)
		}
	}
	// Every problem is reported, not just the first.
	err := Config{Addr: "http://x", CodePage: "437", Width: 1}.Validate()
	for _, want := range []string{"URL", "code page", "width"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("joined error %v lacks %q", err, want)
		}
	}
}

func TestNormalizeAddr(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.5":          "10.0.0.5:9100",
		"10.0.0.5:9101":     "10.0.0.5:9101",
		"printer.local":     "printer.local:9100",
		"[fe80::1]":         "[fe80::1]:9100",
		"[fe80::1]:9100":    "[fe80::1]:9100",
		"PRINTER-3.lan.:91": "PRINTER-3.lan.:91",
	} {
		got, err := normalizeAddr(in)
		if err != nil || got != want {
			t.Errorf("normalizeAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
