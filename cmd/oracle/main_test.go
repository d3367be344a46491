package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/proctest"
	"github.com/hexnet/hexnet/internal/testenv"
)

var bin proctest.Binary

func TestMain(m *testing.M) { os.Exit(proctest.Main(m, "oracle", &bin)) }

func keyFile(t *testing.T) string {
	t.Helper()
	k, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "oracle.json")
	if err := k.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigErrors(t *testing.T) {
	key := keyFile(t)
	cases := map[string][]string{
		"--key":         {"--db", "sqlite://x.db"},
		"--db":          {"--key", key, "--db", "mysql://x"},
		"--genesis":     {"--key", key, "--genesis", "yesterday"},
		"--epoch-grace": {"--key", key, "--epoch", "1m", "--epoch-grace", "2m"},
		"--round":       {"--key", key, "--round", "2h", "--beacon-interval", "1h"},
		"--mqtt":        {"--key", key, "--mqtt", "http://x"},
	}
	for flag, args := range cases {
		res := bin.Execute(t, args...)
		if res.Code != 2 || !strings.Contains(res.Stderr, flag) {
			t.Errorf("%v: exit %d, want 2 naming %s:\n%s", args, res.Code, flag, res.Stderr)
		}
	}
	bin.CheckConfigRoundTrip(t, []string{"--key", key, "--epoch", "1h", "--emission", "42"}, `epoch = "1h0m0s"`, `emission = 42`)
}

// TestStandalone runs the oracle against the machine's Mosquitto with an
// SQLite store and no Solana node: it serves its API and stops cleanly.
func TestStandalone(t *testing.T) {
	broker := testenv.Mosquitto(t)
	api := proctest.FreeTCPAddr(t)
	p := bin.Start(t, "--key", keyFile(t), "--db", "sqlite://"+filepath.Join(t.TempDir(), "o.db"), "--mqtt", broker,
		"--api-listen", api, "--metrics-listen", "", "--epoch", "10s", "--epoch-grace", "1s", "--round", "2s", "--beacon-interval", "4s",
		"--share-group", "oracle-test-"+filepath.Base(t.TempDir()))
	p.WaitLog("oracle running")
	// The closer opens the current epoch on its first tick.
	var epochs []map[string]any
	for deadline := time.Now().Add(5 * time.Second); len(epochs) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		epochs = getEpochs(t, "http://"+api+"/api/v1/epochs")
	}
	if len(epochs) == 0 || epochs[0]["status"] != "open" {
		t.Errorf("GET /api/v1/epochs: %v, want the current epoch open", epochs)
	}
	if code := p.Stop(); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}
}

func getEpochs(t *testing.T, url string) []map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var epochs []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&epochs); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return epochs
}
