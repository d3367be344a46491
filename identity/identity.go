// Package identity holds hexnet's actor keys: ed25519 keys stored in the
// Solana CLI keypair file format, addresses in base58 (valid Solana public
// keys), and domain-separated signatures over wire messages.
package identity

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/mr-tron/base58"
)

// Address is the base58 form of a 32-byte ed25519 public key.
type Address string

// ErrBadAddress reports an address that is not base58 of 32 bytes.
var ErrBadAddress = errors.New("identity: address is not a base58 ed25519 public key")

// Key is an actor's private key.
type Key struct {
	priv ed25519.PrivateKey
}

// Generate makes a new random key.
func Generate() (*Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate ed25519 key: %w", err)
	}
	return &Key{priv: priv}, nil
}

// FromSeed derives a key from a 32-byte seed (deterministic; for simulations).
func FromSeed(seed []byte) (*Key, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("identity: seed has %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	return &Key{priv: ed25519.NewKeyFromSeed(seed)}, nil
}

// Public returns the 32-byte public key.
func (k *Key) Public() ed25519.PublicKey {
	return k.priv.Public().(ed25519.PublicKey)
}

// Address returns the key's base58 address.
func (k *Key) Address() Address {
	return AddressOf(k.Public())
}

// Bytes returns the 64-byte Solana keypair form: seed then public key.
func (k *Key) Bytes() []byte {
	return append([]byte(nil), k.priv...)
}

// AddressOf encodes a public key as an address.
func AddressOf(pub ed25519.PublicKey) Address {
	return Address(base58.Encode(pub))
}

// PublicKey decodes the address.
func (a Address) PublicKey() (ed25519.PublicKey, error) {
	b, err := base58.Decode(string(a))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: %q", ErrBadAddress, string(a))
	}
	return ed25519.PublicKey(b), nil
}

// Valid reports whether the address decodes to a public key.
func (a Address) Valid() bool {
	_, err := a.PublicKey()
	return err == nil
}

func (a Address) String() string { return string(a) }
