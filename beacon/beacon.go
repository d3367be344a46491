// Package beacon defines the proof-of-coverage beacon on air: its payload,
// derived from a round's entropy and the challenged hotspot, and its frame,
// a LoRaWAN Proprietary frame. It is pure and tiny so that the hotspot (which
// must recognise beacons) and the verifier (which recomputes them) share it.
package beacon

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
)

// PayloadSize is the length of a beacon payload; the frame adds one MHDR
// byte. 25 bytes fit every region's slowest data rate (EU868 DR0: 51).
const PayloadSize = 24

// FrameSize is the PHYPayload length of a beacon.
const FrameSize = 1 + PayloadSize

// mhdr is MType Proprietary (0b111), Major LoRaWAN R1 (0b00).
const mhdr = 0xE0

const domain = "hexnet/beacon/v1"

// Payload derives the beacon payload of a challenge: sha256 of the domain,
// the round's entropy and the challengee's public key, cut to PayloadSize.
func Payload(entropy []byte, challengee ed25519.PublicKey) []byte {
	h := sha256.New()
	h.Write([]byte(domain))
	h.Write(entropy)
	h.Write(challengee)
	return h.Sum(nil)[:PayloadSize]
}

// Channel picks the index of the channel to beacon on among n, from the
// same inputs as the payload (a different domain, so the two never agree by
// construction).
func Channel(entropy []byte, challengee ed25519.PublicKey, n int) int {
	if n <= 0 {
		return 0
	}
	h := sha256.New()
	h.Write([]byte(domain + "/channel"))
	h.Write(entropy)
	h.Write(challengee)
	return int(binary.BigEndian.Uint64(h.Sum(nil)[:8]) % uint64(n))
}

// Frame wraps a payload in its Proprietary frame.
func Frame(payload []byte) []byte {
	return append([]byte{mhdr}, payload...)
}

// Parse returns the payload of a beacon-shaped frame: a Proprietary MHDR
// and exactly FrameSize bytes. Anything else is not a beacon.
func Parse(phy []byte) ([]byte, bool) {
	if len(phy) != FrameSize || phy[0] != mhdr {
		return nil, false
	}
	return phy[1:], true
}
