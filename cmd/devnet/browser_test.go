package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/hexnet/hexnet/config"
	"github.com/hexnet/hexnet/web"
)

// TestBrowserMap opens the coverage map in Chromium against a devnet with
// short epochs, once an epoch has closed with a proven cell: web/e2e/map.mjs
// checks that cells are drawn, a click opens a cell, search opens a
// hotspot's page with its verdicts, a permalink restores the view and a
// phone works by touch. Screenshots go to HEXNET_E2E_ARTIFACTS (default
// web/e2e/artifacts).
func TestBrowserMap(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	chromium := browserPrerequisites(t, root)
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, out, done := startDevnet(ctx, t, "--hotspots", "8", "--devices", "6", "--seed", "3", "--uplink-interval", "5s",
		"--epoch", "15s", "--epoch-grace", "3s", "--round", "3s", "--beacon-interval", "6s", "--progress", "10s")
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("devnet: %v", err)
		}
		t.Log(out.String())
	}()
	waitProven(ctx, t, base, 60*time.Second)
	started := time.Now()
	e2e := exec.CommandContext(ctx, "node", filepath.Join("web", "e2e", "map.mjs"), base)
	e2e.Dir = root
	e2e.Env = append(os.Environ(), "HEXNET_CHROMIUM="+chromium)
	e2e.WaitDelay = 5 * time.Second
	res, err := e2e.CombinedOutput()
	t.Logf("web/e2e/map.mjs %s (%.1f s):\n%s", base, time.Since(started).Seconds(), res)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
}

// browserPrerequisites returns Chromium's path, or skips the test saying
// how to install what is missing (under CI=true it fails instead).
func browserPrerequisites(t *testing.T, root string) string {
	t.Helper()
	chromium := os.Getenv("HEXNET_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, nodeErr := exec.LookPath("node")
	checks := []struct {
		ok  bool
		fix string
	}{
		{exists(chromium), chromium + " is missing: apt-get update && apt-get install -y chromium (make test does it)"},
		{nodeErr == nil, "node is missing: apt-get install -y nodejs npm"},
		{exists(filepath.Join(root, "web", "node_modules", "playwright-core")), "web/node_modules is missing: make web"},
		{web.Built(), "the map page is not built into this test binary: make web, then run the test again"},
	}
	for _, c := range checks {
		if c.ok {
			continue
		}
		if os.Getenv("CI") == "true" {
			t.Fatal(c.fix)
		}
		t.Skip(c.fix)
	}
	return chromium
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// startDevnet runs the devnet with these flags until ctx ends and returns
// the URL of the map from its banner, its output so far and the channel
// run's error arrives on.
func startDevnet(ctx context.Context, t *testing.T, args ...string) (string, *syncBuffer, <-chan error) {
	t.Helper()
	cfg := defaults()
	if _, err := config.Load("devnet", cfg, append(args, "--metrics-listen", ""), io.Discard); err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, out) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := mapLine.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, done
		}
		select {
		case err := <-done:
			t.Fatalf("devnet stopped before its banner: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("no map URL in the devnet's banner after 30 s:\n%s", out.String())
	return "", nil, nil
}

var mapLine = regexp.MustCompile(`coverage map\s+(http://\S+/)`)

// waitProven waits until the oracle's coverage has a proven cell: an epoch
// closed with valid witnesses. Resolution 0 asks about the whole world
// in few cells.
func waitProven(ctx context.Context, t *testing.T, base string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		ok, err := provenCell(ctx, base)
		if ok {
			return
		}
		last = err
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("no proven cell after %s (last error: %v)", limit, last)
}

func provenCell(ctx context.Context, base string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"api/v1/coverage?res=0", nil)
	if err != nil {
		return false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("coverage: %s", resp.Status)
	}
	var cells []struct {
		Proven bool `json:"proven"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&cells); err != nil {
		return false, err
	}
	for _, c := range cells {
		if c.Proven {
			return true, nil
		}
	}
	return false, errors.New("no proven cell yet")
}

// syncBuffer is a bytes.Buffer read while the devnet writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
