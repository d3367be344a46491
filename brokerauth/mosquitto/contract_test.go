package mosquitto_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"testing"
	"time"

	"github.com/hexnet/hexnet/brokerauth/authtest"
	"github.com/hexnet/hexnet/brokerauth/mosquitto"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/testenv"
)

// startMosquitto runs a private Mosquitto on a free loopback port with the
// configuration in dir/mosquitto.conf plus extra lines, never the machine's
// shared broker. It skips when the binary is missing (fails under CI=true).
func startMosquitto(t *testing.T, dir string, extra string) {
	t.Helper()
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("mosquitto is not installed (%v); CI=true, so this is fatal: apt-get install mosquitto", err)
		}
		t.Skipf("mosquitto is not installed (%v); apt-get install mosquitto", err)
	}
	conf := filepath.Join(dir, mosquitto.ConfFileName)
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "persistence false\nlog_dest stderr\n%s", extra)
	if u, err := user.Current(); err == nil && u.Uid == "0" {
		// As root Mosquitto would switch to the mosquitto user, which
		// cannot read a test's temporary directory.
		fmt.Fprintln(f, "user root")
	}
	f.Close()
	var logs bytes.Buffer
	cmd := exec.Command(bin, "-c", conf)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("mosquitto log:\n%s", logs.String())
		}
	})
}

// waitListening waits until addr accepts TCP connections.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("mosquitto is not listening on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func keys(t *testing.T, n int) []*identity.Key {
	t.Helper()
	out := make([]*identity.Key, n)
	for i := range out {
		seed := make([]byte, 32)
		seed[0], seed[1] = 0xc0, byte(i)
		k, err := identity.FromSeed(seed)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = k
	}
	return out
}

// TestHotspotCannotActAsAnother runs the broker policy suite on Mosquitto
// configured from the files hexnet generates.
func TestHotspotCannotActAsAnother(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	hs := keys(t, 2)
	cfg := &mosquitto.Config{
		Secret:        bytes.Repeat([]byte{0x5a}, 32),
		Hotspots:      []identity.Address{hs[0].Address(), hs[1].Address()},
		Services:      []string{"router"},
		AnonymousRead: []string{"hexnet/app/"},
		Listen:        addr,
	}
	if err := mosquitto.Write(cfg, dir); err != nil {
		t.Fatal(err)
	}
	startMosquitto(t, dir, "")
	waitListening(t, addr)
	password := func(user string) string {
		p, err := mosquitto.Password(cfg.Secret, user)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	authtest.Run(t, authtest.Target{
		URL: "tcp://" + addr, ServiceUser: "router", ServicePassword: password("router"), Hotspots: hs,
		HotspotPassword: func(a identity.Address) string { return password(string(a)) },
	})
	t.Run("unknown hotspot is refused", func(t *testing.T) {
		stranger := keys(t, 3)[2]
		err := authtest.Login(authtest.LoginOptions{URL: "tcp://" + addr, ClientID: "stranger",
			Username: string(stranger.Address()), Password: password(string(stranger.Address()))})
		if !errors.Is(err, authtest.ErrRefused) {
			t.Errorf("login of a hotspot missing from the password file: %v, want ErrRefused", err)
		}
	})
}

// TestPlainMosquittoAcceptsTokens keeps the foundation's interface: hotspotd
// with no credentials configured sends its address and a token, and a
// Mosquitto that allows anonymous clients and has no password file lets it
// in and carries its traffic.
func TestPlainMosquittoAcceptsTokens(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	if err := os.WriteFile(filepath.Join(dir, mosquitto.ConfFileName), []byte("listener "+port+" 127.0.0.1\nallow_anonymous true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	startMosquitto(t, dir, "")
	waitListening(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	k := keys(t, 1)[0]
	cl, err := hotspot.Dial(ctx, k, "tcp://"+addr, nil, "test")
	if err != nil {
		t.Fatalf("hotspot with a token on plain Mosquitto: %v", err)
	}
	defer cl.Close()
	if err := cl.Publish(ctx, hotspot.UplinkTopic(k.Address(), []byte("up")), 1, false, []byte("up")); err != nil {
		t.Fatal(err)
	}
}
