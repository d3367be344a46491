package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/internal/proctest"
	"github.com/hexnet/hexnet/internal/testenv"
)

// TestAPIListen: router --api-listen serves the management API; an
// organisation funded over it shows in the balances.
func TestAPIListen(t *testing.T) {
	broker := testenv.Mosquitto(t)
	apiAddr, metrics := proctest.FreeTCPAddr(t), proctest.FreeTCPAddr(t)
	p := start(t, "--mqtt", broker, "--db", "sqlite://"+filepath.Join(t.TempDir(), "r.db"),
		"--api-listen", apiAddr, "--metrics-listen", metrics)
	waitHealthy(t, p, "http://"+metrics+"/healthz")
	base := "http://" + apiAddr + "/api/v1"
	for _, c := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/organisations", `{"id":"acme"}`, 201, `"id":"acme"`},
		{"POST", "/organisations/acme/credits", `{"dc":250}`, 200, `"balance_dc":250`},
		{"GET", "/balances", "", 200, `[{"organisation":"acme","balance_dc":250}]`},
		{"POST", "/organisations", `{"id":`, 400, `"error"`},
	} {
		req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.want) {
			t.Errorf("%s %s: %d %s, want %d with %s", c.method, c.path, resp.StatusCode, b, c.status, c.want)
		}
	}
	if code := p.Stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}

// TestAPIListenBusy: an API address that cannot be bound is a
// configuration error naming --api-listen.
func TestAPIListenBusy(t *testing.T) {
	res := execute(t, "--db", "sqlite://"+filepath.Join(t.TempDir(), "r.db"), "--api-listen", "256.0.0.1:1", "--metrics-listen", "")
	if res.Code != 2 || !strings.Contains(res.Stderr, "--api-listen") {
		t.Errorf("exit %d, stderr %s; want 2 naming --api-listen", res.Code, res.Stderr)
	}
}
