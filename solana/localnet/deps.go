package localnet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

const (
	serverFile = "server.mjs"
	lockFile   = "package-lock.json"
	// npm ci writes this when it finishes; its age says when deps were installed.
	installedMarker = "node_modules/.package-lock.json"
)

func serverPath(dir string) string { return filepath.Join(dir, serverFile) }

// findDir returns the directory holding server.mjs: dir if given, else
// solana/localnet in the source tree above the working directory, else this
// package's source directory.
func findDir(dir string) (string, error) {
	if dir != "" {
		if !exists(serverPath(dir)) {
			return "", fmt.Errorf("local solana runtime: no %s in %s", serverFile, dir)
		}
		return dir, nil
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if candidate := filepath.Join(d, "solana", "localnet"); exists(serverPath(candidate)) {
				return candidate, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok && exists(serverPath(filepath.Dir(file))) {
		return filepath.Dir(file), nil
	}
	return "", errors.New("local solana runtime: cannot find solana/localnet/server.mjs; run from the hexnet source tree or set Options.Dir")
}

// depsCurrent reports whether npm ci has run since package-lock.json changed.
func depsCurrent(dir string) bool {
	installed, err := os.Stat(filepath.Join(dir, installedMarker))
	if err != nil {
		return false
	}
	lock, err := os.Stat(filepath.Join(dir, lockFile))
	return err == nil && !installed.ModTime().Before(lock.ModTime())
}

// ensureDeps runs npm ci in dir unless its node_modules is current. Test
// binaries of several packages may get here at once; a file lock lets one
// install while the others wait, then re-check.
func ensureDeps(ctx context.Context, dir string, log *slog.Logger) error {
	if depsCurrent(dir) {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("local solana runtime: %s/node_modules is missing or stale and %w; install Node.js 20+ with npm, then run make localnet-deps", dir, ErrNPMNotFound)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return fmt.Errorf("local solana runtime: lock %s: %w", dir, err)
	}
	defer unlock()
	if depsCurrent(dir) {
		return nil
	}
	log.Info("installing the local solana runtime's npm dependencies", "dir", dir)
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("local solana runtime: npm ci in %s: %v\n%s\nrun make localnet-deps to retry", dir, err, out)
	}
	return nil
}
