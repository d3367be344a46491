package payout

import (
	"context"
	"errors"
	"fmt"

	"github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/rpc"
)

// statusBatch is the most signatures getSignatureStatuses takes at once.
const statusBatch = 256

// tokenAccountSize is the size of an SPL token account.
const tokenAccountSize = 165

// chain is the writer's view of the cluster: RPC calls with retries.
type chain struct {
	rpc RPC
	caller
}

// latestBlockhash returns a fresh blockhash and the last block height at
// which a transaction using it can land.
func (c chain) latestBlockhash(ctx context.Context) (solana.Hash, uint64, error) {
	var out *rpc.GetLatestBlockhashResult
	err := c.do(ctx, "get latest blockhash", func(ctx context.Context) (err error) {
		out, err = c.rpc.GetLatestBlockhash(ctx, rpc.CommitmentConfirmed)
		return err
	})
	if err != nil {
		return solana.Hash{}, 0, err
	}
	if out == nil || out.Value == nil {
		return solana.Hash{}, 0, errors.New("get latest blockhash: empty answer")
	}
	return out.Value.Blockhash, out.Value.LastValidBlockHeight, nil
}

// finalizedHeight is the block height at finalized commitment. Once it
// is past a transaction's lastValidBlockHeight, no fork that can still win
// can include the transaction: if it has no status then, it never will.
func (c chain) finalizedHeight(ctx context.Context) (uint64, error) {
	var h uint64
	err := c.do(ctx, "get block height", func(ctx context.Context) (err error) {
		h, err = c.rpc.GetBlockHeight(ctx, rpc.CommitmentFinalized)
		return err
	})
	return h, err
}

// statuses looks up signatures, searching the ledger history too; an
// entry is nil when the cluster has never seen that signature land.
func (c chain) statuses(ctx context.Context, sigs []solana.Signature) ([]*rpc.SignatureStatusesResult, error) {
	out := make([]*rpc.SignatureStatusesResult, 0, len(sigs))
	for start := 0; start < len(sigs); start += statusBatch {
		part, err := c.statusBatch(ctx, sigs[start:min(start+statusBatch, len(sigs))])
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

func (c chain) statusBatch(ctx context.Context, sigs []solana.Signature) ([]*rpc.SignatureStatusesResult, error) {
	var res *rpc.GetSignatureStatusesResult
	err := c.do(ctx, "get signature statuses", func(ctx context.Context) (err error) {
		res, err = c.rpc.GetSignatureStatuses(ctx, true, sigs...)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(res.Value) != len(sigs) {
		return nil, fmt.Errorf("get signature statuses: %d answers for %d signatures", len(res.Value), len(sigs))
	}
	return res.Value, nil
}

// send hands the signed bytes to the node with preflight on. Transient
// failures are retried with the same bytes, which is safe: a transaction
// lands at most once whatever the number of copies.
func (c chain) send(ctx context.Context, raw []byte) (sendOutcome, error) {
	err := c.do(ctx, "send transaction", func(ctx context.Context) error {
		_, err := c.rpc.SendRawTransactionWithOpts(ctx, raw, rpc.TransactionOpts{
			SkipPreflight:       false,
			PreflightCommitment: rpc.CommitmentProcessed,
		})
		return err
	})
	return classifySend(err), err
}

// account fetches an account; found is false when it does not exist.
func (c chain) account(ctx context.Context, addr solana.PublicKey) (acct *rpc.Account, found bool, err error) {
	err = c.do(ctx, "get account "+addr.String(), func(ctx context.Context) error {
		res, err := c.rpc.GetAccountInfo(ctx, addr)
		if errors.Is(err, rpc.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		acct, found = res.Value, res.Value != nil
		return nil
	})
	return acct, found, err
}

// tokenAccountExists reports whether addr holds an initialised SPL token
// account. Lamports sent to a not-yet-created address make an empty
// system account there: that still needs the (idempotent) creation.
func (c chain) tokenAccountExists(ctx context.Context, addr solana.PublicKey) (bool, error) {
	acct, found, err := c.account(ctx, addr)
	if err != nil || !found {
		return false, err
	}
	return acct.Owner == solana.TokenProgramID && len(acct.Data.GetBinary()) >= tokenAccountSize, nil
}

// landed tells a status apart: done when confirmed or finalized (with
// or without an error), pending when only processed so far.
func landed(st *rpc.SignatureStatusesResult) bool {
	switch st.ConfirmationStatus {
	case rpc.ConfirmationStatusConfirmed, rpc.ConfirmationStatusFinalized:
		return true
	case "":
		return st.Confirmations == nil // older nodes: nil means rooted
	}
	return false
}
