package payout

import (
	"context"
	"errors"
	"net"
	"sync"

	"github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/rpc"
	"github.com/gagliardetto/solana-go/rpc/jsonrpc"
)

// faultRPC wraps a real client with the faults a writer meets in the
// field: failing calls, lost replies, dropped transactions, lagging nodes.
type faultRPC struct {
	RPC
	mu            sync.Mutex
	calls         int
	failEvery     int                   // every n-th call fails transiently; sends fail after forwarding (lost reply)
	drop          func(raw []byte) bool // sends swallowed: success reported, nothing forwarded
	blind         int                   // rounds in which the node lags: height 0, no statuses
	dropped       int
	blockhashGone int // BlockhashNotFound answers passed on
	lostReplies   int
}

var transientFaults = []error{
	jsonrpc.NewHTTPError(503, errors.New("503 service unavailable")),
	&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")},
	context.DeadlineExceeded,
	&jsonrpc.RPCError{Code: -32005, Message: "Node is behind by 42 slots"},
}

// fault reports the transient error this call meets, if any.
func (f *faultRPC) fault() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.failEvery > 0 && f.calls%f.failEvery == 0 {
		return transientFaults[(f.calls/f.failEvery)%len(transientFaults)]
	}
	return nil
}

func (f *faultRPC) lagging(consume bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.blind <= 0 {
		return false
	}
	if consume {
		f.blind--
	}
	return true
}

func (f *faultRPC) GetBlockHeight(ctx context.Context, c rpc.CommitmentType) (uint64, error) {
	if err := f.fault(); err != nil {
		return 0, err
	}
	if f.lagging(false) {
		return 0, nil
	}
	return f.RPC.GetBlockHeight(ctx, c)
}

func (f *faultRPC) GetSignatureStatuses(ctx context.Context, history bool, sigs ...solana.Signature) (*rpc.GetSignatureStatusesResult, error) {
	if err := f.fault(); err != nil {
		return nil, err
	}
	if f.lagging(true) {
		return &rpc.GetSignatureStatusesResult{Value: make([]*rpc.SignatureStatusesResult, len(sigs))}, nil
	}
	return f.RPC.GetSignatureStatuses(ctx, history, sigs...)
}

func (f *faultRPC) GetLatestBlockhash(ctx context.Context, c rpc.CommitmentType) (*rpc.GetLatestBlockhashResult, error) {
	if err := f.fault(); err != nil {
		return nil, err
	}
	return f.RPC.GetLatestBlockhash(ctx, c)
}

func (f *faultRPC) GetAccountInfo(ctx context.Context, a solana.PublicKey) (*rpc.GetAccountInfoResult, error) {
	if err := f.fault(); err != nil {
		return nil, err
	}
	return f.RPC.GetAccountInfo(ctx, a)
}

func (f *faultRPC) SendRawTransactionWithOpts(ctx context.Context, raw []byte, opts rpc.TransactionOpts) (solana.Signature, error) {
	if f.drop != nil && f.drop(raw) {
		f.count(&f.dropped)
		tx, err := solana.TransactionFromBytes(raw)
		if err != nil {
			return solana.Signature{}, err
		}
		return tx.Signatures[0], nil
	}
	fault := f.fault()
	sig, err := f.RPC.SendRawTransactionWithOpts(ctx, raw, opts)
	if classifySend(err) == sendBlockhashGone {
		f.count(&f.blockhashGone)
	}
	if fault != nil {
		f.count(&f.lostReplies)
		return solana.Signature{}, fault
	}
	return sig, err
}

func (f *faultRPC) count(n *int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	*n++
}

func (f *faultRPC) counts() (dropped, blockhashGone, lostReplies int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dropped, f.blockhashGone, f.lostReplies
}
