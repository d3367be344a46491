// Package deptest enforces the dependency rules of DESIGN.md: the hotspot
// side cross-compiles without cgo for gateway hardware and stays small; the
// pure PoC and geo rules never reach for databases, brokers or Solana.
package deptest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type rule struct {
	pkg       string
	forbidden []string
}

var (
	heavy = []string{"github.com/uber/h3-go", "github.com/jackc/pgx", "github.com/gagliardetto/solana-go"}
	io    = []string{"github.com/jackc/pgx", "github.com/eclipse/paho.mqtt.golang", "github.com/gagliardetto/solana-go"}
)

var rules = []rule{
	{"./hotspot/...", heavy},
	{"./firmware/...", heavy},
	{"./cmd/hotspotd", heavy},
	{"./beacon/...", heavy},
	{"./poc/...", io},
	{"./geo/...", io},
}

// goList runs `go list` from the module root with extra environment.
func goList(t *testing.T, env []string, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	cmd.Env = append(cmd.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "matched no packages") {
			return nil
		}
		t.Fatalf("go list %v: %v\n%s", args, err, out)
	}
	return strings.Fields(string(out))
}

func TestForbiddenImports(t *testing.T) {
	for _, r := range rules {
		for _, dep := range goList(t, []string{"CGO_ENABLED=0"}, "-e", "-deps", "-test", r.pkg) {
			for _, bad := range r.forbidden {
				if strings.HasPrefix(dep, bad) {
					t.Errorf("%s depends on %s (forbidden: %s)", r.pkg, dep, bad)
				}
			}
		}
	}
}

// maxBinary is the budget for one hotspotd binary.
const maxBinary = 20 << 20

// TestHotspotCrossCompiles builds the hotspot side for every gateway target
// with cgo off, as make firmware does, and logs each binary's size.
func TestHotspotCrossCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compilation skipped in -short mode")
	}
	for _, arch := range []string{"arm", "arm64", "mipsle", "amd64"} {
		t.Run(arch, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "hotspotd")
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, "./cmd/hotspotd")
			cmd.Dir = "../.."
			cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOARM=7", "GOMIPS=softfloat")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("CGO_ENABLED=0 GOARCH=%s go build ./cmd/hotspotd: %v\n%s", arch, err, out)
			}
			info, err := os.Stat(bin)
			if err != nil {
				t.Fatal(err)
			}
			// The size as make firmware builds it (stripped), for the CI log.
			t.Logf("hotspotd linux/%s: %d bytes (%.1f MiB)", arch, info.Size(), float64(info.Size())/(1<<20))
			if info.Size() > maxBinary {
				t.Errorf("hotspotd linux/%s is %d bytes, over the %d-byte budget", arch, info.Size(), maxBinary)
			}
			pkgs := goList(t, []string{"CGO_ENABLED=0", "GOARCH=" + arch}, "-deps", "-f", "{{if .CgoFiles}}{{.ImportPath}}{{end}}", "./cmd/hotspotd", "./hotspot/...")
			if len(pkgs) > 0 {
				t.Errorf("cgo packages in the hotspot build: %v", pkgs)
			}
		})
	}
}
