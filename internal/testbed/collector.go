// Package testbed runs the built otelcol-precogx binary for end-to-end tests,
// benchmarks and the demo: free loopback ports, a child process stopped by its
// PID, readiness waits with deadlines, OTLP sends and metric scrapes.
package testbed // import "github.com/precogxai/precogx-otel/internal/testbed"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// CollectorBinEnv names the environment variable `make test` sets to the
// built collector.
const CollectorBinEnv = "PRECOGX_COLLECTOR_BIN"

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreePorts returns n distinct TCP ports on 127.0.0.1 that were free a moment
// ago.
func FreePorts(n int) ([]int, error) {
	seen := map[int]bool{}
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries > 10*n {
			return nil, errors.New("no free ports on 127.0.0.1")
		}
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		if !seen[p] {
			seen[p] = true
			ports = append(ports, p)
		}
	}
	return ports, nil
}

// Collector is one running collector process.
type Collector struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error // exit status, valid once done is closed

	mu  sync.Mutex
	log bytes.Buffer // stdout and stderr
}

// StartCollector starts bin with --config=config and the extra environment
// (KEY=VALUE). The process is its own process group so that Stop ends it and
// nothing else.
func StartCollector(bin, config string, env []string) (*Collector, error) {
	return StartCollectorConfigs(bin, []string{config}, env)
}

// StartCollectorConfigs is StartCollector with several configuration files,
// which the collector merges in order (a later file's keys win).
func StartCollectorConfigs(bin string, configs, env []string) (*Collector, error) {
	c := &Collector{done: make(chan struct{})}
	args := make([]string, len(configs))
	for i, config := range configs {
		args[i] = "--config=" + config
	}
	c.cmd = exec.Command(bin, args...)
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stdout = (*lockedWriter)(c)
	c.cmd.Stderr = (*lockedWriter)(c)
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

type lockedWriter Collector

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.Write(p)
}

// PID of the collector process.
func (c *Collector) PID() int { return c.cmd.Process.Pid }

// Log returns everything the collector wrote so far.
func (c *Collector) Log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.String()
}

// Exited reports whether the process has ended.
func (c *Collector) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM to the collector's PID, waits up to grace for a clean
// shutdown (which flushes queues), then kills it.
func (c *Collector) Stop(grace time.Duration) error {
	if c.Exited() {
		return c.exitErr()
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		return c.exitErr()
	case <-time.After(grace):
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
		return fmt.Errorf("collector pid %d did not stop within %s; killed", c.PID(), grace)
	}
}

// Kill ends the collector at once with SIGKILL, as a crash would.
func (c *Collector) Kill() {
	if c.Exited() {
		return
	}
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	<-c.done
}

func (c *Collector) exitErr() error {
	var ee *exec.ExitError
	if errors.As(c.err, &ee) && !ee.Exited() {
		return nil // ended by our signal
	}
	return c.err
}

// WaitHTTP polls url until it answers 200, the process exits, or timeout.
func (c *Collector) WaitHTTP(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		if c.Exited() {
			return fmt.Errorf("collector exited before %s answered: %v\n%s", url, c.err, c.Log())
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer 200 within %s\n%s", url, timeout, c.Log())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
