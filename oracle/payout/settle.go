package payout

import (
	"context"
	"errors"
	"fmt"

	"github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/rpc"

	"github.com/hexnet/hexnet/oracle"
)

// plan is the transactions still to sign for an epoch.
type plan struct {
	first   int // index of the first new transaction
	count   int // recorded plus new transactions
	batches []Batch
}

// plan packs the payouts of every rewarded hotspot that no recorded
// transaction covers yet. After a crash, only those are planned again, so
// a recorded transaction's hotspots are never put into a second one.
func (s *session) plan(ctx context.Context, entries []oracle.ManifestEntry, rows []oracle.RewardTx) (plan, error) {
	covered := coveredHotspots(rows)
	var todo []oracle.ManifestEntry
	for _, e := range entries {
		if !covered[e.Hotspot] {
			todo = append(todo, e)
		}
	}
	payouts, err := Payouts(todo, s.w.Mint)
	if err != nil {
		return plan{}, err
	}
	if err := s.markCreations(ctx, payouts); err != nil {
		return plan{}, err
	}
	p := plan{first: nextIndex(rows)}
	p.batches, err = s.packer.Pack(s.memo(p.first, 0), payouts)
	p.count = p.first + len(p.batches)
	return p, err
}

// markCreations looks up each owner's token account once and keeps the
// creation only for those that do not exist yet.
func (s *session) markCreations(ctx context.Context, payouts []Payout) error {
	for i := range payouts {
		exists, err := s.chain.tokenAccountExists(ctx, payouts[i].ATA)
		if err != nil {
			return err
		}
		payouts[i].Create = !exists
	}
	return nil
}

func nextIndex(rows []oracle.RewardTx) int {
	next := 0
	for _, r := range rows {
		next = max(next, r.Index+1)
	}
	return next
}

func (s *session) memo(index, count int) Memo {
	return Memo{Epoch: s.epoch.Number, Root: s.epoch.Root, Index: index, Count: count}
}

// run signs, records and settles the planned batches, Window at a time.
func (s *session) run(ctx context.Context, p plan) error {
	window := s.w.Window
	if window <= 0 {
		window = 64
	}
	for start := 0; start < len(p.batches); start += window {
		end := min(start+window, len(p.batches))
		rows, err := s.signAll(ctx, p, start, end)
		if err != nil {
			return err
		}
		if err := s.settle(ctx, rows); err != nil {
			return err
		}
	}
	return nil
}

// signAll signs batches [start, end) with one fresh blockhash and records
// each before anything is sent.
func (s *session) signAll(ctx context.Context, p plan, start, end int) ([]oracle.RewardTx, error) {
	blockhash, lastValid, err := s.chain.latestBlockhash(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]oracle.RewardTx, 0, end-start)
	for i := start; i < end; i++ {
		row, err := s.signNew(p.first+i, p.count, p.batches[i], blockhash, lastValid)
		if err != nil {
			return nil, err
		}
		if err := s.save(ctx, row); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (s *session) signNew(index, count int, b Batch, blockhash solana.Hash, lastValid uint64) (oracle.RewardTx, error) {
	tx, err := s.packer.Build(s.memo(index, count), b, blockhash)
	if err != nil {
		return oracle.RewardTx{}, err
	}
	row := oracle.RewardTx{Epoch: s.epoch.Number, Index: index, Entries: b.Hotspots()}
	return row, s.sign(&row, tx, lastValid)
}

// sign signs tx into row, which becomes a fresh signed attempt.
func (s *session) sign(row *oracle.RewardTx, tx *solana.Transaction, lastValid uint64) error {
	tx.Signatures = nil
	if _, err := tx.Sign(s.key); err != nil {
		return fmt.Errorf("sign epoch %d tx %d: %w", row.Epoch, row.Index, err)
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return fmt.Errorf("serialize epoch %d tx %d: %w", row.Epoch, row.Index, err)
	}
	if len(raw) > MaxTxSize {
		return fmt.Errorf("%w: epoch %d tx %d has %d bytes", ErrTooLarge, row.Epoch, row.Index, len(raw))
	}
	row.Signature, row.Raw, row.LastValidBlockHeight = tx.Signatures[0].String(), raw, lastValid
	row.Status, row.Err = oracle.TxSigned, ""
	return nil
}

func (s *session) key(pub solana.PublicKey) *solana.PrivateKey {
	if pub.Equals(s.priv.PublicKey()) {
		return &s.priv
	}
	return nil
}

// settle drives rows until each is confirmed or failed; it returns
// ErrTxFailed if any failed, after settling the others.
func (s *session) settle(ctx context.Context, rows []oracle.RewardTx) error {
	pending := s.unsettled(rows)
	for len(pending) > 0 {
		next, err := s.round(ctx, pending)
		if err != nil {
			return err
		}
		if pending = next; len(pending) == 0 {
			break
		}
		if err := sleep(ctx, s.clock, durationOr(s.w.Poll, pollDefault)); err != nil {
			return err
		}
	}
	if len(s.failed) > 0 {
		return fmt.Errorf("%w: %w", ErrTxFailed, errors.Join(s.failed...))
	}
	return nil
}

func (s *session) unsettled(rows []oracle.RewardTx) []oracle.RewardTx {
	var out []oracle.RewardTx
	for _, r := range rows {
		switch r.Status {
		case oracle.TxConfirmed:
		case oracle.TxFailed:
			s.failed = append(s.failed, fmt.Errorf("epoch %d tx %d (%s): %s", r.Epoch, r.Index, r.Signature, r.Err))
		default:
			out = append(out, r)
		}
	}
	return out
}

// round looks up every pending transaction once and moves each on. The
// block height is read before the statuses: a transaction without status
// after the height passed its last valid block height can never land.
func (s *session) round(ctx context.Context, pending []oracle.RewardTx) ([]oracle.RewardTx, error) {
	height, err := s.chain.finalizedHeight(ctx)
	if err != nil {
		return nil, err
	}
	sigs, err := signatures(pending)
	if err != nil {
		return nil, err
	}
	statuses, err := s.chain.statuses(ctx, sigs)
	if err != nil {
		return nil, err
	}
	var next []oracle.RewardTx
	for i, row := range pending {
		row, done, err := s.advance(ctx, row, statuses[i], height)
		if err != nil {
			return nil, err
		}
		if !done {
			next = append(next, row)
		}
	}
	return next, nil
}

func signatures(rows []oracle.RewardTx) ([]solana.Signature, error) {
	out := make([]solana.Signature, len(rows))
	for i, r := range rows {
		sig, err := solana.SignatureFromBase58(r.Signature)
		if err != nil {
			return nil, fmt.Errorf("epoch %d tx %d: recorded signature %q: %w", r.Epoch, r.Index, r.Signature, err)
		}
		out[i] = sig
	}
	return out, nil
}

// advance moves one transaction on given its status and the block height;
// done means confirmed or failed.
func (s *session) advance(ctx context.Context, row oracle.RewardTx, st *rpc.SignatureStatusesResult, height uint64) (oracle.RewardTx, bool, error) {
	switch {
	case st != nil && landed(st):
		return row, true, s.record(ctx, row, st)
	case st != nil:
		return row, false, nil // processed, not yet confirmed
	case height > row.LastValidBlockHeight:
		row, err := s.resign(ctx, row, height)
		return row, false, err
	default:
		row, err := s.sendDue(ctx, row)
		return row, false, err
	}
}

// record stores a landed transaction's outcome.
func (s *session) record(ctx context.Context, row oracle.RewardTx, st *rpc.SignatureStatusesResult) error {
	if err := s.hook(stepBeforeRecord); err != nil {
		return err
	}
	row.Status = oracle.TxConfirmed
	if st.Err != nil {
		row.Status, row.Err = oracle.TxFailed, fmt.Sprint(st.Err)
		s.failed = append(s.failed, fmt.Errorf("epoch %d tx %d (%s): %s", row.Epoch, row.Index, row.Signature, row.Err))
	}
	s.log.Debug("reward transaction landed", "tx", row.Index, "sig", row.Signature, "status", row.Status, "attempt", row.Attempt)
	return s.save(ctx, row)
}

// resign replaces a transaction proven expired: recorded as expired, then
// the same message with a fresh blockhash, signed, recorded, and sent.
func (s *session) resign(ctx context.Context, row oracle.RewardTx, height uint64) (oracle.RewardTx, error) {
	s.log.Info("reward transaction expired unlanded; re-signing", "tx", row.Index, "sig", row.Signature,
		"last_valid_block_height", row.LastValidBlockHeight, "finalized_height", height, "attempt", row.Attempt+1)
	row.Status = oracle.TxExpired
	if err := s.save(ctx, row); err != nil {
		return row, err
	}
	tx, err := solana.TransactionFromBytes(row.Raw)
	if err != nil {
		return row, fmt.Errorf("decode recorded epoch %d tx %d: %w", row.Epoch, row.Index, err)
	}
	blockhash, lastValid, err := s.chain.latestBlockhash(ctx)
	if err != nil {
		return row, err
	}
	tx.Message.RecentBlockhash = blockhash
	row.Attempt++
	if err := s.sign(&row, tx, lastValid); err != nil {
		return row, err
	}
	if err := s.save(ctx, row); err != nil {
		return row, err
	}
	delete(s.lastSent, row.Index) // a new transaction: send it now
	return s.sendDue(ctx, row)
}

// sendDue sends a transaction that was never sent in this session, or
// resends one whose last send is Resend ago: always the recorded bytes.
func (s *session) sendDue(ctx context.Context, row oracle.RewardTx) (oracle.RewardTx, error) {
	if last, ok := s.lastSent[row.Index]; ok && s.clock.Now().Sub(last) < durationOr(s.w.Resend, resendDefault) {
		return row, nil
	}
	if row.Status == oracle.TxSigned {
		if err := s.hook(stepBeforeSend); err != nil {
			return row, err
		}
	}
	outcome, err := s.chain.send(ctx, row.Raw)
	s.lastSent[row.Index] = s.clock.Now()
	switch outcome {
	case sendRejected:
		return row, fmt.Errorf("%w: epoch %d tx %d: %w", ErrRejected, row.Epoch, row.Index, err)
	case sendTransient:
		return row, fmt.Errorf("epoch %d tx %d: %w", row.Epoch, row.Index, err)
	case sendBlockhashGone:
		s.log.Debug("blockhash not found; waiting for status or expiry", "tx", row.Index, "sig", row.Signature)
		return row, nil
	}
	return s.markSent(ctx, row)
}

func (s *session) markSent(ctx context.Context, row oracle.RewardTx) (oracle.RewardTx, error) {
	if row.Status != oracle.TxSigned {
		return row, nil
	}
	if err := s.hook(stepAfterSend); err != nil {
		return row, err
	}
	row.Status = oracle.TxSent
	if err := s.save(ctx, row); err != nil {
		return row, err
	}
	return row, s.hook(stepBeforeConfirm)
}
