package beacon

import (
	"bytes"
	"crypto/ed25519"
	"testing"

	"github.com/brocaar/lorawan"
)

func TestPayloadIsDeterministicAndBound(t *testing.T) {
	a := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32)).Public().(ed25519.PublicKey)
	b := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, 32)).Public().(ed25519.PublicKey)
	e1, e2 := bytes.Repeat([]byte{9}, 32), bytes.Repeat([]byte{8}, 32)
	p := Payload(e1, a)
	if len(p) != PayloadSize || !bytes.Equal(p, Payload(e1, a)) {
		t.Fatalf("payload %x is not deterministic or not %d bytes", p, PayloadSize)
	}
	if bytes.Equal(p, Payload(e2, a)) || bytes.Equal(p, Payload(e1, b)) {
		t.Error("payload does not depend on both entropy and challengee")
	}
	seen := map[int]bool{}
	for i := byte(0); i < 64; i++ {
		c := Channel([]byte{i}, a, 8)
		if c < 0 || c >= 8 {
			t.Fatalf("channel %d out of range", c)
		}
		seen[c] = true
	}
	if len(seen) < 6 {
		t.Errorf("channels poorly spread: %v", seen)
	}
	if Channel(e1, a, 0) != 0 {
		t.Error("no channels must give 0")
	}
}

// TestFrameIsLoRaWANProprietary: brocaar/lorawan reads our frame as a
// Proprietary frame, and Parse recognises only beacon-shaped frames.
func TestFrameIsLoRaWANProprietary(t *testing.T) {
	payload := Payload([]byte("entropy"), make([]byte, 32))
	frame := Frame(payload)
	var phy lorawan.PHYPayload
	if err := phy.UnmarshalBinary(frame); err != nil {
		t.Fatal(err)
	}
	if phy.MHDR.MType != lorawan.Proprietary || phy.MHDR.Major != lorawan.LoRaWANR1 {
		t.Errorf("MHDR %+v, want Proprietary R1", phy.MHDR)
	}
	got, ok := Parse(frame)
	if !ok || !bytes.Equal(got, payload) {
		t.Fatalf("Parse(Frame(p)) = %x, %v", got, ok)
	}
	for name, f := range map[string][]byte{
		"short":        frame[:FrameSize-1],
		"long":         append(append([]byte{}, frame...), 0),
		"data uplink":  append([]byte{0x40}, payload...),
		"join request": append([]byte{0x00}, payload...),
		"empty":        nil,
	} {
		if _, ok := Parse(f); ok {
			t.Errorf("%s parsed as a beacon", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Frame(make([]byte, PayloadSize)))
	f.Add([]byte{0xE0})
	f.Fuzz(func(t *testing.T, phy []byte) {
		if p, ok := Parse(phy); ok && !bytes.Equal(Frame(p), phy) {
			t.Fatalf("Parse/Frame do not round-trip: %x", phy)
		}
	})
}
