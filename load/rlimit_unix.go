//go:build linux || darwin

package load

import (
	"fmt"
	"syscall"
)

// raiseNoFile raises this process's soft limit of open files to the hard
// limit: every live subscriber is a file. (The Go runtime does this too
// on some systems; doing it here makes the figure reported certain.)
func raiseNoFile() (NoFile, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return NoFile{}, fmt.Errorf("getrlimit: %w", err)
	}
	nf := NoFile{Was: uint64(lim.Cur)}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return nf, fmt.Errorf("setrlimit: %w", err)
		}
		if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return nf, fmt.Errorf("getrlimit: %w", err)
		}
	}
	nf.Soft, nf.Hard = uint64(lim.Cur), uint64(lim.Max)
	return nf, nil
}
