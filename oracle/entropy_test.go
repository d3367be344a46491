package oracle

import (
	"bytes"
	"testing"
)

func TestRevealVerifies(t *testing.T) {
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	mix := []byte("blockhash")
	r := Round{Number: 3, Commitment: Commitment(secret), Secret: secret, PublicMix: mix, Entropy: Entropy(secret, mix)}
	if err := VerifyReveal(r); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]func(r *Round){
		"other secret":  func(r *Round) { r.Secret = bytes.Repeat([]byte{1}, 32) },
		"other mix":     func(r *Round) { r.PublicMix = []byte("grinded") },
		"other entropy": func(r *Round) { r.Entropy = Entropy(r.Secret, nil) },
	} {
		c := r
		bad(&c)
		if VerifyReveal(c) == nil {
			t.Errorf("%s: reveal verified", name)
		}
	}
}

// TestSelectionRate: over many hotspots the share selected is the chance.
func TestSelectionRate(t *testing.T) {
	entropy := Entropy([]byte("s"), nil)
	n, picked := 20000, 0
	for i := 0; i < n; i++ {
		if Selected(entropy, []byte{byte(i), byte(i >> 8), 7}, 250_000) {
			picked++
		}
	}
	if share := float64(picked) / float64(n); share < 0.23 || share > 0.27 {
		t.Errorf("selected %.3f of hotspots, want about 0.25", share)
	}
	if Selected(entropy, []byte{1}, 0) || !Selected(entropy, []byte{1}, 1_000_000) {
		t.Error("chance 0 must select none and 1,000,000 ppm all")
	}
}
