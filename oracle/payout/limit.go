package payout

import (
	"crypto/sha256"
	"encoding/binary"
	"math"

	"github.com/gagliardetto/solana-go"
)

// limitProbe is how many payouts PerTxLimit packs: more than fit in one
// transaction.
const limitProbe = 64

// limitEpoch is the largest 10-digit epoch number.
const limitEpoch = 9_999_999_999

// PerTxLimit is how many payouts fit in one reward transaction, found by
// packing synthetic payouts, not assumed: with ataExists each payout is a
// MintTo; without, each also creates the owner's token account. The memo
// is measured for a 10-digit epoch (epochs below 10^10: 19,000 years of
// one-minute epochs) and a 32-byte root; Pay measures every real
// transaction itself.
func PerTxLimit(ataExists bool) int {
	authority := probeKey(0)
	mint, err := MintAddress(authority)
	if err != nil {
		return 0
	}
	payouts := make([]Payout, limitProbe)
	for i := range payouts {
		owner := probeKey(i + 1)
		ata, err := ATA(owner, mint)
		if err != nil {
			return 0
		}
		payouts[i] = Payout{Owner: owner, ATA: ata, Amount: math.MaxUint64, Create: !ataExists}
	}
	memo := Memo{Epoch: limitEpoch, Root: make([]byte, sha256.Size)}
	batches, err := Packer{Authority: authority, Mint: mint}.Pack(memo, payouts)
	if err != nil || len(batches) == 0 {
		return 0
	}
	return len(batches[0].Payouts)
}

// probeKey is a deterministic public key for synthetic payouts.
func probeKey(i int) solana.PublicKey {
	var seed [8]byte
	binary.BigEndian.PutUint64(seed[:], uint64(i))
	sum := sha256.Sum256(seed[:])
	return solana.PublicKeyFromBytes(sum[:])
}
