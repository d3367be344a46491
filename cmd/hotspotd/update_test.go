package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/firmware/update"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/proctest"
)

// versioned builds hotspotd stamped with version into its own directory,
// which the update may then write.
func versioned(t *testing.T, version string) proctest.Binary {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hotspotd")
	build := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", path, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build hotspotd %s: %v\n%s", version, err, out)
	}
	return proctest.Binary{Name: "hotspotd-" + version, Path: path}
}

// publishRelease writes a release of version holding binary for this
// platform, signed by key; tamper changes the binary after signing.
func publishRelease(t *testing.T, key *identity.Key, version string, binary []byte, tamper bool) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "hotspotd-next")
	if err := os.WriteFile(file, binary, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := update.BuildManifest(version, time.Now(), map[string]string{update.Platform(): file})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{update.ManifestFile: raw, update.SignatureFile: update.Sign(key, raw)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if tamper {
		binary = append([]byte(nil), binary...)
		binary[0] ^= 1
		if err := os.WriteFile(file, binary, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestSelfUpdate: a running hotspotd installs a newer signed release over
// its own executable and exits with status 75 for systemd to restart it; a
// tampered release and a development build are refused with the reason
// logged, and the daemon keeps running.
func TestSelfUpdate(t *testing.T) {
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	releaseKey, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	next := []byte("#!/bin/sh\necho hotspotd v0.2.0\n")
	keyPath, _ := keyFile(t)
	run := func(bin proctest.Binary, source string) *proctest.Proc {
		return bin.Start(t, "--key", keyPath, "--gwmp-listen", proctest.FreeUDPAddr(t), "--mqtt", b.URL(),
			"--metrics-listen", "", "--status-listen", "", "--update-source", source, "--update-key", string(releaseKey.Address()))
	}
	old := versioned(t, "v0.1.0")

	t.Run("tampered binary refused", func(t *testing.T) {
		p := run(old, publishRelease(t, releaseKey, "v0.2.0", next, true))
		p.WaitLog("reason=hash_mismatch")
		if code := p.Stop(); code != 0 {
			t.Errorf("exit %d after SIGTERM, want 0", code)
		}
	})
	t.Run("development build never replaced", func(t *testing.T) {
		p := run(bin, publishRelease(t, releaseKey, "v0.2.0", next, false))
		p.WaitLog("reason=unversioned")
		if code := p.Stop(); code != 0 {
			t.Errorf("exit %d after SIGTERM, want 0", code)
		}
	})
	t.Run("valid release applied", func(t *testing.T) {
		p := run(old, publishRelease(t, releaseKey, "v0.2.0", next, false))
		if code := waitExit(t, p); code != update.ExitUpdated {
			t.Fatalf("exit %d, want %d (updated)", code, update.ExitUpdated)
		}
		got, err := os.ReadFile(old.Path)
		if err != nil || !bytes.Equal(got, next) {
			t.Errorf("executable after the update holds %q (%v), want the release's binary", got, err)
		}
	})
}

// waitExit waits for the process to end by itself and returns its status.
func waitExit(t *testing.T, p *proctest.Proc) int {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if done, err := p.Exited(); done {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return ee.ExitCode()
			}
			return 0
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("still running after %v", waitFor)
	return -1
}

// TestUpdateConfigErrors: update settings are checked at start.
func TestUpdateConfigErrors(t *testing.T) {
	key, _ := keyFile(t)
	base := []string{"--key", key, "--mqtt", "tcp://127.0.0.1:1", "--metrics-listen", ""}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"source without key", []string{"--update-source", t.TempDir()}, "--update-key"},
		{"key not an address", []string{"--update-source", t.TempDir(), "--update-key", "nope"}, "--update-key"},
		{"interval too short", []string{"--update-source", t.TempDir(), "--update-key", "11111111111111111111111111111111", "--update-interval", "1s"}, "--update-interval"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := execute(t, append(base, tc.args...)...)
			if res.Code != 2 || !strings.Contains(res.Stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 naming %s", res.Code, res.Stderr, tc.want)
			}
		})
	}
}
