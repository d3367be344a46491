package oracle

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

const entropyDomain = "hexnet/entropy"

// NewSecret draws a round's secret.
func NewSecret() ([]byte, error) {
	s := make([]byte, 32)
	if _, err := rand.Read(s); err != nil {
		return nil, fmt.Errorf("draw round secret: %w", err)
	}
	return s, nil
}

// Commitment is what is published before a round: sha256(secret).
func Commitment(secret []byte) []byte {
	c := sha256.Sum256(secret)
	return c[:]
}

// Entropy is a round's entropy: sha256(domain || secret || public mix). The
// secret was committed before the round; the public mix (a recent Solana
// blockhash, when there is one) is unknown when the secret was drawn, so
// the oracle cannot grind the entropy.
func Entropy(secret, publicMix []byte) []byte {
	h := sha256.New()
	h.Write([]byte(entropyDomain))
	h.Write(secret)
	h.Write(publicMix)
	return h.Sum(nil)
}

// Selected decides whether a hotspot beacons in a round: the hash of the
// entropy and its public key, read as a fraction of 2^64, is below the
// chance of being challenged in one round (round length / beacon
// interval). Anyone with the revealed entropy can recompute it.
func Selected(entropy, hotspot []byte, chancePPM uint64) bool {
	h := sha256.New()
	h.Write([]byte(entropyDomain + "/select"))
	h.Write(entropy)
	h.Write(hotspot)
	draw := binary.BigEndian.Uint64(h.Sum(nil)[:8])
	return draw%1_000_000 < chancePPM
}

// VerifyReveal checks a revealed round against its commitment.
func VerifyReveal(r Round) error {
	if string(Commitment(r.Secret)) != string(r.Commitment) {
		return fmt.Errorf("round %d: secret does not match the commitment", r.Number)
	}
	if string(Entropy(r.Secret, r.PublicMix)) != string(r.Entropy) {
		return fmt.Errorf("round %d: entropy is not sha256(domain, secret, public mix)", r.Number)
	}
	return nil
}
