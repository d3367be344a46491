package update

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
)

const platform = "linux/arm/v7"

var (
	oldBinary = []byte("#!/bin/sh\necho old\n")
	newBinary = []byte("#!/bin/sh\necho new\n")
)

func mustKey(t *testing.T) *identity.Key {
	t.Helper()
	k, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// release is a release directory under construction.
type release struct {
	version  string
	binary   []byte // written as hotspotd-linux-arm
	platform string
	edit     func(m *Manifest) // changes the manifest before it is signed
	signer   *identity.Key
	manifest []byte // raw manifest bytes instead of the encoded one
	afterSig func(dir string)
}

// write lays the release out in dir.
func (r release) write(t *testing.T, dir string) {
	t.Helper()
	bin := filepath.Join(dir, "hotspotd-linux-arm")
	if err := os.WriteFile(bin, r.binary, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := BuildManifest(r.version, time.Now(), map[string]string{r.platform: bin})
	if err != nil {
		t.Fatal(err)
	}
	if r.edit != nil {
		r.edit(m)
	}
	raw, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if r.manifest != nil {
		raw = r.manifest
	}
	writeFile(t, filepath.Join(dir, ManifestFile), raw)
	writeFile(t, filepath.Join(dir, SignatureFile), Sign(r.signer, raw))
	if r.afterSig != nil {
		r.afterSig(dir)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// installed makes a fake running executable and returns its path.
func installed(t *testing.T) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "hotspotd")
	if err := os.WriteFile(exe, oldBinary, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

func newUpdater(t *testing.T, src Source, key identity.Address, exe string) *Updater {
	t.Helper()
	u, err := New(Options{Source: src, Key: key, Current: "v1.2.0", Platform: platform, Executable: exe, MaxSize: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestCheck: a valid release is installed over the executable; every other
// release is refused with its reason and leaves the executable untouched.
func TestCheck(t *testing.T) {
	releaseKey, otherKey := mustKey(t), mustKey(t)
	good := func() release {
		return release{version: "v1.3.0", binary: newBinary, platform: platform, signer: releaseKey}
	}
	tests := []struct {
		name   string
		change func(r *release)
		want   error // nil: applied
	}{
		{"valid release applied", func(r *release) {}, nil},
		{"pre-release above running applied", func(r *release) { r.version = "v1.3.0-rc.1" }, nil},
		{"tampered binary", func(r *release) {
			r.afterSig = func(dir string) {
				writeFile(t, filepath.Join(dir, "hotspotd-linux-arm"), []byte("#!/bin/sh\necho wen\n"))
			}
		}, ErrHashMismatch},
		{"binary longer than announced", func(r *release) {
			r.afterSig = func(dir string) { writeFile(t, filepath.Join(dir, "hotspotd-linux-arm"), append(newBinary, 'x')) }
		}, ErrSizeMismatch},
		{"manifest edited after signing", func(r *release) {
			r.afterSig = func(dir string) {
				raw, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
				writeFile(t, filepath.Join(dir, ManifestFile), bytes.Replace(raw, []byte("v1.3.0"), []byte("v1.4.0"), 1))
			}
		}, ErrBadSignature},
		{"signature by another key", func(r *release) { r.signer = otherKey }, ErrBadSignature},
		{"signature file garbage", func(r *release) {
			r.afterSig = func(dir string) { writeFile(t, filepath.Join(dir, SignatureFile), []byte("not base58 0OIl")) }
		}, ErrBadSignature},
		{"signature missing", func(r *release) {
			r.afterSig = func(dir string) { os.Remove(filepath.Join(dir, SignatureFile)) }
		}, ErrFetch},
		{"downgrade", func(r *release) { r.version = "v1.1.9" }, ErrDowngrade},
		{"pre-release of the running version", func(r *release) { r.version = "v1.2.0-rc.9" }, ErrDowngrade},
		{"same version", func(r *release) { r.version = "v1.2.0" }, ErrUpToDate},
		{"same version other build", func(r *release) { r.version = "1.2.0+rebuilt" }, ErrUpToDate},
		{"malformed manifest", func(r *release) { r.manifest = []byte(`{"version": "v9.0.0", "artifacts": `) }, ErrMalformed},
		{"version not semantic", func(r *release) { r.edit = func(m *Manifest) { m.Version = "latest" } }, ErrMalformed},
		{"bad sha256 field", func(r *release) {
			r.edit = func(m *Manifest) { a := m.Artifacts[platform]; a.SHA256 = "abc"; m.Artifacts[platform] = a }
		}, ErrMalformed},
		{"unknown field", func(r *release) {
			r.manifest = []byte(`{"version": "v1.3.0", "artifacts": {}, "script": "rm -rf /"}`)
		}, ErrMalformed},
		{"missing arch", func(r *release) { r.platform = "linux/mipsle" }, ErrNoArtifact},
		{"arm v6 only", func(r *release) { r.platform = "linux/arm/v6" }, ErrNoArtifact},
		{"oversize", func(r *release) { r.binary = bytes.Repeat([]byte{1}, 2<<10) }, ErrOversize},
		{"artifact outside the release directory", func(r *release) {
			r.edit = func(m *Manifest) { a := m.Artifacts[platform]; a.URL = "../hotspotd"; m.Artifacts[platform] = a }
		}, ErrFetch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			r := good()
			tc.change(&r)
			r.write(t, dir)
			exe := installed(t)
			u := newUpdater(t, Dir(dir), releaseKey.Address(), exe)
			m, err := u.Check(context.Background())
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Check: err = %v (reason %s), want %v", err, Reason(err), tc.want)
			}
			want := oldBinary
			if tc.want == nil {
				want = r.binary
				if m.Version != r.version {
					t.Errorf("installed version %s, want %s", m.Version, r.version)
				}
			}
			checkExecutable(t, exe, want)
		})
	}
}

// checkExecutable: the file has the wanted content, mode 0755, and no
// temporary file is left beside it.
func checkExecutable(t *testing.T, exe string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("executable holds %q, want %q", got, want)
	}
	if info, _ := os.Stat(exe); info.Mode().Perm() != 0o755 {
		t.Errorf("executable mode %04o, want 0755", info.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(exe), ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestUnversionedNeverReplaced: a development build ("dev") is not updated.
func TestUnversionedNeverReplaced(t *testing.T) {
	k := mustKey(t)
	dir := t.TempDir()
	release{version: "v9.0.0", binary: newBinary, platform: platform, signer: k}.write(t, dir)
	exe := installed(t)
	u, err := New(Options{Source: Dir(dir), Key: k.Address(), Current: "dev", Platform: platform, Executable: exe})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Check(context.Background()); !errors.Is(err, ErrUnversioned) {
		t.Fatalf("err = %v, want ErrUnversioned", err)
	}
	checkExecutable(t, exe, oldBinary)
}

// TestHTTPSource: the same release served over HTTP is installed by Run,
// which then asks for a restart.
func TestHTTPSource(t *testing.T) {
	k := mustKey(t)
	dir := t.TempDir()
	release{version: "v1.3.0", binary: newBinary, platform: platform, signer: k}.write(t, dir)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	src, err := NewSource(srv.URL + "/releases/..")
	if err != nil {
		t.Fatal(err)
	}
	exe := installed(t)
	u := newUpdater(t, src, k.Address(), exe)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := u.Run(ctx); !errors.Is(err, ErrRestart) {
		t.Fatalf("Run: %v, want ErrRestart", err)
	}
	checkExecutable(t, exe, newBinary)

	// Served again, the same release is now the running one.
	u = newUpdater(t, src, k.Address(), exe)
	u.o.Current = "v1.3.0"
	if _, err := u.Check(ctx); !errors.Is(err, ErrUpToDate) {
		t.Errorf("second check: %v, want ErrUpToDate", err)
	}
}

// TestHTTPSourceErrors: a missing release and an unreachable server are
// fetch failures, not crashes.
func TestHTTPSourceErrors(t *testing.T) {
	k := mustKey(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	src, _ := NewSource(srv.URL)
	u := newUpdater(t, src, k.Address(), installed(t))
	if _, err := u.Check(context.Background()); !errors.Is(err, ErrFetch) {
		t.Errorf("404: %v, want ErrFetch", err)
	}
	srv.Close()
	if _, err := u.Check(context.Background()); !errors.Is(err, ErrFetch) {
		t.Errorf("server down: %v, want ErrFetch", err)
	}
}

func TestVersionOrder(t *testing.T) {
	// Ascending, per semver.org §11.
	order := []string{"0.0.0-dev.9", "0.0.0-dev.57", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
		"1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "v1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0"}
	for i := 1; i < len(order); i++ {
		a, errA := ParseVersion(order[i-1])
		b, errB := ParseVersion(order[i])
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
			t.Errorf("%s vs %s: %d, %d", a, b, a.Compare(b), b.Compare(a))
		}
	}
	for _, bad := range []string{"", "dev", "1.2", "1.2.3.4", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.x", "v", "690a632"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"version":"v1.0.0","artifacts":{"linux/arm64":{"url":"a","sha256":"` + string(bytes.Repeat([]byte("0"), 64)) + `","size":1}}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ParseManifest(raw)
		if err == nil && (len(m.Artifacts) == 0 || m.Version == "") {
			t.Errorf("accepted an empty manifest: %+v", m)
		}
	})
}
