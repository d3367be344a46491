package keycache

import (
	"crypto/ed25519"
	"errors"
	"math/big"
	"testing"

	"github.com/hexnet/hexnet/identity"
)

// order is the order L of the ed25519 base point.
var order, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

// nonCanonical returns sig with S + L in place of S (little-endian), which
// crypto/ed25519 refuses.
func nonCanonical(sig []byte) []byte {
	le := func(b []byte) []byte {
		out := make([]byte, len(b))
		for i := range b {
			out[len(b)-1-i] = b[i]
		}
		return out
	}
	s := new(big.Int).SetBytes(le(sig[32:]))
	s.Add(s, order)
	out := append([]byte(nil), sig[:32]...)
	sb := le(s.FillBytes(make([]byte, 32)))
	return append(out, sb...)
}

func TestVerifyAgreesWithIdentity(t *testing.T) {
	k, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := identity.Generate()
	body := []byte("an uplink body")
	sig := k.Sign(identity.KindUplink, body)
	pub := ed25519.PublicKey(k.Public())
	flipped := append([]byte(nil), sig...)
	flipped[10] ^= 1
	notAPoint := make([]byte, 32)
	notAPoint[0], notAPoint[31] = 2, 0x7f // y = 2^255-... not on the curve for most values; checked below
	smallOrder := make([]byte, 32)        // the identity point's encoding: y = 1
	smallOrder[0] = 1
	tests := []struct {
		name string
		pub  []byte
		kind identity.Kind
		body []byte
		sig  []byte
	}{
		{"valid", pub, identity.KindUplink, body, sig},
		{"flipped signature bit", pub, identity.KindUplink, body, flipped},
		{"other body", pub, identity.KindUplink, []byte("another"), sig},
		{"other kind", pub, identity.KindWitness, body, sig},
		{"other signer", other.Public(), identity.KindUplink, body, sig},
		{"non-canonical S", pub, identity.KindUplink, body, nonCanonical(sig)},
		{"short signature", pub, identity.KindUplink, body, sig[:63]},
		{"short key", pub[:31], identity.KindUplink, body, sig},
		{"key not on the curve", notAPoint, identity.KindUplink, body, sig},
		{"small-order key", smallOrder, identity.KindUplink, body, sig},
	}
	c := New(0)
	for _, tc := range tests {
		for range 2 { // the second time from the cache
			want := identity.Verify(tc.pub, tc.kind, tc.body, tc.sig)
			got := c.Verify(tc.pub, tc.kind, tc.body, tc.sig)
			if !errors.Is(got, want) && got != want {
				t.Errorf("%s: keycache %v, identity.Verify %v", tc.name, got, want)
			}
		}
	}
	if err := c.Verify(pub, identity.KindUplink, body, sig); err != nil {
		t.Errorf("valid signature refused: %v", err)
	}
}

func TestCacheStartsAfreshWhenFull(t *testing.T) {
	c := New(2)
	body := []byte("x")
	for range 5 {
		k, _ := identity.Generate()
		if err := c.Verify(k.Public(), identity.KindUplink, body, k.Sign(identity.KindUplink, body)); err != nil {
			t.Fatal(err)
		}
		if len(c.keys) > 2 {
			t.Fatalf("cache holds %d keys, limit 2", len(c.keys))
		}
	}
}

// FuzzVerifyAgrees: on any key, body and signature, keycache decides as
// crypto/ed25519 does.
func FuzzVerifyAgrees(f *testing.F) {
	k, _ := identity.Generate()
	body := []byte("seed body")
	sig := k.Sign(identity.KindUplink, body)
	f.Add([]byte(k.Public()), body, sig)
	f.Add([]byte(k.Public()), body, nonCanonical(sig))
	f.Add(make([]byte, 32), []byte{}, make([]byte, 64))
	c := New(16)
	f.Fuzz(func(t *testing.T, pub, body, sig []byte) {
		want := identity.Verify(pub, identity.KindUplink, body, sig)
		got := c.Verify(pub, identity.KindUplink, body, sig)
		if (got == nil) != (want == nil) {
			t.Fatalf("keycache %v, identity.Verify %v (pub %x sig %x)", got, want, pub, sig)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	k, _ := identity.Generate()
	body := make([]byte, 120)
	sig := k.Sign(identity.KindUplink, body)
	b.Run("crypto-ed25519", func(b *testing.B) {
		for b.Loop() {
			if identity.Verify(k.Public(), identity.KindUplink, body, sig) != nil {
				b.Fatal("refused")
			}
		}
	})
	c := New(0)
	b.Run("keycache", func(b *testing.B) {
		for b.Loop() {
			if c.Verify(k.Public(), identity.KindUplink, body, sig) != nil {
				b.Fatal("refused")
			}
		}
	})
}
