package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/internal/proctest"
)

// TestStatusCommand: `hotspotd status` reads a running daemon's loopback
// endpoint and prints the owner's summary; --json passes the JSON through.
func TestStatusCommand(t *testing.T) {
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	keyPath, key := keyFile(t)
	status := proctest.FreeTCPAddr(t)
	p := start(t, "--key", keyPath, "--gwmp-listen", proctest.FreeUDPAddr(t), "--mqtt", b.URL(), "--metrics-listen", "",
		"--status-listen", status, "--region", "EU868")
	p.WaitLog("status endpoint")

	res := execute(t, "status", "--status-listen", status)
	if res.Code != 0 {
		t.Fatalf("status exit %d: %s", res.Code, res.Stderr)
	}
	t.Logf("hotspotd status:\n%s", res.Stdout)
	for _, want := range []string{string(key.Address()), "broker       online", "region       EU868", "version      dev",
		"last uplink  none yet", "dropped      none", "queue        0 waiting", "oracle       none"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("status output lacks %q:\n%s", want, res.Stdout)
		}
	}

	res = execute(t, "status", "--status-listen", status, "--json")
	var st hotspot.Status
	if err := json.Unmarshal([]byte(res.Stdout), &st); err != nil || res.Code != 0 {
		t.Fatalf("status --json: exit %d, %v:\n%s", res.Code, err, res.Stdout)
	}
	if st.Address != key.Address() || st.Broker != hotspot.BrokerOnline || st.Region != "EU868" {
		t.Errorf("status JSON = %+v", st)
	}
	if code := p.Stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
}

// TestStatusNotRunning: with no daemon behind the address, status fails
// and says what to do.
func TestStatusNotRunning(t *testing.T) {
	res := execute(t, "status", "--status-listen", proctest.FreeTCPAddr(t))
	if res.Code != 1 || !strings.Contains(res.Stderr, "hotspotd is not running") {
		t.Errorf("exit %d, stderr %q; want 1 and a hint that hotspotd is not running", res.Code, res.Stderr)
	}
}

// TestStatusListenLoopbackOnly: a status address on a network interface is
// a configuration error naming the flag.
func TestStatusListenLoopbackOnly(t *testing.T) {
	key, _ := keyFile(t)
	for _, addr := range []string{"0.0.0.0:1681", ":1681", "192.0.2.1:1681"} {
		res := execute(t, "--key", key, "--mqtt", "tcp://127.0.0.1:1", "--metrics-listen", "", "--status-listen", addr)
		if res.Code != 2 || !strings.Contains(res.Stderr, "--status-listen") || !strings.Contains(res.Stderr, "loopback") {
			t.Errorf("--status-listen %s: exit %d, stderr %q; want 2 naming --status-listen and loopback", addr, res.Code, res.Stderr)
		}
	}
}
