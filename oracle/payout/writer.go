// Package payout pays an epoch's reward manifest on Solana: SPL Token
// MintTo of the reward mint into each owner's associated token account
// (created idempotently), packed into as few transactions as fit in 1,232
// bytes, each carrying a Memo with the epoch number and the manifest's
// Merkle root.
//
// Payment is exactly once. Every signed transaction is recorded
// (oracle.RewardTxs) before it is sent. A recorded transaction is only
// ever re-signed after the cluster's finalized block height has passed its
// lastValidBlockHeight while the signature has no status, searching the
// ledger history: from then on the old transaction can never land. Until
// then the same signed bytes are resent, which at most lands once.
// AlreadyProcessed means "look up the status"; BlockhashNotFound never
// means "did not land".
package payout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gagliardetto/solana-go"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/manifest"
)

// Writer pays epochs. One writer at a time may pay a given epoch.
type Writer struct {
	RPC     RPC
	Store   oracle.RewardTxs
	Key     *identity.Key    // the oracle key: fee payer and mint authority
	Mint    solana.PublicKey // the reward mint (see EnsureMint)
	Clock   clock.Clock      // default clock.Real
	Logger  *slog.Logger     // default slog.Default()
	Poll    time.Duration    // between status lookups; default 400ms
	Backoff Backoff          // retries of failed RPC calls

	Resend      time.Duration // resend interval of a sent, not yet landed transaction; default 2s
	Window      int           // transactions signed and in flight at once; default 64
	CallTimeout time.Duration // per RPC call; default 15s

	// crash, when set (tests only), is called at each step of a
	// transaction's life; an error stops Pay there, as a crash would.
	crash func(step string) error
}

// The steps a transaction goes through, where tests crash the writer.
const (
	stepBeforeSend    = "before-send"    // recorded as signed, not sent
	stepAfterSend     = "after-send"     // accepted by the node, still recorded as signed
	stepBeforeConfirm = "before-confirm" // recorded as sent, not seen landed
	stepBeforeRecord  = "before-record"  // seen landed, not recorded
)

// Defaults of the Writer's pacing.
const (
	pollDefault   = 400 * time.Millisecond // about a slot
	resendDefault = 2 * time.Second
)

// ErrEpoch reports an epoch that cannot be paid as given.
var ErrEpoch = errors.New("payout: epoch cannot be paid")

// Pay mints every owner's reward for a closed epoch, resuming from the
// transactions recorded for it. entries is the epoch's manifest in any
// order (stores list it by address string); Pay puts it back in manifest
// order (hotspot public key bytes) and checks it against epoch.Root. It
// returns nil once every transaction of the epoch is confirmed: the caller
// then marks the epoch paid. Any error leaves a state that a later Pay
// resumes from without paying twice.
func (w *Writer) Pay(ctx context.Context, epoch oracle.Epoch, entries []oracle.ManifestEntry) error {
	entries = canonical(entries)
	if err := checkEpoch(epoch, entries); err != nil {
		return err
	}
	if err := w.check(); err != nil {
		return err
	}
	s := w.session(epoch)
	rows, err := w.Store.RewardTxsOfEpoch(ctx, epoch.Number)
	if err != nil {
		return fmt.Errorf("load reward transactions of epoch %d: %w", epoch.Number, err)
	}
	if err := s.settle(ctx, rows); err != nil {
		return err
	}
	plan, err := s.plan(ctx, entries, rows)
	if err != nil {
		return err
	}
	if err := s.run(ctx, plan); err != nil {
		return err
	}
	s.log.Info("epoch paid", "txs", len(rows)+len(plan.batches), "new_txs", len(plan.batches))
	return nil
}

// Done reports whether the epoch is fully paid: every recorded
// transaction confirmed and every rewarded hotspot covered by one.
func (w *Writer) Done(ctx context.Context, epoch uint64, entries []oracle.ManifestEntry) (bool, error) {
	rows, err := w.Store.RewardTxsOfEpoch(ctx, epoch)
	if err != nil {
		return false, fmt.Errorf("load reward transactions of epoch %d: %w", epoch, err)
	}
	for _, r := range rows {
		if r.Status != oracle.TxConfirmed {
			return false, nil
		}
	}
	covered := coveredHotspots(rows)
	for _, e := range entries {
		if e.Total > 0 && !covered[e.Hotspot] {
			return false, nil
		}
	}
	return true, nil
}

// checkEpoch refuses open epochs and manifests that do not hash to the
// epoch's root: what goes on chain must be what was closed.
func checkEpoch(epoch oracle.Epoch, entries []oracle.ManifestEntry) error {
	if epoch.Status == oracle.EpochOpen {
		return fmt.Errorf("%w: epoch %d is still open", ErrEpoch, epoch.Number)
	}
	root, err := manifest.Root(epoch.Number, entries)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrManifest, err)
	}
	if !bytes.Equal(root[:], epoch.Root) {
		return fmt.Errorf("%w: manifest root %x is not epoch %d's root %x", ErrEpoch, root, epoch.Number, epoch.Root)
	}
	return nil
}

// check names the first required field that is missing.
func (w *Writer) check() error {
	switch {
	case w.RPC == nil:
		return errors.New("payout: Writer.RPC is nil; give it a Solana JSON-RPC client")
	case w.Store == nil:
		return errors.New("payout: Writer.Store is nil; give it the oracle store")
	case w.Key == nil:
		return errors.New("payout: Writer.Key is nil; give it the oracle key (mint authority and fee payer)")
	case w.Mint.IsZero():
		return errors.New("payout: Writer.Mint is not set; use EnsureMint")
	}
	return nil
}

// canonical returns the entries in manifest order, sorted by hotspot
// public key bytes (unparseable addresses last; checkEpoch refuses them).
func canonical(entries []oracle.ManifestEntry) []oracle.ManifestEntry {
	out := slices.Clone(entries)
	key := func(a identity.Address) string {
		pub, err := a.PublicKey()
		if err != nil {
			return "\xff" + string(a)
		}
		return string(pub)
	}
	slices.SortStableFunc(out, func(a, b oracle.ManifestEntry) int { return strings.Compare(key(a.Hotspot), key(b.Hotspot)) })
	return out
}

func coveredHotspots(rows []oracle.RewardTx) map[identity.Address]bool {
	covered := map[identity.Address]bool{}
	for _, r := range rows {
		for _, h := range r.Entries {
			covered[h] = true
		}
	}
	return covered
}

// session is the state of one Pay call.
type session struct {
	w        *Writer
	epoch    oracle.Epoch
	chain    chain
	packer   Packer
	priv     solana.PrivateKey
	clock    clock.Clock
	log      *slog.Logger
	lastSent map[int]time.Time // by tx index; empty after a restart, so everything is resent once
	failed   []error
}

func (w *Writer) session(epoch oracle.Epoch) *session {
	clk := w.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	log := w.Logger
	if log == nil {
		log = slog.Default().With("component", "payout")
	}
	log = log.With("epoch", epoch.Number)
	priv := PrivateKey(w.Key)
	s := &session{w: w, epoch: epoch, priv: priv, clock: clk, log: log, lastSent: map[int]time.Time{}}
	s.packer = Packer{Authority: priv.PublicKey(), Mint: w.Mint}
	s.chain = chain{rpc: w.RPC, caller: caller{clock: clk, backoff: w.Backoff, timeout: durationOr(w.CallTimeout, 15*time.Second)}}
	s.chain.retried = func(op string, err error) { log.Warn("rpc call failed; retrying", "op", op, "err", err) }
	return s
}

func durationOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func (s *session) hook(step string) error {
	if s.w.crash == nil {
		return nil
	}
	return s.w.crash(step)
}

func (s *session) save(ctx context.Context, row oracle.RewardTx) error {
	row.UpdatedAt = s.clock.Now()
	if err := s.w.Store.SaveRewardTx(ctx, row); err != nil {
		return fmt.Errorf("record epoch %d tx %d as %s: %w", row.Epoch, row.Index, row.Status, err)
	}
	return nil
}
