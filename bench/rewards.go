package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/rpc"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/manifest"
	"github.com/hexnet/hexnet/oracle/payout"
	"github.com/hexnet/hexnet/solana/localnet"
)

const figRewardsCreate = figRewards + "_create"

// rewardsPerTx pays two epochs to cfg.owners owners (one hotspot each) on
// the local Solana runtime: the first creates every owner's token account,
// the second finds them. Each figure is the mean number of MintTo per
// confirmed reward transaction, next to payout.PerTxLimit.
func rewardsPerTx(ctx context.Context, cfg *config, out io.Writer) error {
	ln, err := localnet.Start(ctx, localnet.Options{})
	if errors.Is(err, localnet.ErrNodeNotFound) || errors.Is(err, localnet.ErrNPMNotFound) {
		progress("%s skipped: %v", figRewards, err)
		return nil
	}
	if err != nil {
		return err
	}
	defer ln.Close()
	st, closeStore, err := openBenchStore(ctx, "")
	if err != nil {
		return err
	}
	defer closeStore()
	p, err := newPayer(ctx, rpc.New(ln.URL()), st)
	if err != nil {
		return err
	}
	owners := payees(cfg.owners)
	for _, f := range []struct {
		name   string
		epoch  uint64
		exists bool
	}{{figRewardsCreate, 1, false}, {figRewards, 2, true}} {
		mean, txs, most, err := p.pay(ctx, f.epoch, owners)
		if err != nil {
			return fmt.Errorf("pay epoch %d: %w", f.epoch, err)
		}
		limit := payout.PerTxLimit(f.exists)
		progress("%s: %d owners paid in %d confirmed transactions, at most %d MintTo in one (token accounts existed: %v)",
			f.name, len(owners), txs, most, f.exists)
		fmt.Fprintln(out, line(f.name, "rewards/tx", "%.2f", mean, float64(limit)))
	}
	return nil
}

// payer pays epochs from a funded oracle key with its reward mint.
type payer struct {
	st oracle.Store
	w  *payout.Writer
}

func newPayer(ctx context.Context, c *rpc.Client, st oracle.Store) (*payer, error) {
	key := seededKey("rewards/oracle", 0)
	if err := fund(ctx, c, key); err != nil {
		return nil, err
	}
	mint, err := payout.EnsureMint(ctx, c, key, 6)
	if err != nil {
		return nil, err
	}
	return &payer{st: st, w: &payout.Writer{RPC: c, Store: st, Key: key, Mint: mint,
		Logger: slog.New(slog.DiscardHandler), Poll: 20 * time.Millisecond, Resend: time.Second}}, nil
}

// fund airdrops 1,000 SOL to key and waits until it shows.
func fund(ctx context.Context, c *rpc.Client, key *identity.Key) error {
	pub := payout.PrivateKey(key).PublicKey()
	if _, err := c.RequestAirdrop(ctx, pub, 1000*solana.LAMPORTS_PER_SOL, rpc.CommitmentConfirmed); err != nil {
		return fmt.Errorf("airdrop: %w", err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if bal, err := c.GetBalance(ctx, pub, rpc.CommitmentConfirmed); err == nil && bal.Value > 0 {
			return nil
		}
	}
	return errors.New("airdrop did not arrive within 10 s")
}

// payee is one owner with one hotspot.
type payee struct {
	owner, hotspot identity.Address
}

func payees(n int) []payee {
	out := make([]payee, n)
	for i := range out {
		out[i] = payee{owner: seededKey("rewards/owner", i).Address(), hotspot: seededKey("rewards/hotspot", i).Address()}
	}
	return out
}

// pay closes epoch n with a manifest paying every payee, pays it, and
// returns the mean MintTo (distinct owners) per confirmed transaction, the
// number of transactions and the most MintTo in one.
func (p *payer) pay(ctx context.Context, n uint64, owners []payee) (mean float64, txs, most int, err error) {
	e, entries, err := p.closeEpoch(ctx, n, owners)
	if err != nil {
		return 0, 0, 0, err
	}
	if err := p.w.Pay(ctx, e, entries); err != nil {
		return 0, 0, 0, err
	}
	rows, err := p.st.RewardTxsOfEpoch(ctx, n)
	if err != nil {
		return 0, 0, 0, err
	}
	ownerOf := map[identity.Address]identity.Address{}
	for _, o := range owners {
		ownerOf[o.hotspot] = o.owner
	}
	mints := 0
	for _, r := range rows {
		if r.Status != oracle.TxConfirmed {
			return 0, 0, 0, fmt.Errorf("tx %d is %s: %s", r.Index, r.Status, r.Err)
		}
		paid := map[identity.Address]bool{}
		for _, h := range r.Entries {
			paid[ownerOf[h]] = true
		}
		mints += len(paid)
		most = max(most, len(paid))
	}
	if mints != len(owners) || len(rows) == 0 {
		return 0, 0, 0, fmt.Errorf("%d MintTo in %d transactions for %d owners", mints, len(rows), len(owners))
	}
	return float64(mints) / float64(len(rows)), len(rows), most, nil
}

// closeEpoch stores epoch n closed with its manifest and returns both as
// the store gives them back.
func (p *payer) closeEpoch(ctx context.Context, n uint64, owners []payee) (oracle.Epoch, []oracle.ManifestEntry, error) {
	entries := make([]oracle.ManifestEntry, len(owners))
	for i, o := range owners {
		amount := uint64(1_000_000 + 7919*i + 13*int(n))
		entries[i] = oracle.ManifestEntry{Hotspot: o.hotspot, Owner: o.owner, Beacon: amount, Total: amount}
	}
	entries = manifest.Sort(entries)
	root, err := manifest.Root(n, entries)
	if err != nil {
		return oracle.Epoch{}, nil, err
	}
	start := closeGenesis.Add(time.Duration(n) * time.Minute)
	e := oracle.Epoch{Number: n, Start: start, End: start.Add(time.Minute)}
	if err := p.st.OpenEpoch(ctx, e); err != nil {
		return oracle.Epoch{}, nil, err
	}
	e.Status, e.Root, e.ClosedAt = oracle.EpochClosed, root[:], e.End
	if err := p.st.CloseEpoch(ctx, e, entries, nil); err != nil {
		return oracle.Epoch{}, nil, err
	}
	if e, err = p.st.GetEpoch(ctx, n); err != nil {
		return oracle.Epoch{}, nil, err
	}
	stored, err := p.st.Manifest(ctx, n)
	return e, stored, err
}
