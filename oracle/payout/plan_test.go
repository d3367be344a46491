package payout

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/gagliardetto/solana-go"
	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// address is a deterministic hexnet address for tests.
func address(t testing.TB, label string, i int) identity.Address {
	t.Helper()
	seed := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", label, i)))
	key, err := identity.FromSeed(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return key.Address()
}

func TestPayoutsAggregatePerOwner(t *testing.T) {
	mint := probeKey(99)
	a, b := address(t, "owner", 1), address(t, "owner", 2)
	h := func(i int) identity.Address { return address(t, "hotspot", i) }
	entries := []oracle.ManifestEntry{
		{Hotspot: h(1), Owner: b, Total: 5},
		{Hotspot: h(2), Owner: a, Total: 7},
		{Hotspot: h(3), Owner: b, Total: 11},
		{Hotspot: h(4), Owner: a, Total: 0}, // earns nothing: not paid, not covered
	}
	got, err := Payouts(entries, mint)
	if err != nil {
		t.Fatal(err)
	}
	pa, _ := PublicKey(a)
	pb, _ := PublicKey(b)
	ataA, _ := ATA(pa, mint)
	ataB, _ := ATA(pb, mint)
	want := []Payout{
		{Owner: pa, ATA: ataA, Amount: 7, Hotspots: []identity.Address{h(2)}, Create: true},
		{Owner: pb, ATA: ataB, Amount: 16, Hotspots: []identity.Address{h(1), h(3)}, Create: true},
	}
	if string(pa[:]) > string(pb[:]) {
		want[0], want[1] = want[1], want[0]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("payouts (-want +got):\n%s", diff)
	}
}

func TestPayoutsRefuseBadManifests(t *testing.T) {
	owner := address(t, "owner", 1)
	for name, entries := range map[string][]oracle.ManifestEntry{
		"bad owner": {{Hotspot: address(t, "hotspot", 1), Owner: "nope", Total: 1}},
		"overflow": {
			{Hotspot: address(t, "hotspot", 1), Owner: owner, Total: math.MaxUint64},
			{Hotspot: address(t, "hotspot", 2), Owner: owner, Total: 1},
		},
	} {
		if _, err := Payouts(entries, probeKey(9)); !errors.Is(err, ErrManifest) {
			t.Errorf("%s: err = %v, want ErrManifest", name, err)
		}
	}
}

// syntheticPayouts makes n payouts; create(i) says whether the i-th
// needs its token account created.
func syntheticPayouts(t testing.TB, mint solana.PublicKey, n int, create func(int) bool) []Payout {
	out := make([]Payout, n)
	for i := range out {
		owner := probeKey(1000 + i)
		ata, err := ATA(owner, mint)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = Payout{Owner: owner, ATA: ata, Amount: uint64(i+1) * 1_000_003, Create: create(i)}
	}
	return out
}

// TestPackNeverExceedsTheLimit packs owner counts with and without account
// creation, signs every batch as Pay would, and checks each fits, each
// but the last is full (the next payout would not fit), and all payouts
// are packed once, in order.
func TestPackNeverExceedsTheLimit(t *testing.T) {
	key, _ := identity.FromSeed(make([]byte, 32))
	priv := PrivateKey(key)
	mint, _ := MintAddress(priv.PublicKey())
	p := Packer{Authority: priv.PublicKey(), Mint: mint}
	memo := Memo{Epoch: 4242, Root: make([]byte, 32)}
	modes := map[string]func(int) bool{
		"exist":  func(int) bool { return false },
		"create": func(int) bool { return true },
		"mixed":  func(i int) bool { return i%3 == 0 },
	}
	for mode, create := range modes {
		for _, n := range []int{1, 8, 9, 10, 18, 19, 20, 21, 57, 1000} {
			t.Run(fmt.Sprintf("%s/%d", mode, n), func(t *testing.T) {
				payouts := syntheticPayouts(t, mint, n, create)
				batches, err := p.Pack(memo, payouts)
				if err != nil {
					t.Fatal(err)
				}
				checkBatches(t, p, priv, memo, payouts, batches)
			})
		}
	}
}

func checkBatches(t *testing.T, p Packer, priv solana.PrivateKey, memo Memo, payouts []Payout, batches []Batch) {
	t.Helper()
	var packed []Payout
	for i, b := range batches {
		m := memo
		m.Index, m.Count = i, len(batches)
		if size := signedSize(t, p, priv, m, b); size > MaxTxSize {
			t.Errorf("batch %d: %d payouts make %d bytes, over %d", i, len(b.Payouts), size, MaxTxSize)
		}
		packed = append(packed, b.Payouts...)
		if i+1 < len(batches) {
			full := Batch{Payouts: append(append([]Payout(nil), b.Payouts...), batches[i+1].Payouts[0])}
			if size := signedSize(t, p, priv, m, full); size <= MaxTxSize {
				t.Errorf("batch %d is not full: one more payout would make %d bytes", i, size)
			}
		}
	}
	if diff := cmp.Diff(payouts, packed); diff != "" {
		t.Errorf("packed payouts differ (-want +got):\n%s", diff)
	}
}

func signedSize(t *testing.T, p Packer, priv solana.PrivateKey, m Memo, b Batch) int {
	t.Helper()
	tx, err := p.Build(m, b, solana.Hash(sha256.Sum256([]byte("blockhash"))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Sign(func(solana.PublicKey) *solana.PrivateKey { return &priv }); err != nil {
		t.Fatal(err)
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return len(raw)
}

// TestPerTxLimit pins the packing limit that DESIGN.md and the
// solana_rewards_per_tx benchmark quote, computed by packing.
func TestPerTxLimit(t *testing.T) {
	exist, create := PerTxLimit(true), PerTxLimit(false)
	t.Logf("max MintTo per transaction: %d when accounts exist, %d with account creation", exist, create)
	if exist != 19 || create != 9 {
		t.Errorf("PerTxLimit = %d (exist), %d (create); want 19 and 9", exist, create)
	}
}

func TestPackRefusesAPayoutThatCannotFit(t *testing.T) {
	p := Packer{Authority: probeKey(1), Mint: probeKey(2)}
	memo := Memo{Epoch: 1, Root: make([]byte, 1100)} // a memo that leaves no room
	_, err := p.Pack(memo, syntheticPayouts(t, p.Mint, 1, func(int) bool { return true }))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
}
