package storage

import (
	"fmt"
	"strings"
)

// The flat layout writes the bucket tree of doc.go as single keys, for a
// key-value store without nested buckets (etcd):
//
//	branches/                    the bucket "branches"; its value is the
//	                             bucket's 8-byte sequence
//	branches/b1/tickets/         a nested bucket
//	branches/b1/tickets/%00%00…  a key in it, escaped
//
// Each bucket name and key is escaped: bytes other than ASCII letters,
// digits, '.', '_' and '-' become %XX. So '/' only ever separates levels, a
// key ending in '/' is a bucket, and keys that start with '!' (the commit
// key) cannot collide with any of them.

// bucketKey is the flat key of bucket name inside the bucket at parent.
func bucketKey(parent string, name []byte) string { return parent + escape(name) + "/" }

// leafKey is the flat key of key k inside the bucket at parent.
func leafKey(parent string, k []byte) string { return parent + escape(k) }

func escape(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		if plain(c) {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "%%%02X", c)
		}
	}
	return sb.String()
}

func plain(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// splitFlat turns a flat key back into its bucket path and, for a key that
// is not a bucket, the key itself (nil for a bucket).
func splitFlat(key string) (path [][]byte, leaf []byte, err error) {
	isBucket := strings.HasSuffix(key, "/")
	parts := strings.Split(strings.TrimSuffix(key, "/"), "/")
	for _, p := range parts {
		seg, err := unescape(p)
		if err != nil {
			return nil, nil, fmt.Errorf("storage: flat key %q: %w", key, err)
		}
		if len(seg) == 0 {
			return nil, nil, fmt.Errorf("storage: flat key %q: empty name", key)
		}
		path = append(path, seg)
	}
	if isBucket {
		return path, nil, nil
	}
	if len(path) < 2 {
		return nil, nil, fmt.Errorf("storage: flat key %q: a key outside any bucket", key)
	}
	return path[:len(path)-1], path[len(path)-1], nil
}

func unescape(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) {
				return nil, fmt.Errorf("short escape")
			}
			var x byte
			for _, h := range []byte(s[i+1 : i+3]) {
				v, ok := unhex(h)
				if !ok {
					return nil, fmt.Errorf("bad escape %q", s[i:i+3])
				}
				x = x<<4 | v
			}
			out = append(out, x)
			i += 2
		case plain(c):
			out = append(out, c)
		default:
			return nil, fmt.Errorf("byte %q is not escaped", c)
		}
	}
	return out, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
