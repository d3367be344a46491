// Package keycache verifies hexnet signatures about twice as fast as
// crypto/ed25519 for signers seen before: it keeps each signer's public key
// expanded (decompressed, with its precomputed table) and verifies with
// curve25519-voi, set to accept and refuse exactly what the standard
// library does. The router uses it for the copies every hotspot sends.
package keycache

import (
	stded25519 "crypto/ed25519"
	"sync"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"

	"github.com/hexnet/hexnet/identity"
)

// DefaultSize is how many signers a Cache keeps by default: a network's
// hotspots, with room (an expanded key takes about 1.5 KB).
const DefaultSize = 50_000

// stdlib makes voi decide as crypto/ed25519 does (canonical S, cofactorless).
var stdlib = &ed25519.Options{Verify: ed25519.VerifyOptionsStdLib}

// Cache holds expanded public keys. Its zero value is not usable; use New.
type Cache struct {
	size int
	mu   sync.Mutex
	keys map[[ed25519.PublicKeySize]byte]*ed25519.ExpandedPublicKey
}

// New returns a cache of up to size signers (0: DefaultSize). When full it
// starts afresh, which only costs re-expanding the keys in use.
func New(size int) *Cache {
	if size <= 0 {
		size = DefaultSize
	}
	return &Cache{size: size, keys: map[[ed25519.PublicKeySize]byte]*ed25519.ExpandedPublicKey{}}
}

// Verify is an identity.VerifyFunc.
func (c *Cache) Verify(pub stded25519.PublicKey, kind identity.Kind, body, sig []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return identity.ErrBadSigner
	}
	if len(sig) != ed25519.SignatureSize {
		return identity.ErrBadSignature
	}
	x, err := c.expanded(pub)
	if err != nil {
		return identity.ErrBadSignature // not a point: crypto/ed25519 fails the signature too
	}
	if !ed25519.VerifyExpandedWithOptions(x, identity.SignedMessage(kind, body), sig, stdlib) {
		return identity.ErrBadSignature
	}
	return nil
}

func (c *Cache) expanded(pub stded25519.PublicKey) (*ed25519.ExpandedPublicKey, error) {
	k := [ed25519.PublicKeySize]byte(pub)
	c.mu.Lock()
	x, ok := c.keys[k]
	c.mu.Unlock()
	if ok {
		return x, nil
	}
	x, err := ed25519.NewExpandedPublicKey(ed25519.PublicKey(pub))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.keys) >= c.size {
		clear(c.keys)
	}
	c.keys[k] = x
	return x, nil
}
