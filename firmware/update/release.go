package update

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// BuildManifest describes the binaries in files (platform -> path) as a
// release of version; each artifact's url is the file's base name, so the
// manifest sits in the same directory as the binaries.
func BuildManifest(version string, created time.Time, files map[string]string) (*Manifest, error) {
	if _, err := ParseVersion(version); err != nil {
		return nil, err
	}
	m := &Manifest{Version: version, Created: created.UTC().Truncate(time.Second), Artifacts: map[string]Artifact{}}
	for platform, path := range files {
		a, err := describe(path)
		if err != nil {
			return nil, err
		}
		m.Artifacts[platform] = a
	}
	if len(m.Artifacts) == 0 {
		return nil, fmt.Errorf("release %s has no binaries", version)
	}
	return m, nil
}

// describe hashes one binary.
func describe(path string) (Artifact, error) {
	f, err := os.Open(path)
	if err != nil {
		return Artifact{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Artifact{}, fmt.Errorf("hash %s: %w", path, err)
	}
	return Artifact{URL: filepath.Base(path), SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}
