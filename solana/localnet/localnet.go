// Package localnet runs hexnet's local Solana runtime: a JSON-RPC server
// (server.mjs, Node.js) around the litesvm SVM, with the System, SPL Token,
// Associated Token Account and Memo programs. Tests and the devnet start it
// on a free port and talk to URL() with any Solana JSON-RPC client; nothing
// that uses it needs to know it is not a validator.
//
// The server's npm dependencies are pinned by package-lock.json and installed
// by `make localnet-deps` (npm ci); Start runs npm ci itself when they are
// missing or older than the lockfile.
package localnet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Errors that mean the machine lacks the tools, not that the runtime failed.
var (
	ErrNodeNotFound = errors.New("node (Node.js 20 or newer) is not installed")
	ErrNPMNotFound  = errors.New("npm is not installed")
)

const (
	startTimeout  = 60 * time.Second
	listeningLine = "LISTENING "
	stderrTail    = 20 // lines of the server's stderr kept for error messages
)

// Options configure Start. The zero value is a runtime on a free port of
// 127.0.0.1 with mainnet's blockhash lifetime.
type Options struct {
	// Listen is HOST:PORT to serve on; "" means 127.0.0.1:0 (a free port).
	Listen string
	// BlockhashLifetime is how many blocks a blockhash stays valid;
	// 0 means the server's default, 150 as on mainnet.
	BlockhashLifetime int
	// SlotInterval is how often a block is produced when no transaction
	// lands; 0 means 400ms, as on mainnet.
	SlotInterval time.Duration
	// Dir holds server.mjs and its node_modules; "" finds solana/localnet
	// in the hexnet source tree.
	Dir string
	// Logger receives the server's diagnostics at debug level; nil discards them.
	Logger *slog.Logger
}

// Localnet is a running local Solana runtime.
type Localnet struct {
	url    string
	ctx    context.Context
	cmd    *exec.Cmd
	stdin  io.Closer
	log    *slog.Logger
	done   chan struct{} // closed once the process has exited and its output is drained
	err    error         // the process's exit status, valid after done
	closed chan struct{} // closed by Close
	once   sync.Once

	mu   sync.Mutex
	tail []string // last lines of stderr
}

// Start installs the server's dependencies if needed, starts it and waits
// until it listens. Cancelling ctx stops the server.
func Start(ctx context.Context, opts Options) (*Localnet, error) {
	dir, err := findDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("start local solana runtime: %w (install it, e.g. apt-get install nodejs npm, then run make localnet-deps)", ErrNodeNotFound)
	}
	if err := ensureDeps(ctx, dir, logger(opts.Logger)); err != nil {
		return nil, err
	}
	l := &Localnet{
		ctx:    ctx,
		log:    logger(opts.Logger),
		done:   make(chan struct{}),
		closed: make(chan struct{}),
	}
	l.cmd = exec.CommandContext(ctx, node, serverArgs(dir, opts)...)
	l.cmd.Dir = dir
	l.cmd.WaitDelay = 5 * time.Second
	urls, err := l.start()
	if err != nil {
		return nil, err
	}
	return l, l.awaitListening(ctx, urls)
}

func serverArgs(dir string, opts Options) []string {
	listen := opts.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	args := []string{serverPath(dir), "--listen", listen, "--exit-with-stdin"}
	if opts.BlockhashLifetime > 0 {
		args = append(args, "--blockhash-lifetime", strconv.Itoa(opts.BlockhashLifetime))
	}
	if opts.SlotInterval > 0 {
		args = append(args, "--slot-ms", strconv.FormatInt(max(opts.SlotInterval.Milliseconds(), 1), 10))
	}
	return args
}

// start launches the process with its output readers; the URL it announces
// arrives on the returned channel.
func (l *Localnet) start() (<-chan string, error) {
	stdin, err := l.cmd.StdinPipe() // the server exits when this closes, even if we die
	if err != nil {
		return nil, fmt.Errorf("start local solana runtime: %w", err)
	}
	stdout, err := l.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start local solana runtime: %w", err)
	}
	stderr, err := l.cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("start local solana runtime: %w", err)
	}
	if err := l.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start local solana runtime: %w", err)
	}
	l.stdin = stdin
	urls := make(chan string, 1)
	var readers sync.WaitGroup
	readers.Add(2)
	go func() { defer readers.Done(); l.readStdout(stdout, urls) }()
	go func() { defer readers.Done(); l.readStderr(stderr) }()
	go func() {
		readers.Wait() // Wait must not run before the pipes are drained
		l.err = l.cmd.Wait()
		close(l.done)
	}()
	return urls, nil
}

func (l *Localnet) readStdout(r io.Reader, urls chan<- string) {
	announced := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if url, ok := strings.CutPrefix(line, listeningLine); ok && !announced {
			announced = true
			urls <- strings.TrimSpace(url)
			continue
		}
		l.log.Debug(line)
	}
}

func (l *Localnet) readStderr(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		l.mu.Lock()
		l.tail = append(l.tail, line)
		if len(l.tail) > stderrTail {
			l.tail = l.tail[1:]
		}
		l.mu.Unlock()
		l.log.Debug(line)
	}
}

func (l *Localnet) awaitListening(ctx context.Context, urls <-chan string) error {
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case url := <-urls:
		l.url = url
		l.log.Info("local solana runtime listening", "url", url)
		return nil
	case <-l.done:
		return fmt.Errorf("local solana runtime exited before listening (%v): %s", l.err, l.stderr())
	case <-timer.C:
		l.Close()
		return fmt.Errorf("local solana runtime did not listen within %v: %s", startTimeout, l.stderr())
	case <-ctx.Done():
		l.Close()
		return fmt.Errorf("start local solana runtime: %w", ctx.Err())
	}
}

func (l *Localnet) stderr() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.tail) == 0 {
		return "no output"
	}
	return strings.Join(l.tail, "\n")
}

// URL is the JSON-RPC endpoint, e.g. http://127.0.0.1:41234.
func (l *Localnet) URL() string { return l.url }

// Wait blocks until the server exits. It returns nil when Close (or the
// Start context) stopped it, and an error naming the cause otherwise.
func (l *Localnet) Wait() error {
	<-l.done
	select {
	case <-l.closed:
		return nil
	case <-l.ctx.Done():
		return nil
	default:
	}
	if l.cmd.ProcessState != nil && l.cmd.ProcessState.Success() {
		return errors.New("local solana runtime exited")
	}
	return fmt.Errorf("local solana runtime exited: %v: %s", l.err, l.stderr())
}

// Close stops the server and waits for it to exit. It is safe to call more
// than once.
func (l *Localnet) Close() error {
	l.once.Do(func() {
		close(l.closed)
		l.stdin.Close()
		l.cmd.Process.Kill()
	})
	<-l.done
	return nil
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
