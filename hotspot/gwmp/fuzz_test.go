package gwmp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzDecode checks that Decode never panics on any datagram, and that
// whatever it accepts re-encodes to a datagram that decodes to the same
// packet.
func FuzzDecode(f *testing.F) {
	for _, tc := range decodeCases() {
		if len(tc.in) <= 4096 {
			f.Add(tc.in)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(b)
		if err != nil {
			return
		}
		for _, r := range rxpks(p) {
			_, _ = r.Payload()
		}
		raw, err := Encode(p)
		if err != nil {
			t.Fatalf("Encode of a decoded packet: %v", err)
		}
		again, err := Decode(raw)
		if err != nil {
			t.Fatalf("Decode(Encode(p)): %v\n%s", err, raw)
		}
		if diff := cmp.Diff(p, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip mismatch (-first +second):\n%s", diff)
		}
	})
}

func rxpks(p *Packet) []RXPK {
	if p.Push == nil {
		return nil
	}
	return p.Push.RXPK
}
