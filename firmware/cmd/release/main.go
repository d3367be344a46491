// Command release builds and signs hotspotd release manifests (make firmware
// runs it; see firmware/update for the format):
//
//	go run ./firmware/cmd/release keygen --out FILE
//	go run ./firmware/cmd/release manifest --version V --out DIR/manifest.json PLATFORM=FILE...
//	go run ./firmware/cmd/release sign --key FILE DIR/manifest.json
//	go run ./firmware/cmd/release verify --key ADDRESS DIR
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hexnet/hexnet/firmware/update"
	"github.com/hexnet/hexnet/identity"
)

var commands = map[string]func(args []string, stdout io.Writer) error{
	"keygen":   keygen,
	"manifest": manifest,
	"sign":     sign,
	"verify":   verify,
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: release keygen|manifest|sign|verify ... (see go doc ./firmware/cmd/release)")
		os.Exit(2)
	}
	if err := commands[os.Args[1]](os.Args[2:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "release %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// keygen writes a new release key (mode 0600, never overwritten).
func keygen(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	out := fs.String("out", "", "key file to create")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out FILE is required")
	}
	k, err := identity.Generate()
	if err != nil {
		return err
	}
	if err := k.Save(*out); err != nil {
		return err
	}
	fmt.Fprintln(stdout, k.Address())
	return nil
}

// manifest describes PLATFORM=FILE binaries as a release.
func manifest(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("manifest", flag.ContinueOnError)
	version := fs.String("version", "", "the release's semantic version, e.g. v1.4.0")
	out := fs.String("out", "", "manifest file to write (next to the binaries)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	files := map[string]string{}
	for _, a := range fs.Args() {
		platform, file, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("%q: want PLATFORM=FILE, e.g. linux/arm/v7=dist/hotspotd-linux-arm", a)
		}
		files[platform] = file
	}
	if *out == "" {
		return errors.New("--out FILE is required")
	}
	m, err := update.BuildManifest(*version, time.Now(), files)
	if err != nil {
		return err
	}
	for p, f := range files {
		if filepath.Dir(f) != filepath.Dir(*out) {
			return fmt.Errorf("%s (%s) is not in the manifest's directory %s", f, p, filepath.Dir(*out))
		}
	}
	raw, err := m.Marshal()
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, raw, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: release %s, %d binaries\n", *out, m.Version, len(m.Artifacts))
	return nil
}

// sign writes MANIFEST.sig with the release key.
func sign(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	keyFile := fs.String("key", "", "release key file (Solana keypair JSON, mode 0600)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keyFile == "" || fs.NArg() != 1 {
		return errors.New("usage: sign --key FILE MANIFEST")
	}
	k, err := identity.Load(*keyFile)
	if err != nil {
		return err
	}
	path := fs.Arg(0)
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if _, err := update.ParseManifest(raw); err != nil {
		return err
	}
	sigPath := filepath.Join(filepath.Dir(path), update.SignatureFile)
	if err := os.WriteFile(sigPath, update.Sign(k, raw), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: signed by release key %s\n", sigPath, k.Address())
	return nil
}

// verify checks a release directory as hotspotd would, minus the version
// rule: signature, manifest, and every binary's size and sha256.
func verify(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	key := fs.String("key", "", "the release key's address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: verify --key ADDRESS DIR")
	}
	pub, err := identity.Address(*key).PublicKey()
	if err != nil {
		return err
	}
	dir := update.Dir(fs.Arg(0))
	raw, err := read(dir, update.ManifestFile)
	if err != nil {
		return err
	}
	sig, err := read(dir, update.SignatureFile)
	if err != nil {
		return err
	}
	if err := update.VerifySignature(pub, raw, sig); err != nil {
		return err
	}
	m, err := update.ParseManifest(raw)
	if err != nil {
		return err
	}
	for p, a := range m.Artifacts {
		if err := checkArtifact(dir, a); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	fmt.Fprintf(stdout, "release %s in %s: signature by %s and %d binaries verified\n", m.Version, dir, *key, len(m.Artifacts))
	return nil
}

func read(dir update.Dir, name string) ([]byte, error) {
	r, err := dir.Open(context.Background(), name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func checkArtifact(dir update.Dir, a update.Artifact) error {
	b, err := read(dir, a.URL)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	if int64(len(b)) != a.Size || hex.EncodeToString(sum[:]) != a.SHA256 {
		return fmt.Errorf("%s does not match the manifest (size %d, sha256 %x)", a.URL, len(b), sum)
	}
	return nil
}
