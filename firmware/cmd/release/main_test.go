package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/firmware/update"
	"github.com/hexnet/hexnet/identity"
)

// TestReleaseRoundTrip: keygen, manifest, sign and verify make a release
// directory that an Updater installs.
func TestReleaseRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	keyPath := filepath.Join(t.TempDir(), "release.key")
	if err := keygen([]string{"--out", keyPath}, &out); err != nil {
		t.Fatal(err)
	}
	address := strings.TrimSpace(out.String())
	bin := filepath.Join(dir, "hotspotd-linux-arm64")
	if err := os.WriteFile(bin, []byte("new binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	manifestPath := filepath.Join(dir, update.ManifestFile)
	steps := []struct {
		run  func([]string, *bytes.Buffer) error
		args []string
	}{
		{wrap(manifest), []string{"--version", "v2.0.0", "--out", manifestPath, "linux/arm64=" + bin}},
		{wrap(sign), []string{"--key", keyPath, manifestPath}},
		{wrap(verify), []string{"--key", address, dir}},
	}
	for _, s := range steps {
		out.Reset()
		if err := s.run(s.args, &out); err != nil {
			t.Fatalf("%v: %v", s.args, err)
		}
		t.Log(strings.TrimSpace(out.String()))
	}

	exe := filepath.Join(t.TempDir(), "hotspotd")
	if err := os.WriteFile(exe, []byte("old"), 0o755); err != nil {
		t.Fatal(err)
	}
	u, err := update.New(update.Options{Source: update.Dir(dir), Key: identity.Address(address), Current: "v1.0.0", Platform: "linux/arm64", Executable: exe})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Check(context.Background()); err != nil {
		t.Fatalf("Check: %v", err)
	}

	if err := os.WriteFile(bin, []byte("evil binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := verify([]string{"--key", address, dir}, &out); err == nil {
		t.Error("verify accepted a binary changed after signing")
	}
}

func wrap(f func([]string, io.Writer) error) func([]string, *bytes.Buffer) error {
	return func(args []string, b *bytes.Buffer) error { return f(args, b) }
}
