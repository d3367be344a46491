package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/internal/proctest"
	"github.com/hexnet/hexnet/internal/testenv"
)

const testAdminToken = "5f0c3d1e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d"

// allInterfaces is a free port on every interface: not a loopback address.
func allInterfaces(t *testing.T) string {
	_, port, err := net.SplitHostPort(proctest.FreeTCPAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	return "0.0.0.0:" + port
}

func tokenFile(t *testing.T, mode os.FileMode) string {
	path := filepath.Join(t.TempDir(), "api-tokens")
	if err := os.WriteFile(path, []byte("# the operator\n"+testAdminToken+"\n"), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
	return path
}

// TestAPIRefusesOpenNonLoopback: without an admin token file the router
// will not serve the management API beyond loopback, and says how to make
// one; nor will it read a token file others can read.
func TestAPIRefusesOpenNonLoopback(t *testing.T) {
	broker := testenv.Mosquitto(t)
	db := "sqlite://" + filepath.Join(t.TempDir(), "r.db")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no token file", []string{"--api-listen", allInterfaces(t)},
			[]string{"--api-admin-token-file", "not a loopback address", "hexnet apikey new"}},
		{"readable token file", []string{"--api-listen", allInterfaces(t), "--api-admin-token-file", tokenFile(t, 0o644)},
			[]string{"--api-admin-token-file", "mode 0644", "chmod 600"}},
		{"missing token file", []string{"--api-listen", "127.0.0.1:0", "--api-admin-token-file", filepath.Join(t.TempDir(), "none")},
			[]string{"--api-admin-token-file", "hexnet apikey new"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := execute(t, append([]string{"--mqtt", broker, "--db", db, "--metrics-listen", ""}, tc.args...)...)
			if res.Code != 2 {
				t.Errorf("exit %d, want 2 (configuration error); stderr: %s", res.Code, res.Stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, res.Stderr)
				}
			}
		})
	}
}

// TestAPIWithTokenFile: with an admin token file the router serves the
// API on every interface and asks for the token.
func TestAPIWithTokenFile(t *testing.T) {
	broker := testenv.Mosquitto(t)
	apiAddr, metrics := allInterfaces(t), proctest.FreeTCPAddr(t)
	p := start(t, "--mqtt", broker, "--db", "sqlite://"+filepath.Join(t.TempDir(), "r.db"),
		"--api-listen", apiAddr, "--api-admin-token-file", tokenFile(t, 0o600), "--metrics-listen", metrics)
	waitHealthy(t, p, "http://"+metrics+"/healthz")
	_, port, _ := net.SplitHostPort(apiAddr)
	base := "http://127.0.0.1:" + port + "/api/v1"
	for _, c := range []struct {
		token, method, path, body string
		status                    int
	}{
		{"", "POST", "/organisations", `{"id":"acme"}`, 401},
		{"wrong-token-wrong-token-wrong-token", "POST", "/organisations", `{"id":"acme"}`, 401},
		{testAdminToken, "POST", "/organisations", `{"id":"acme"}`, 201},
		{testAdminToken, "GET", "/balances", "", 200},
	} {
		req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s with token %q: %d %s, want %d", c.method, c.path, c.token, resp.StatusCode, b, c.status)
		}
	}
	if code := p.Stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}

// TestAPILoopbackOpenWarns: on loopback without a token file the API is
// open, and the router says so once.
func TestAPILoopbackOpenWarns(t *testing.T) {
	broker := testenv.Mosquitto(t)
	p := start(t, "--mqtt", broker, "--db", "sqlite://"+filepath.Join(t.TempDir(), "r.db"),
		"--api-listen", proctest.FreeTCPAddr(t), "--metrics-listen", "")
	p.WaitLog("management API has no admin token")
	p.WaitLog("router running")
	if code := p.Stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}
