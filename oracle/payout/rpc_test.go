package payout

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/gagliardetto/solana-go/rpc/jsonrpc"

	"github.com/hexnet/hexnet/clock"
)

func preflight(name, msg string) error {
	data := map[string]any{"err": name, "logs": []any{}}
	if name == "" {
		data["err"] = map[string]any{"InstructionError": []any{1, map[string]any{"Custom": 4}}}
	}
	return &jsonrpc.RPCError{Code: preflightCode, Message: msg, Data: data}
}

func TestClassifySend(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want sendOutcome
	}{
		{"ok", nil, sendAccepted},
		{"already processed", preflight("AlreadyProcessed", "Transaction simulation failed: This transaction has already been processed"), sendAlreadyLanded},
		{"blockhash not found", preflight("BlockhashNotFound", "Transaction simulation failed: Blockhash not found"), sendBlockhashGone},
		{"blockhash not found, message only", &jsonrpc.RPCError{Code: preflightCode, Message: "Transaction simulation failed: Blockhash not found"}, sendBlockhashGone},
		{"program error", preflight("", "Transaction simulation failed: Error processing Instruction 1: custom program error: 0x4"), sendRejected},
		{"wrapped", fmt.Errorf("send transaction: %w", preflight("AlreadyProcessed", "")), sendAlreadyLanded},
		{"connection refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, sendTransient},
		{"timeout", context.DeadlineExceeded, sendTransient},
		{"http 503", jsonrpc.NewHTTPError(503, errors.New("unavailable")), sendTransient},
		{"http 429", jsonrpc.NewHTTPError(429, errors.New("slow down")), sendTransient},
		{"http 400", jsonrpc.NewHTTPError(400, errors.New("bad request")), sendRejected},
		{"node behind", &jsonrpc.RPCError{Code: -32005, Message: "Node is behind"}, sendTransient},
		{"invalid params", &jsonrpc.RPCError{Code: -32602, Message: "invalid transaction"}, sendRejected},
		{"cancelled", context.Canceled, sendRejected},
	} {
		if got := classifySend(c.err); got != c.want {
			t.Errorf("%s: outcome %d, want %d", c.name, got, c.want)
		}
	}
}

func TestCallerRetriesTransientErrors(t *testing.T) {
	c := caller{clock: clock.Real{}, backoff: Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Tries: 5}}
	calls := 0
	err := c.do(context.Background(), "op", func(context.Context) error {
		if calls++; calls < 4 {
			return jsonrpc.NewHTTPError(502, errors.New("bad gateway"))
		}
		return nil
	})
	if err != nil || calls != 4 {
		t.Errorf("err %v after %d calls, want success on the 4th", err, calls)
	}

	calls = 0
	refused := &net.OpError{Op: "dial", Err: errors.New("connection refused")}
	err = c.do(context.Background(), "op", func(context.Context) error { calls++; return refused })
	if !errors.Is(err, refused) || calls != 5 {
		t.Errorf("err %v after %d calls, want the dial error after 5 tries", err, calls)
	}

	calls = 0
	permanent := &jsonrpc.RPCError{Code: -32602, Message: "invalid params"}
	err = c.do(context.Background(), "op", func(context.Context) error { calls++; return permanent })
	if !errors.Is(err, permanent) || calls != 1 {
		t.Errorf("err %v after %d calls, want the RPC error at once", err, calls)
	}
}

func TestCallerStopsWhenCancelled(t *testing.T) {
	c := caller{clock: clock.Real{}, backoff: Backoff{Initial: time.Hour, Tries: 5}}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	err := c.do(ctx, "op", func(context.Context) error { return errors.New("connection reset") })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
