package identity

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrKeyFileMode reports a key file that others can read.
var ErrKeyFileMode = errors.New("identity: key file is readable by others")

// Load reads a Solana CLI keypair file (a JSON array of 64 bytes: seed then
// public key). It refuses files that group or others can read, and files
// whose public half does not match the seed.
func Load(path string) (*Key, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w (create one with `hotspotd keygen --out %s`)", path, err, path)
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; run chmod 600 %s", ErrKeyFileMode, path, mode, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	k, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// Parse decodes the keypair JSON.
func Parse(raw []byte) (*Key, error) {
	var ints []int
	if err := json.Unmarshal(raw, &ints); err != nil {
		return nil, fmt.Errorf("not a Solana keypair file (want a JSON array of 64 numbers): %w", err)
	}
	if len(ints) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("keypair has %d bytes, want %d", len(ints), ed25519.PrivateKeySize)
	}
	b := make([]byte, len(ints))
	for i, v := range ints {
		if v < 0 || v > 255 {
			return nil, fmt.Errorf("keypair byte %d is %d, not 0..255", i, v)
		}
		b[i] = byte(v)
	}
	k, _ := FromSeed(b[:ed25519.SeedSize])
	if !k.Public().Equal(ed25519.PublicKey(b[ed25519.SeedSize:])) {
		return nil, errors.New("keypair's public key does not match its seed")
	}
	return k, nil
}

// Marshal encodes the key as a keypair JSON array.
func (k *Key) Marshal() []byte {
	ints := make([]int, len(k.priv))
	for i, b := range k.priv {
		ints[i] = int(b)
	}
	out, _ := json.Marshal(ints)
	return out
}

// Save writes the key with mode 0600, refusing to overwrite an existing file.
func (k *Key) Save(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	if _, err := f.Write(k.Marshal()); err != nil {
		f.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	return f.Close()
}
