package main

// Contract tests of the hotspotd binary: they build it once and run it as a
// gateway's init system would, checking only what outside tools rely on
// (arguments, exit codes, files, MQTT topics and GWMP datagrams).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	waitFor     = 10 * time.Second // any one wait for a message, datagram or log line
	stopTimeout = 5 * time.Second  // how long a SIGTERMed process may take to exit
)

// binary is the hotspotd built by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hotspotd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "hotspotd")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hotspotd:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// command prepares the binary with an environment free of HEXNET_*
// variables, so the developer's settings never leak into a test.
func command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, binary, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HEXNET_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// result is what a finished run printed and its exit status.
type result struct {
	stdout, stderr string
	code           int
}

// execute runs the binary to completion (at most waitFor).
func execute(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := command(ctx, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("hotspotd %s did not finish within %v", strings.Join(args, " "), waitFor)
	}
	return result{stdout.String(), stderr.String(), exitCode(t, err)}
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("run hotspotd: %v", err)
	return -1
}

// output collects a running process's stdout and stderr.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// proc is a running hotspotd.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *output
	done chan struct{}
	err  error // cmd.Wait's result, set before done closes
}

// start runs the binary in the background; cleanup kills it if it still
// runs and prints its output when the test failed.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, cmd: command(context.Background(), args...), out: &output{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("hotspotd output:\n%s", p.out)
		}
	})
	return p
}

// waitLog waits until the process has printed s.
func (p *proc) waitLog(s string) {
	p.t.Helper()
	deadline := time.After(waitFor)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(p.out.String(), s) {
		select {
		case <-p.done:
			p.t.Fatalf("hotspotd exited (%v) before printing %q", p.err, s)
		case <-deadline:
			p.t.Fatalf("hotspotd did not print %q within %v", s, waitFor)
		case <-tick.C:
		}
	}
}

// stop sends SIGTERM and returns the exit status, failing the test if the
// process takes longer than stopTimeout.
func (p *proc) stop() int {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
		return exitCode(p.t, p.err)
	case <-time.After(stopTimeout):
		p.t.Fatalf("hotspotd still running %v after SIGTERM", stopTimeout)
		return -1
	}
}

// freeUDPAddr returns a loopback UDP address nobody listens on right now.
func freeUDPAddr(t *testing.T) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().String()
}
