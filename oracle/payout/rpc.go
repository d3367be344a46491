package payout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/rpc"
	"github.com/gagliardetto/solana-go/rpc/jsonrpc"

	"github.com/hexnet/hexnet/clock"
)

// RPC is the part of a Solana JSON-RPC client the payout code uses;
// *rpc.Client satisfies it, and tests wrap it to inject faults.
type RPC interface {
	GetLatestBlockhash(ctx context.Context, commitment rpc.CommitmentType) (*rpc.GetLatestBlockhashResult, error)
	GetBlockHeight(ctx context.Context, commitment rpc.CommitmentType) (uint64, error)
	SendRawTransactionWithOpts(ctx context.Context, raw []byte, opts rpc.TransactionOpts) (solana.Signature, error)
	GetSignatureStatuses(ctx context.Context, history bool, sigs ...solana.Signature) (*rpc.GetSignatureStatusesResult, error)
	GetAccountInfo(ctx context.Context, account solana.PublicKey) (*rpc.GetAccountInfoResult, error)
	GetMinimumBalanceForRentExemption(ctx context.Context, size uint64, commitment rpc.CommitmentType) (uint64, error)
	GetTransaction(ctx context.Context, sig solana.Signature, opts *rpc.GetTransactionOpts) (*rpc.GetTransactionResult, error)
}

var _ RPC = (*rpc.Client)(nil)

// Errors of talking to the chain.
var (
	// ErrRejected is a transaction the node refused in preflight for a
	// reason that retrying the same bytes will not fix (a program error,
	// fees the payer cannot cover). Nothing landed; fix the cause and pay
	// again: the same recorded transaction is resent.
	ErrRejected = errors.New("payout: transaction rejected in preflight")
	// ErrTxFailed is a transaction that landed with an error: it minted
	// nothing, and the epoch is not paid until an operator looks at it.
	ErrTxFailed = errors.New("payout: transaction landed with an error")
)

// sendOutcome is what a sendTransaction answer means for exactly-once.
type sendOutcome int

const (
	sendAccepted      sendOutcome = iota // forwarded; look up its status
	sendAlreadyLanded                    // AlreadyProcessed: look up its status
	sendBlockhashGone                    // BlockhashNotFound: says nothing about landing; keep polling
	sendRejected                         // preflight failed for good: surface it
	sendTransient                        // transport or node trouble: retry the same bytes
)

// preflightCode is the JSON-RPC error code of a failed preflight
// (SendTransactionPreflightFailure).
const preflightCode = -32002

// classifySend maps a sendTransaction error to its outcome.
func classifySend(err error) sendOutcome {
	if err == nil {
		return sendAccepted
	}
	var rerr *jsonrpc.RPCError
	if !errors.As(err, &rerr) || rerr.Code != preflightCode {
		if transient(err) {
			return sendTransient
		}
		return sendRejected
	}
	switch preflightErr(rerr) {
	case "AlreadyProcessed":
		return sendAlreadyLanded
	case "BlockhashNotFound":
		return sendBlockhashGone
	}
	return sendRejected
}

// preflightErr names the TransactionError of a failed preflight: the
// string form in data.err when the node gives one, else recognised from
// the message, whose wording nodes share ("This transaction has already
// been processed", "Blockhash not found").
func preflightErr(rerr *jsonrpc.RPCError) string {
	if data, ok := rerr.Data.(map[string]any); ok {
		if name, ok := data["err"].(string); ok {
			return name
		}
	}
	msg := strings.ToLower(rerr.Message)
	switch {
	case strings.Contains(msg, "already been processed"):
		return "AlreadyProcessed"
	case strings.Contains(msg, "blockhash not found"):
		return "BlockhashNotFound"
	}
	return ""
}

// transient reports whether a failed RPC call is worth retrying: transport
// errors (refused, reset, timed out), HTTP 5xx, 408 and 429, and the
// node-side JSON-RPC errors that go away (internal error, node behind,
// slot not yet available). Requests the node understood and refused are
// not.
func transient(err error) bool {
	var herr *jsonrpc.HTTPError
	if errors.As(err, &herr) {
		return herr.Code >= 500 || herr.Code == 408 || herr.Code == 429
	}
	var rerr *jsonrpc.RPCError
	if errors.As(err, &rerr) {
		switch rerr.Code {
		case -32603, -32004, -32005, -32007, -32009, -32014, -32016:
			return true
		}
		return false
	}
	return !errors.Is(err, context.Canceled)
}

// Backoff paces the retries of failed RPC calls: Initial, doubling up to
// Max, at most Tries calls in all. The zero value means 100ms, 5s, 10.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	Tries   int
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = 100 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 5 * time.Second
	}
	if b.Tries <= 0 {
		b.Tries = 10
	}
	return b
}

// caller runs RPC calls with a per-call timeout and retries transient
// failures with exponential backoff.
type caller struct {
	clock   clock.Clock
	backoff Backoff
	timeout time.Duration
	retried func(op string, err error) // observes each retry; may be nil
}

// do runs f until it succeeds, fails for good, or runs out of tries; the
// last error is returned wrapped with op.
func (c caller) do(ctx context.Context, op string, f func(ctx context.Context) error) error {
	b := c.backoff.withDefaults()
	wait := b.Initial
	for try := 1; ; try++ {
		err := c.once(ctx, f)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !transient(err) || try >= b.Tries {
			return fmt.Errorf("%s: %w", op, err)
		}
		if c.retried != nil {
			c.retried(op, err)
		}
		if err := sleep(ctx, c.clock, wait); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		wait = min(2*wait, b.Max)
	}
}

func (c caller) once(ctx context.Context, f func(ctx context.Context) error) error {
	if c.timeout <= 0 {
		return f(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	return f(ctx)
}

// sleep waits d on the clock, or until ctx ends.
func sleep(ctx context.Context, c clock.Clock, d time.Duration) error {
	done := make(chan struct{})
	t := c.AfterFunc(d, func() { close(done) })
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-done:
		return nil
	}
}
