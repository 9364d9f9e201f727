// Package childproc starts the running test binary again as a child
// process with a role given in one environment variable: an etcd member, a
// seira instance. Killing a real process (SIGKILL, SIGSTOP) is what the
// fault tests need; the child says it is ready with its first line.
package childproc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// Start runs this binary with env=value added to its environment, stderr
// shared, and returns once the child has printed its first line on stdout
// (or fails after timeout, killing it). The rest of its stdout is drained.
func Start(env, value string, timeout time.Duration) (*exec.Cmd, string, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+value)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		for sc.Scan() {
		}
	}()
	select {
	case l, ok := <-line:
		if !ok {
			_ = cmd.Wait()
			return nil, "", fmt.Errorf("child %s exited without a word", env)
		}
		return cmd, l, nil
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, "", fmt.Errorf("child %s: no first line in %v", env, timeout)
	}
}
