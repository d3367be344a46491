package payout

import (
	"context"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/gagliardetto/solana-go"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/solana/localnet"
)

// TestPayThousandOwners pays two epochs to 1,000 owners (1,200 hotspots):
// the first creates every token account, the second finds them all.
func TestPayThousandOwners(t *testing.T) {
	e := newEnv(t, localnet.Options{})
	ctx := context.Background()
	first, second := e.close(newWorld(t, 1, 1000)), e.close(newWorld(t, 2, 1000))
	for _, w := range []world{first, second} {
		if err := e.writer(nil, nil).Pay(ctx, w.epoch, w.entries); err != nil {
			t.Fatalf("pay epoch %d: %v", w.epoch.Number, err)
		}
		e.checkRows(w)
		t.Logf("epoch %d: %d hotspots of %d owners paid in %d transactions, at most %d MintTo in one",
			w.epoch.Number, len(w.entries), len(w.owed), len(e.rows(w.epoch.Number)), e.maxMintsPerTx(w))
	}
	e.checkPaid(addOwed(first.owed, second.owed))

	// Paying again changes nothing.
	before := len(e.rows(2))
	if err := e.writer(nil, nil).Pay(ctx, second.epoch, second.entries); err != nil {
		t.Fatal(err)
	}
	if n := len(e.rows(2)); n != before {
		t.Errorf("paying again: %d rows, was %d", n, before)
	}
	e.checkPaid(addOwed(first.owed, second.owed))
}

// checkRows asserts the epoch is done: every row confirmed, at most 1232
// bytes, carrying the epoch's memo on chain.
func (e *env) checkRows(w world) {
	e.t.Helper()
	ctx := context.Background()
	done, err := e.writer(nil, nil).Done(ctx, w.epoch.Number, w.entries)
	if err != nil || !done {
		e.t.Fatalf("Done = %v, %v after Pay", done, err)
	}
	for _, r := range e.rows(w.epoch.Number) {
		if r.Status != oracle.TxConfirmed || len(r.Raw) > MaxTxSize {
			e.t.Errorf("tx %d: status %s, %d bytes", r.Index, r.Status, len(r.Raw))
		}
		epoch, root, err := VerifyMemo(ctx, e.rpc, solana.MustSignatureFromBase58(r.Signature))
		if err != nil || epoch != w.epoch.Number || root != hex.EncodeToString(w.epoch.Root) {
			e.t.Errorf("tx %d memo: epoch %d root %s err %v", r.Index, epoch, root, err)
		}
	}
}

// maxMintsPerTx is the largest number of owners one transaction paid.
func (e *env) maxMintsPerTx(w world) int {
	owner := map[string]string{}
	for _, en := range w.entries {
		owner[string(en.Hotspot)] = string(en.Owner)
	}
	most := 0
	for _, r := range e.rows(w.epoch.Number) {
		owners := map[string]bool{}
		for _, h := range r.Entries {
			owners[owner[string(h)]] = true
		}
		most = max(most, len(owners))
	}
	return most
}

func TestPayRefusesAWrongRoot(t *testing.T) {
	w := newWorld(t, 3, 4)
	w.epoch.Root = make([]byte, 32)
	err := (&Writer{}).Pay(context.Background(), w.epoch, w.entries)
	if !errors.Is(err, ErrEpoch) {
		t.Errorf("err = %v, want ErrEpoch", err)
	}
	w.epoch.Status = oracle.EpochOpen
	if err := (&Writer{}).Pay(context.Background(), w.epoch, w.entries); !errors.Is(err, ErrEpoch) {
		t.Errorf("open epoch: err = %v, want ErrEpoch", err)
	}
}

func TestEnsureMintIsIdempotent(t *testing.T) {
	e := newEnv(t, localnet.Options{})
	ctx := context.Background()
	again, err := EnsureMint(ctx, e.rpc, e.key, 6)
	if err != nil || again != e.mint {
		t.Fatalf("second EnsureMint = %s, %v; want %s", again, err, e.mint)
	}
	if _, err := EnsureMint(ctx, e.rpc, e.key, 9); !errors.Is(err, ErrMint) {
		t.Errorf("other decimals: err = %v, want ErrMint", err)
	}
	other := keyOf(t, "someone else")
	if _, err := CheckMint(ctx, e.rpc, e.mint, PrivateKey(other).PublicKey(), 6); !errors.Is(err, ErrMint) {
		t.Errorf("other authority: err = %v, want ErrMint", err)
	}
}

// TestRejectedInPreflight: a writer whose key is not the mint authority
// gets its transactions refused in preflight; nothing lands and the error
// says so.
func TestRejectedInPreflight(t *testing.T) {
	e := newEnv(t, localnet.Options{})
	w := e.close(newWorld(t, 12, 3))
	impostor := keyOf(t, "impostor")
	e.fund(impostor)
	wr := e.writer(nil, nil)
	wr.Key = impostor
	if err := wr.Pay(context.Background(), w.epoch, w.entries); !errors.Is(err, ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
	for _, r := range e.rows(12) {
		if r.Status != oracle.TxSigned {
			t.Errorf("tx %d: status %s, want signed (never accepted)", r.Index, r.Status)
		}
	}
}

// TestRuntimeAnswersAreClassified sends one transaction three times to the
// real runtime: accepted, then AlreadyProcessed, then (once its blockhash
// expired) BlockhashNotFound although it landed.
func TestRuntimeAnswersAreClassified(t *testing.T) {
	e := newEnv(t, shortLived)
	ctx := context.Background()
	s := e.writer(nil, nil).session(oracle.Epoch{Number: 13})
	blockhash, lastValid, err := s.chain.latestBlockhash(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := solana.NewTransaction([]solana.Instruction{MemoInstruction("hello")}, blockhash, solana.TransactionPayer(s.priv.PublicKey()))
	if err != nil {
		t.Fatal(err)
	}
	row := oracle.RewardTx{Epoch: 13}
	if err := s.sign(&row, tx, lastValid); err != nil {
		t.Fatal(err)
	}
	for i, want := range []sendOutcome{sendAccepted, sendAlreadyLanded, sendBlockhashGone} {
		if i == 2 {
			e.awaitExpiry([]oracle.RewardTx{row})
		}
		if got, err := s.chain.send(ctx, row.Raw); got != want {
			t.Errorf("send #%d: outcome %d (%v), want %d", i+1, got, err, want)
		}
	}
}
