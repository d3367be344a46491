package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/identity"
)

// keyFile writes a fresh key (mode 0600) into the test's directory.
func keyFile(t *testing.T) (string, *identity.Key) {
	t.Helper()
	k, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hotspot.key")
	if err := k.Save(path); err != nil {
		t.Fatal(err)
	}
	return path, k
}

// TestKeygen: keygen writes a 0600 Solana CLI keypair file, prints its
// address, and never overwrites an existing key.
func TestKeygen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hotspot.key")
	res := execute(t, "keygen", "--out", path)
	if res.Code != 0 {
		t.Fatalf("keygen exit %d: %s", res.Code, res.Stderr)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode %04o, want 0600", mode)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ints []int
	if err := json.Unmarshal(raw, &ints); err != nil || len(ints) != 64 {
		t.Fatalf("key file is not a JSON array of 64 numbers (err %v, %d numbers): %s", err, len(ints), raw)
	}
	for i, v := range ints {
		if v < 0 || v > 255 {
			t.Fatalf("key byte %d is %d, not 0..255", i, v)
		}
	}
	k, err := identity.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(res.Stdout); got != string(k.Address()) || !k.Address().Valid() {
		t.Errorf("keygen printed %q, want the key's base58 address %s", got, k.Address())
	}

	again := execute(t, "keygen", "--out", path)
	if again.Code == 0 {
		t.Error("keygen over an existing key file succeeded, want a refusal")
	}
	if after, _ := os.ReadFile(path); string(after) != string(raw) {
		t.Error("keygen changed the existing key file")
	}
}

// TestConfigErrors: bad configurations exit 2 before anything starts and
// name the field at fault.
func TestConfigErrors(t *testing.T) {
	key, _ := keyFile(t)
	tests := []struct {
		name string
		args []string
		want string // the field's flag, as the error names it
	}{
		{"missing key", nil, "--key"},
		{"mqtt not tcp", []string{"--key", key, "--mqtt", "http://x"}, "--mqtt"},
		{"empty gwmp listen", []string{"--key", key, "--gwmp-listen", ""}, "--gwmp-listen"},
		{"stats interval too short", []string{"--key", key, "--stats-interval", "10ms"}, "--stats-interval"},
		{"bad duration", []string{"--key", key, "--stats-interval", "soon"}, "--stats-interval"},
		{"oracle not an address", []string{"--key", key, "--oracle", "0xdeadbeef"}, "--oracle"},
		{"bad log level", []string{"--key", key, "--log-level", "loud", "--mqtt", "tcp://127.0.0.1:1"}, "--log-level"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := execute(t, tc.args...)
			if res.Code != 2 {
				t.Errorf("exit %d, want 2 (configuration error); stderr: %s", res.Code, res.Stderr)
			}
			if !strings.Contains(res.Stderr, tc.want) {
				t.Errorf("stderr does not name %s:\n%s", tc.want, res.Stderr)
			}
		})
	}
}

// TestWorldReadableKeyRefused: a key others can read is refused with the
// chmod that fixes it, before any connection is attempted.
func TestWorldReadableKeyRefused(t *testing.T) {
	key, _ := keyFile(t)
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	res := execute(t, "--key", key, "--mqtt", "tcp://127.0.0.1:1", "--gwmp-listen", "127.0.0.1:0", "--metrics-listen", "")
	if res.Code != 2 {
		t.Fatalf("exit %d for a world-readable key, want 2 (configuration error)", res.Code)
	}
	if !strings.Contains(res.Stderr, "--key") {
		t.Errorf("stderr does not name the --key flag:\n%s", res.Stderr)
	}
	if want := "chmod 600 " + key; !strings.Contains(res.Stderr, want) {
		t.Errorf("stderr lacks the hint %q:\n%s", want, res.Stderr)
	}
}

// TestConfigRoundTrip: `hotspotd config` prints commented TOML that
// --config accepts back unchanged.
func TestConfigRoundTrip(t *testing.T) {
	key, _ := keyFile(t)
	oracle, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	bin.CheckConfigRoundTrip(t, []string{"--key", key, "--gwmp-listen", "127.0.0.1:1701", "--stats-interval", "45s", "--oracle", string(oracle.Address())},
		`key = "`+key+`"`, `gwmp_listen = "127.0.0.1:1701"`, `stats_interval = "45s"`, `oracle = "`+string(oracle.Address())+`"`)
}
