package payout

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/rpc"
)

// ErrMemo reports a transaction that carries no hexnet reward memo.
var ErrMemo = errors.New("payout: no hexnet reward memo")

// ParseMemo reads a memo written by Memo.String.
func ParseMemo(text string) (Memo, error) {
	f := strings.Fields(text)
	if len(f) != 7 || f[0] != "hexnet" || f[1] != "epoch" || f[3] != "root" || f[5] != "tx" {
		return Memo{}, fmt.Errorf("%w: %q", ErrMemo, text)
	}
	var m Memo
	var err error
	if m.Epoch, err = strconv.ParseUint(f[2], 10, 64); err != nil {
		return Memo{}, fmt.Errorf("%w: epoch in %q: %w", ErrMemo, text, err)
	}
	if m.Root, err = hex.DecodeString(f[4]); err != nil {
		return Memo{}, fmt.Errorf("%w: root in %q: %w", ErrMemo, text, err)
	}
	if _, err := fmt.Sscanf(f[6], "%d/%d", &m.Index, &m.Count); err != nil {
		return Memo{}, fmt.Errorf("%w: tx index in %q: %w", ErrMemo, text, err)
	}
	return m, nil
}

// VerifyMemo reads a reward transaction back from the chain and returns
// the epoch number and manifest root (hex) its memo carries, for
// `hexnet epoch verify`. A transaction that failed on chain is refused
// with ErrTxFailed: its memo proves nothing.
func VerifyMemo(ctx context.Context, c RPC, sig solana.Signature) (uint64, string, error) {
	version := uint64(0)
	res, err := c.GetTransaction(ctx, sig, &rpc.GetTransactionOpts{
		Encoding:                       solana.EncodingBase64,
		Commitment:                     rpc.CommitmentConfirmed,
		MaxSupportedTransactionVersion: &version,
	})
	if err != nil {
		return 0, "", fmt.Errorf("get transaction %s: %w", sig, err)
	}
	if res == nil || res.Transaction == nil {
		return 0, "", fmt.Errorf("get transaction %s: %w", sig, rpc.ErrNotFound)
	}
	if res.Meta != nil && res.Meta.Err != nil {
		return 0, "", fmt.Errorf("%w: %s: %v", ErrTxFailed, sig, res.Meta.Err)
	}
	tx, err := res.Transaction.GetTransaction()
	if err != nil {
		return 0, "", fmt.Errorf("decode transaction %s: %w", sig, err)
	}
	m, err := memoOf(tx)
	if err != nil {
		return 0, "", fmt.Errorf("transaction %s: %w", sig, err)
	}
	return m.Epoch, hex.EncodeToString(m.Root), nil
}

// memoOf finds the hexnet memo among a transaction's instructions.
func memoOf(tx *solana.Transaction) (Memo, error) {
	for _, inst := range tx.Message.Instructions {
		prog, err := tx.ResolveProgramIDIndex(inst.ProgramIDIndex)
		if err != nil {
			return Memo{}, err
		}
		if prog.Equals(solana.MemoProgramID) && strings.HasPrefix(string(inst.Data), "hexnet epoch ") {
			return ParseMemo(string(inst.Data))
		}
	}
	return Memo{}, ErrMemo
}
