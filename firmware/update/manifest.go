// Package update is hotspotd's self-update: release manifests, their
// detached signatures by the release key, and the check-download-verify-swap
// of the running binary.
//
// A release is a directory (served over HTTP or mounted locally) holding
//
//	manifest.json      {"version": "v1.4.0", "created": "...", "artifacts": {"linux/arm64": {"url": ..., "sha256": ..., "size": ...}}}
//	manifest.json.sig  base58 ed25519 signature of manifest.json's exact bytes, kind "release" (identity.KindRelease)
//	hotspotd-linux-*   the binaries the manifest names (url: a file name relative to the manifest, or an absolute URL)
//
// The signature is checked over the bytes received before they are parsed;
// the version must be newer than the running one (no downgrades, no
// re-installs); the artifact's size and sha256 must match the manifest
// before it replaces the running executable by an atomic rename.
//
// The package is CGO-free and imports no h3-go, pgx or solana-go: it runs on
// gateway hardware inside hotspotd.
package update

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/mr-tron/base58"

	"github.com/hexnet/hexnet/identity"
)

// File names of a release.
const (
	ManifestFile  = "manifest.json"
	SignatureFile = "manifest.json.sig"
)

// Manifest describes one release.
type Manifest struct {
	Version   string              `json:"version"`
	Created   time.Time           `json:"created"`
	Artifacts map[string]Artifact `json:"artifacts"` // by Platform, e.g. "linux/arm/v7"
}

// Artifact is one platform's binary.
type Artifact struct {
	URL    string `json:"url"`    // file name relative to the manifest, or an absolute http(s) URL
	SHA256 string `json:"sha256"` // lower-case hex
	Size   int64  `json:"size"`   // bytes
}

// Platform names the running binary's target the way manifests key their
// artifacts: GOOS/GOARCH, with "/v" + GOARM on arm ("linux/arm/v7").
func Platform() string {
	p := runtime.GOOS + "/" + runtime.GOARCH
	if runtime.GOARCH != "arm" {
		return p
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOARM" && s.Value != "" {
				return p + "/v" + strings.TrimSuffix(strings.TrimSuffix(s.Value, ",softfloat"), ",hardfloat")
			}
		}
	}
	return p
}

// PlatformOf builds a platform name from GOOS, GOARCH and GOARM (used only on arm).
func PlatformOf(goos, goarch, goarm string) string {
	if goarch == "arm" && goarm != "" {
		return goos + "/" + goarch + "/v" + goarm
	}
	return goos + "/" + goarch
}

// Marshal encodes the manifest as the indented JSON that is signed.
func (m *Manifest) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return append(b, '\n'), nil
}

// ParseManifest decodes and checks a manifest: a semantic version, at least
// one artifact, each with a URL, a 32-byte hex sha256 and a positive size.
func ParseManifest(raw []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, err := ParseVersion(m.Version); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(m.Artifacts) == 0 {
		return nil, fmt.Errorf("%w: no artifacts", ErrMalformed)
	}
	for p, a := range m.Artifacts {
		if err := a.check(); err != nil {
			return nil, fmt.Errorf("%w: artifact %s: %v", ErrMalformed, p, err)
		}
	}
	return &m, nil
}

func (a Artifact) check() error {
	if a.URL == "" {
		return fmt.Errorf("no url")
	}
	if h, err := hex.DecodeString(a.SHA256); err != nil || len(h) != 32 {
		return fmt.Errorf("sha256 %q is not 64 hex digits", a.SHA256)
	}
	if a.Size <= 0 {
		return fmt.Errorf("size %d is not positive", a.Size)
	}
	return nil
}

// Sign signs a manifest's bytes with the release key and returns the
// contents of manifest.json.sig: the base58 signature and a newline.
func Sign(key *identity.Key, manifest []byte) []byte {
	return []byte(base58.Encode(key.Sign(identity.KindRelease, manifest)) + "\n")
}

// VerifySignature checks the detached signature (as Sign writes it) over
// the manifest's bytes against the release key.
func VerifySignature(pub ed25519.PublicKey, manifest, sigFile []byte) error {
	sig, err := base58.Decode(strings.TrimSpace(string(sigFile)))
	if err != nil {
		return fmt.Errorf("%w: signature file is not base58", ErrBadSignature)
	}
	if err := identity.Verify(pub, identity.KindRelease, manifest, sig); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}
