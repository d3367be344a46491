// Package proctest runs a hexnet binary in contract tests the way an init
// system or an operator would: built once per test binary, started with an
// environment free of HEXNET_* settings, stopped with SIGTERM, judged only
// by exit codes, output and what it does on the wire.
package proctest

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
	WaitFor     = 10 * time.Second // any one wait for a message, datagram or log line
	StopTimeout = 5 * time.Second  // how long a SIGTERMed process may take to exit
)

// Binary is a built command.
type Binary struct {
	Name string
	Path string
}

// Main builds the package in the current directory as name, runs the tests
// and removes the build; use it from TestMain: os.Exit(proctest.Main(m, "router", &bin)).
func Main(m *testing.M, name string, bin *Binary) int {
	dir, err := os.MkdirTemp("", name+"-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	*bin = Binary{Name: name, Path: filepath.Join(dir, name)}
	build := exec.Command("go", "build", "-o", bin.Path, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build %s: %v\n", name, err)
		return 1
	}
	return m.Run()
}

// command prepares the binary with an environment free of HEXNET_*
// variables, so the developer's settings never leak into a test.
func (b Binary) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, b.Path, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HEXNET_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// Result is what a finished run printed and its exit status.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Execute runs the binary to completion (at most WaitFor).
func (b Binary) Execute(t testing.TB, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitFor)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := b.command(ctx, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s did not finish within %v", b.Name, strings.Join(args, " "), WaitFor)
	}
	return Result{stdout.String(), stderr.String(), exitCode(t, b.Name, err)}
}

func exitCode(t testing.TB, name string, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("run %s: %v", name, err)
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

// Proc is a running binary.
type Proc struct {
	t    testing.TB
	name string
	cmd  *exec.Cmd
	out  *output
	done chan struct{}
	err  error // cmd.Wait's result, set before done closes
}

// Start runs the binary in the background; cleanup kills it if it still
// runs and prints its output when the test failed.
func (b Binary) Start(t testing.TB, args ...string) *Proc {
	t.Helper()
	p := &Proc{t: t, name: b.Name, cmd: b.command(context.Background(), args...), out: &output{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("%s output:\n%s", p.name, p.out)
		}
	})
	return p
}

// Exited reports whether the process has ended, and how.
func (p *Proc) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// WaitLog waits until the process has printed s.
func (p *Proc) WaitLog(s string) {
	p.t.Helper()
	deadline := time.After(WaitFor)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(p.out.String(), s) {
		select {
		case <-p.done:
			p.t.Fatalf("%s exited (%v) before printing %q", p.name, p.err, s)
		case <-deadline:
			p.t.Fatalf("%s did not print %q within %v", p.name, s, WaitFor)
		case <-tick.C:
		}
	}
}

// Stop sends SIGTERM and returns the exit status, failing the test if the
// process takes longer than StopTimeout.
func (p *Proc) Stop() int {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
		return exitCode(p.t, p.name, p.err)
	case <-time.After(StopTimeout):
		p.t.Fatalf("%s still running %v after SIGTERM", p.name, StopTimeout)
		return -1
	}
}

// Kill ends the process with SIGKILL, as the OOM killer or a crash would:
// no signal handler, no flush. It waits until the process is gone.
func (p *Proc) Kill() {
	p.t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(StopTimeout):
		p.t.Fatalf("%s still running %v after SIGKILL", p.name, StopTimeout)
	}
}

// FreeUDPAddr returns a loopback UDP address nobody listens on right now.
func FreeUDPAddr(t testing.TB) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().String()
}

// FreeTCPAddr returns a loopback TCP address nobody listens on right now.
func FreeTCPAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// CheckConfigRoundTrip runs `NAME config ARGS`, expects every string of want
// in the commented TOML it prints, and checks that `NAME config --config
// FILE` reads that file back to the same output.
func (b Binary) CheckConfigRoundTrip(t testing.TB, args []string, want ...string) {
	t.Helper()
	first := b.Execute(t, append([]string{"config"}, args...)...)
	if first.Code != 0 {
		t.Fatalf("config exit %d: %s", first.Code, first.Stderr)
	}
	for _, w := range append([]string{"# "}, want...) {
		if !strings.Contains(first.Stdout, w) {
			t.Errorf("config output lacks %q:\n%s", w, first.Stdout)
		}
	}
	file := filepath.Join(t.TempDir(), b.Name+".toml")
	if err := os.WriteFile(file, []byte(first.Stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	second := b.Execute(t, "config", "--config", file)
	if second.Code != 0 {
		t.Fatalf("config --config %s exit %d: %s", file, second.Code, second.Stderr)
	}
	if second.Stdout != first.Stdout {
		t.Errorf("config read back differs:\n--- printed\n%s\n--- reloaded\n%s", first.Stdout, second.Stdout)
	}
}
