package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

// TestBrokerMosquittoConfig writes the Mosquitto files from the registry
// plus one extra hotspot and prints a hotspot's password.
func TestBrokerMosquittoConfig(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "oracle.db")
	st, err := sqlitestore.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	onboarded, owner := mustGenerate(t), mustGenerate(t)
	info := oracle.HotspotInfo{Address: onboarded.Address(), Owner: owner.Address(), OnboardedAt: time.Now(), Envelope: []byte{1}}
	if err := st.Onboard(ctx, info); err != nil {
		t.Fatal(err)
	}
	st.Close()
	extra := mustGenerate(t).Address()
	out, secret := filepath.Join(dir, "mosquitto"), filepath.Join(dir, "broker.secret")
	code, stdout, stderr := cli(t, "broker", "mosquitto-config", "--out", out, "--secret", secret,
		"--db", "sqlite://"+dbPath, "--hotspot", string(extra), "--listen", "127.0.0.1:18830")
	if code != 0 {
		t.Fatalf("mosquitto-config: %d %s", code, stderr)
	}
	if !strings.Contains(stdout, "2 hotspots") || !strings.Contains(stderr, "created a new broker secret") {
		t.Errorf("stdout %q stderr %q", stdout, stderr)
	}
	passwords := readFile(t, filepath.Join(out, "passwords"))
	for _, user := range []string{"router:$7$101$", "oracle:$7$101$", string(onboarded.Address()) + ":$7$", string(extra) + ":$7$"} {
		if !strings.Contains(passwords, user) {
			t.Errorf("password file lacks %q:\n%s", user, passwords)
		}
	}
	if acl := readFile(t, filepath.Join(out, "acl")); !strings.Contains(acl, "pattern write hexnet/up/+/%u\n") {
		t.Errorf("acl:\n%s", acl)
	}
	if conf := readFile(t, filepath.Join(out, "mosquitto.conf")); !strings.Contains(conf, "listener 18830 127.0.0.1\n") {
		t.Errorf("mosquitto.conf:\n%s", conf)
	}
	code, pw1, _ := cli(t, "broker", "password", "--secret", secret, "--user", string(extra))
	_, pw2, _ := cli(t, "broker", "password", "--secret", secret, "--user", string(onboarded.Address()))
	if code != 0 || len(strings.TrimSpace(pw1)) != 43 || pw1 == pw2 {
		t.Errorf("broker password: %d %q %q", code, pw1, pw2)
	}
	if code, _, _ := cli(t, "broker", "password", "--secret", filepath.Join(dir, "missing"), "--user", "router"); code != 1 {
		t.Errorf("password with a missing secret: exit %d, want 1", code)
	}
}

func mustGenerate(t *testing.T) *identity.Key {
	t.Helper()
	k, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
