package localnet

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/internal/testenv"
)

// ForTest starts a local Solana runtime for the test and stops it when the
// test ends. Without Node.js or npm on a development machine the test is
// skipped with a message saying what to install; in CI (CI=true) it fails.
func ForTest(t testing.TB) *Localnet {
	t.Helper()
	return ForTestWith(t, Options{})
}

// ForTestWith is ForTest with options; the server's diagnostics go to the
// test log unless opts.Logger is set.
func ForTestWith(t testing.TB, opts Options) *Localnet {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	l, err := Start(context.Background(), opts)
	if errors.Is(err, ErrNodeNotFound) || errors.Is(err, ErrNPMNotFound) {
		if testenv.InCI() {
			t.Fatalf("%v; CI=true, so this is fatal", err)
		}
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
