package payout

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/gagliardetto/solana-go"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// MaxTxSize is the largest serialized transaction a Solana validator
// accepts (IPv6 MTU minus headers).
const MaxTxSize = 1232

// Errors of planning.
var (
	ErrManifest = errors.New("payout: bad manifest")
	ErrTooLarge = errors.New("payout: transaction over 1232 bytes")
)

// Payout is one owner's reward in an epoch: the sum over their hotspots,
// minted into their associated token account.
type Payout struct {
	Owner    solana.PublicKey
	ATA      solana.PublicKey
	Amount   uint64
	Hotspots []identity.Address // the manifest entries this payout covers, in manifest order
	Create   bool               // the token account does not exist yet: create it (idempotently) first
}

// Batch is the payouts of one transaction.
type Batch struct {
	Payouts []Payout
}

// Hotspots lists the hotspots the batch pays, for RewardTx.Entries.
func (b Batch) Hotspots() []identity.Address {
	var out []identity.Address
	for _, p := range b.Payouts {
		out = append(out, p.Hotspots...)
	}
	return out
}

// Payouts aggregates manifest entries per owner, sorted by the owner's
// public key bytes; entries with a zero total are skipped. Every payout
// has Create set: the caller clears it for accounts that exist.
func Payouts(entries []oracle.ManifestEntry, mint solana.PublicKey) ([]Payout, error) {
	byOwner := map[solana.PublicKey]*Payout{}
	for _, e := range entries {
		if e.Total == 0 {
			continue
		}
		p, err := payoutOf(byOwner, e.Owner, mint)
		if err != nil {
			return nil, err
		}
		if p.Amount > math.MaxUint64-e.Total {
			return nil, fmt.Errorf("%w: owner %s: amounts overflow uint64", ErrManifest, e.Owner)
		}
		p.Amount += e.Total
		p.Hotspots = append(p.Hotspots, e.Hotspot)
	}
	out := make([]Payout, 0, len(byOwner))
	for _, p := range byOwner {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].Owner[:], out[j].Owner[:]) < 0 })
	return out, nil
}

func payoutOf(byOwner map[solana.PublicKey]*Payout, owner identity.Address, mint solana.PublicKey) (*Payout, error) {
	key, err := PublicKey(owner)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrManifest, err)
	}
	if p, ok := byOwner[key]; ok {
		return p, nil
	}
	ata, err := ATA(key, mint)
	if err != nil {
		return nil, err
	}
	p := &Payout{Owner: key, ATA: ata, Create: true}
	byOwner[key] = p
	return p, nil
}

// Memo is what a reward transaction's memo says.
type Memo struct {
	Epoch uint64
	Root  []byte
	Index int // the transaction's position in the epoch's batch
	Count int // how many transactions the batch had when this one was planned
}

// String is the memo text: "hexnet epoch <N> root <hex> tx <i>/<n>".
func (m Memo) String() string {
	return fmt.Sprintf("hexnet epoch %d root %x tx %d/%d", m.Epoch, m.Root, m.Index, m.Count)
}

// Packer builds reward transactions and packs payouts into as few of them
// as fit in MaxTxSize.
type Packer struct {
	Authority solana.PublicKey // fee payer and mint authority
	Mint      solana.PublicKey
}

// Build assembles the unsigned transaction of one batch: the memo, then
// for each payout an idempotent account creation when needed and a MintTo.
func (p Packer) Build(memo Memo, b Batch, blockhash solana.Hash) (*solana.Transaction, error) {
	insts := []solana.Instruction{MemoInstruction(memo.String())}
	for _, po := range b.Payouts {
		if po.Create {
			insts = append(insts, CreateATAIdempotent(p.Authority, po.ATA, po.Owner, p.Mint))
		}
		mint, err := MintToInstruction(po.Amount, p.Mint, po.ATA, p.Authority)
		if err != nil {
			return nil, err
		}
		insts = append(insts, mint)
	}
	tx, err := solana.NewTransaction(insts, blockhash, solana.TransactionPayer(p.Authority))
	if err != nil {
		return nil, fmt.Errorf("build reward transaction: %w", err)
	}
	return tx, nil
}

// Size is the serialized size of the batch's transaction once signed.
func (p Packer) Size(memo Memo, b Batch) (int, error) {
	tx, err := p.Build(memo, b, solana.Hash{})
	if err != nil {
		return 0, err
	}
	tx.Signatures = make([]solana.Signature, tx.Message.Header.NumRequiredSignatures)
	raw, err := tx.MarshalBinary()
	if err != nil {
		return 0, fmt.Errorf("serialize reward transaction: %w", err)
	}
	return len(raw), nil
}

// Pack splits payouts, in order, into batches that each fit MaxTxSize,
// measuring the serialized transaction as each payout is added. memo is
// the first batch's memo; Index and Count are set per batch by the caller.
// Sizes are measured with Count at its upper bound (one transaction per
// payout), so the real memos, never longer, fit too.
func (p Packer) Pack(memo Memo, payouts []Payout) ([]Batch, error) {
	probe := memo
	probe.Count = memo.Index + len(payouts)
	var batches []Batch
	var cur Batch
	for _, po := range payouts {
		probe.Index = memo.Index + len(batches)
		next, fits, err := p.add(probe, cur, po)
		if err != nil {
			return nil, err
		}
		if !fits && len(cur.Payouts) > 0 {
			batches = append(batches, cur)
			probe.Index++
			next, fits, err = p.add(probe, Batch{}, po)
			if err != nil {
				return nil, err
			}
		}
		if !fits {
			return nil, fmt.Errorf("%w: a single payout to %s does not fit", ErrTooLarge, po.Owner)
		}
		cur = next
	}
	if len(cur.Payouts) > 0 {
		batches = append(batches, cur)
	}
	return batches, nil
}

// add returns b with po appended and whether that still fits; b is not
// modified.
func (p Packer) add(memo Memo, b Batch, po Payout) (Batch, bool, error) {
	next := Batch{Payouts: append(b.Payouts[:len(b.Payouts):len(b.Payouts)], po)}
	n, err := p.Size(memo, next)
	return next, n <= MaxTxSize, err
}
