// Package verify re-checks a closed epoch independently: it re-judges the
// epoch from the stored signed reports, verifying every signature again,
// and compares the manifest root with the one stored when the epoch closed
// and with the one in the memo of every reward transaction on chain.
package verify

import (
	"context"
	"encoding/hex"
	"fmt"

	solana "github.com/gagliardetto/solana-go"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/payout"
)

// Result is what checking one epoch found.
type Result struct {
	Epoch        uint64
	Status       oracle.EpochStatus
	Reports      int      // reports judged
	Root         string   // recomputed, hex
	StoredRoot   string   // stored when the epoch closed, hex
	Transactions int      // reward transactions whose memo was read
	Problems     []string // empty when everything agrees
}

// OK reports whether everything agreed.
func (r Result) OK() bool { return len(r.Problems) == 0 }

// Epoch checks epoch n. rpc may be nil (no chain to read): the memos are
// then not checked, and that is reported as a problem for a paid epoch.
func Epoch(ctx context.Context, st oracle.Store, rpc payout.RPC, schedule oracle.Schedule, rules oracle.Rules, n uint64) (Result, error) {
	e, err := st.GetEpoch(ctx, n)
	if err != nil {
		return Result{}, fmt.Errorf("epoch %d: %w", n, err)
	}
	if e.Status == oracle.EpochOpen {
		return Result{}, fmt.Errorf("epoch %d is still open: nothing to verify yet", n)
	}
	j := &oracle.Judge{Store: st, Schedule: schedule, Rules: rules, Verify: true}
	res, err := j.Epoch(ctx, n)
	if err != nil {
		return Result{}, fmt.Errorf("re-judge epoch %d: %w", n, err)
	}
	r := Result{Epoch: n, Status: e.Status, Reports: len(res.Verdicts), Root: hex.EncodeToString(res.Root[:]), StoredRoot: hex.EncodeToString(e.Root)}
	if r.Root != r.StoredRoot {
		r.Problems = append(r.Problems, fmt.Sprintf("recomputed root %s differs from the stored root %s", r.Root, r.StoredRoot))
	}
	return r, checkMemos(ctx, st, rpc, e, &r)
}

// checkMemos reads each recorded reward transaction back from the chain.
func checkMemos(ctx context.Context, st oracle.Store, rpc payout.RPC, e oracle.Epoch, r *Result) error {
	txs, err := st.RewardTxsOfEpoch(ctx, e.Number)
	if err != nil {
		return err
	}
	if e.Status == oracle.EpochPaid && len(txs) == 0 {
		r.Problems = append(r.Problems, "the epoch is marked paid but records no reward transaction")
	}
	if rpc == nil {
		if e.Status == oracle.EpochPaid {
			r.Problems = append(r.Problems, "no Solana RPC given: the memos on chain were not checked")
		}
		return nil
	}
	for _, tx := range txs {
		if tx.Status != oracle.TxConfirmed {
			continue
		}
		r.Transactions++
		checkMemo(ctx, rpc, tx.Signature, e.Number, r)
	}
	return nil
}

func checkMemo(ctx context.Context, rpc payout.RPC, signature string, n uint64, r *Result) {
	sig, err := solana.SignatureFromBase58(signature)
	if err != nil {
		r.Problems = append(r.Problems, fmt.Sprintf("transaction %q: not a signature", signature))
		return
	}
	epoch, root, err := payout.VerifyMemo(ctx, rpc, sig)
	switch {
	case err != nil:
		r.Problems = append(r.Problems, fmt.Sprintf("transaction %s: %v", signature, err))
	case epoch != n || root != r.Root:
		r.Problems = append(r.Problems, fmt.Sprintf("transaction %s: memo names epoch %d root %s", signature, epoch, root))
	}
}
