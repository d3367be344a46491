package payout

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/rpc"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/solana/localnet"
)

var steps = []string{stepBeforeSend, stepAfterSend, stepBeforeConfirm, stepBeforeRecord}

// crashAt crashes the writer the nth time it reaches step.
func crashAt(step string, nth int) func(string) error {
	var mu sync.Mutex
	seen := 0
	return func(s string) error {
		mu.Lock()
		defer mu.Unlock()
		if s != step {
			return nil
		}
		if seen++; seen == nth {
			return fmt.Errorf("%w at %s #%d", errCrash, step, nth)
		}
		return nil
	}
}

// TestCrashAfterEachStep crashes the writer once at each step of a
// transaction's life, on the first transaction and on one in the second
// window, restarts a new writer on the same store, and checks every owner
// was paid exactly once.
func TestCrashAfterEachStep(t *testing.T) {
	for _, step := range steps {
		for _, nth := range []int{1, 7} {
			t.Run(fmt.Sprintf("%s/%d", step, nth), func(t *testing.T) {
				e := newEnv(t, localnet.Options{})
				w := e.close(newWorld(t, 5, 80)) // 96 hotspots, 9 txs with account creation
				e.payWithCrashes(w, crashAt(step, nth))
				e.checkPaid(w.owed)
				e.checkRows(w)
			})
		}
	}
}

// TestCrashAtEveryStepInTurn restarts the writer four times, each run
// crashing at the next step, and also across two epochs.
func TestCrashAtEveryStepInTurn(t *testing.T) {
	e := newEnv(t, localnet.Options{})
	first, second := e.close(newWorld(t, 6, 100)), e.close(newWorld(t, 7, 100))
	inTurn := func() []func(string) error {
		crashes := make([]func(string) error, 0, len(steps))
		for i, step := range steps {
			crashes = append(crashes, crashAt(step, 1+i%2))
		}
		return crashes
	}
	e.payWithCrashes(first, inTurn()...)
	e.payWithCrashes(second, inTurn()...)
	e.checkPaid(addOwed(first.owed, second.owed))
	e.checkRows(first)
	e.checkRows(second)
}

// payWithCrashes runs one writer per crash, each of which must crash,
// then one that must finish.
func (e *env) payWithCrashes(w world, crashes ...func(string) error) {
	e.t.Helper()
	for i, crash := range crashes {
		if err := e.writer(nil, crash).withWindow(4).Pay(context.Background(), w.epoch, w.entries); !errors.Is(err, errCrash) {
			e.t.Fatalf("run %d: err = %v, want the simulated crash", i, err)
		}
	}
	if err := e.writer(nil, nil).withWindow(4).Pay(context.Background(), w.epoch, w.entries); err != nil {
		e.t.Fatalf("after restart: %v", err)
	}
}

func (w *Writer) withWindow(n int) *Writer {
	w.Window = n
	return w
}

// shortLived is a runtime whose blockhashes expire after 8 blocks of 10ms.
var shortLived = localnet.Options{BlockhashLifetime: 8, SlotInterval: 10 * time.Millisecond}

// TestSignedNeverSentIsResigned: transactions recorded but never sent
// until their blockhash expired are re-signed (Attempt 1) and pay once.
func TestSignedNeverSentIsResigned(t *testing.T) {
	e := newEnv(t, shortLived)
	w := e.close(newWorld(t, 8, 30))
	if err := e.writer(nil, crashAt(stepBeforeSend, 1)).Pay(context.Background(), w.epoch, w.entries); !errors.Is(err, errCrash) {
		t.Fatalf("err = %v, want the simulated crash", err)
	}
	e.awaitExpiry(e.rows(8))
	if err := e.writer(nil, nil).Pay(context.Background(), w.epoch, w.entries); err != nil {
		t.Fatal(err)
	}
	for _, r := range e.rows(8) {
		if r.Attempt != 1 {
			t.Errorf("tx %d: attempt %d, want 1 (re-signed once after expiry)", r.Index, r.Attempt)
		}
	}
	e.checkPaid(w.owed)
	e.checkRows(w)
}

// TestDroppedTransactionIsResigned: the node accepts the first attempts
// but they never reach a leader; once expired they are re-signed.
func TestDroppedTransactionIsResigned(t *testing.T) {
	e := newEnv(t, shortLived)
	w := e.close(newWorld(t, 9, 30))
	first := map[solana.Hash]bool{}
	var mu sync.Mutex
	f := &faultRPC{RPC: e.rpc, drop: func(raw []byte) bool {
		tx, err := solana.TransactionFromBytes(raw)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			return false
		}
		if len(first) == 0 {
			first[tx.Message.RecentBlockhash] = true // the first window's blockhash
		}
		return first[tx.Message.RecentBlockhash]
	}}
	if err := e.writer(f, nil).Pay(context.Background(), w.epoch, w.entries); err != nil {
		t.Fatal(err)
	}
	dropped, _, _ := f.counts()
	for _, r := range e.rows(9) {
		if r.Attempt < 1 {
			t.Errorf("tx %d: attempt %d, want ≥ 1", r.Index, r.Attempt)
		}
	}
	t.Logf("%d sends dropped; all %d transactions re-signed", dropped, len(e.rows(9)))
	e.checkPaid(w.owed)
	e.checkRows(w)
}

// TestLandedThenExpiredIsNotResigned: transactions that landed, whose
// outcome the writer never recorded, and whose blockhash then expired, are
// found by their status, not re-signed, even when a lagging node first
// shows no status and answers the resend with BlockhashNotFound.
func TestLandedThenExpiredIsNotResigned(t *testing.T) {
	e := newEnv(t, shortLived)
	w := e.close(newWorld(t, 10, 30))
	if err := e.writer(nil, crashAt(stepBeforeRecord, 1)).Pay(context.Background(), w.epoch, w.entries); !errors.Is(err, errCrash) {
		t.Fatalf("err = %v, want the simulated crash", err)
	}
	e.awaitExpiry(e.rows(10))
	f := &faultRPC{RPC: e.rpc, blind: 3}
	if err := e.writer(f, nil).Pay(context.Background(), w.epoch, w.entries); err != nil {
		t.Fatal(err)
	}
	if _, gone, _ := f.counts(); gone == 0 {
		t.Error("no resend met BlockhashNotFound: the test did not exercise that path")
	}
	for _, r := range e.rows(10) {
		if r.Attempt != 0 {
			t.Errorf("tx %d: attempt %d, want 0: it had landed", r.Index, r.Attempt)
		}
	}
	e.checkPaid(w.owed)
	e.checkRows(w)
}

// TestRPCErrorsAreRetried: every fifth call fails (503, refused, timeout,
// node behind), sends after forwarding the transaction (the reply lost).
func TestRPCErrorsAreRetried(t *testing.T) {
	e := newEnv(t, localnet.Options{})
	w := e.close(newWorld(t, 11, 100))
	f := &faultRPC{RPC: e.rpc, failEvery: 5}
	if err := e.writer(f, nil).Pay(context.Background(), w.epoch, w.entries); err != nil {
		t.Fatal(err)
	}
	_, _, lost := f.counts()
	t.Logf("every 5th call failed; %d send replies lost", lost)
	e.checkPaid(w.owed)
	e.checkRows(w)
}

// awaitExpiry waits until the chain's block height passes every row's
// lastValidBlockHeight.
func (e *env) awaitExpiry(rows []oracle.RewardTx) {
	e.t.Helper()
	var last uint64
	for _, r := range rows {
		last = max(last, r.LastValidBlockHeight)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		h, err := e.rpc.GetBlockHeight(context.Background(), rpc.CommitmentFinalized)
		if err == nil && h > last {
			return
		}
	}
	e.t.Fatalf("block height never passed %d", last)
}
