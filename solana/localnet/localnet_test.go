package localnet_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/programs/system"
	"github.com/gagliardetto/solana-go/programs/token"
	"github.com/gagliardetto/solana-go/rpc"
	"github.com/gagliardetto/solana-go/rpc/jsonrpc"
	"github.com/mr-tron/base58"

	"github.com/hexnet/hexnet/solana/localnet"
)

// Validator error codes (Solana's rpc_custom_error.rs and JSON-RPC).
const (
	codeInvalidParams     = -32602
	codePreflightFailure  = -32002
	packetDataSize        = 1232
	mintSize              = 82
	lamportsPerSOL        = 1_000_000_000
	statusWait            = 10 * time.Second
	createIdempotentIxTag = 1 // associated token account program: CreateIdempotent
)

// chain is a client of one local runtime.
type chain struct {
	t   testing.TB
	ctx context.Context
	rpc *rpc.Client
}

func newChain(t testing.TB, opts localnet.Options) *chain {
	t.Helper()
	ln := localnet.ForTestWith(t, opts)
	return &chain{t: t, ctx: context.Background(), rpc: rpc.New(ln.URL())}
}

// funded returns a new key holding lamports, airdropped and confirmed.
func (c *chain) funded(lamports uint64) solana.PrivateKey {
	c.t.Helper()
	key := solana.NewWallet().PrivateKey
	sig, err := c.rpc.RequestAirdrop(c.ctx, key.PublicKey(), lamports, rpc.CommitmentFinalized)
	if err != nil {
		c.t.Fatalf("requestAirdrop: %v", err)
	}
	c.await(sig)
	return key
}

// tx builds a transaction paid by the first signer, on the latest blockhash.
func (c *chain) tx(signers []solana.PrivateKey, ixs ...solana.Instruction) *solana.Transaction {
	c.t.Helper()
	latest, err := c.rpc.GetLatestBlockhash(c.ctx, rpc.CommitmentFinalized)
	if err != nil {
		c.t.Fatalf("getLatestBlockhash: %v", err)
	}
	return c.signed(latest.Value.Blockhash, signers, ixs...)
}

func (c *chain) signed(blockhash solana.Hash, signers []solana.PrivateKey, ixs ...solana.Instruction) *solana.Transaction {
	c.t.Helper()
	tx, err := solana.NewTransaction(ixs, blockhash, solana.TransactionPayer(signers[0].PublicKey()))
	if err != nil {
		c.t.Fatalf("build transaction: %v", err)
	}
	_, err = tx.Sign(func(pub solana.PublicKey) *solana.PrivateKey {
		for i := range signers {
			if signers[i].PublicKey().Equals(pub) {
				return &signers[i]
			}
		}
		return nil
	})
	if err != nil {
		c.t.Fatalf("sign transaction: %v", err)
	}
	return tx
}

// send sends tx with preflight and waits until it is finalized without error.
func (c *chain) send(tx *solana.Transaction) solana.Signature {
	c.t.Helper()
	sig, err := c.rpc.SendTransaction(c.ctx, tx)
	if err != nil {
		c.t.Fatalf("sendTransaction: %v", err)
	}
	if st := c.await(sig); st.Err != nil {
		c.t.Fatalf("transaction %s failed: %v", sig, st.Err)
	}
	return sig
}

// await polls the signature's status until it is finalized.
func (c *chain) await(sig solana.Signature) *rpc.SignatureStatusesResult {
	c.t.Helper()
	deadline := time.Now().Add(statusWait)
	for time.Now().Before(deadline) {
		st := c.status(sig)
		if st != nil && st.ConfirmationStatus == rpc.ConfirmationStatusFinalized {
			return st
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatalf("transaction %s not finalized within %v", sig, statusWait)
	return nil
}

func (c *chain) status(sig solana.Signature) *rpc.SignatureStatusesResult {
	c.t.Helper()
	res, err := c.rpc.GetSignatureStatuses(c.ctx, true, sig)
	if err != nil {
		c.t.Fatalf("getSignatureStatuses: %v", err)
	}
	if len(res.Value) != 1 {
		c.t.Fatalf("getSignatureStatuses: %d values for 1 signature", len(res.Value))
	}
	return res.Value[0]
}

// rpcError returns err as a JSON-RPC error object, failing if it is not one.
func rpcError(t *testing.T, err error) *jsonrpc.RPCError {
	t.Helper()
	var e *jsonrpc.RPCError
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want a JSON-RPC error", err, err)
	}
	return e
}

// preflightErr returns the TransactionError in a preflight failure's data.
func preflightErr(t *testing.T, err error) any {
	t.Helper()
	e := rpcError(t, err)
	if e.Code != codePreflightFailure {
		t.Fatalf("error code %d (%s), want %d (preflight failure)", e.Code, e.Message, codePreflightFailure)
	}
	data, ok := e.Data.(map[string]any)
	if !ok {
		t.Fatalf("preflight failure data is %T, want an object", e.Data)
	}
	return data["err"]
}

// sameJSON reports whether a and b encode to the same JSON.
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func memoIx(signer solana.PublicKey, text string) solana.Instruction {
	return solana.NewInstruction(solana.MemoProgramID,
		solana.AccountMetaSlice{solana.Meta(signer).SIGNER()}, []byte(text))
}

func transferIx(from, to solana.PublicKey, lamports uint64) solana.Instruction {
	return system.NewTransferInstruction(lamports, from, to).Build()
}

func TestAirdropAndBalance(t *testing.T) {
	c := newChain(t, localnet.Options{})
	key := c.funded(2 * lamportsPerSOL)

	bal, err := c.rpc.GetBalance(c.ctx, key.PublicKey(), rpc.CommitmentFinalized)
	if err != nil {
		t.Fatal(err)
	}
	if bal.Value != 2*lamportsPerSOL {
		t.Errorf("balance %d, want %d", bal.Value, 2*lamportsPerSOL)
	}
	info, err := c.rpc.GetAccountInfo(c.ctx, key.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if !info.Value.Owner.Equals(solana.SystemProgramID) || info.Value.Lamports != 2*lamportsPerSOL {
		t.Errorf("account owner %s lamports %d, want system program and %d", info.Value.Owner, info.Value.Lamports, 2*lamportsPerSOL)
	}
	if _, err := c.rpc.GetAccountInfo(c.ctx, solana.NewWallet().PublicKey()); !errors.Is(err, rpc.ErrNotFound) {
		t.Errorf("getAccountInfo of a missing account: %v, want rpc.ErrNotFound (null value)", err)
	}
}

func TestMintToAssociatedTokenAccount(t *testing.T) {
	c := newChain(t, localnet.Options{})
	authority := c.funded(lamportsPerSOL)
	mint := solana.NewWallet().PrivateKey
	owner := solana.NewWallet().PublicKey()

	rent, err := c.rpc.GetMinimumBalanceForRentExemption(c.ctx, mintSize, rpc.CommitmentFinalized)
	if err != nil {
		t.Fatal(err)
	}
	c.send(c.tx([]solana.PrivateKey{authority, mint},
		system.NewCreateAccountInstruction(rent, mintSize, solana.TokenProgramID, authority.PublicKey(), mint.PublicKey()).Build(),
		token.NewInitializeMint2InstructionBuilder().
			SetDecimals(6).SetMintAuthority(authority.PublicKey()).SetMintAccount(mint.PublicKey()).Build(),
	))

	ata, _, err := solana.FindAssociatedTokenAddress(owner, mint.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	create := createATAIdempotent(authority.PublicKey(), ata, owner, mint.PublicKey())
	mintTo := token.NewMintToInstruction(1_234_500, mint.PublicKey(), ata, authority.PublicKey(), nil).Build()
	c.send(c.tx([]solana.PrivateKey{authority}, create, mintTo))
	// Idempotent: creating the existing account again succeeds.
	c.send(c.tx([]solana.PrivateKey{authority}, create, mintTo))

	bal, err := c.rpc.GetTokenAccountBalance(c.ctx, ata, rpc.CommitmentFinalized)
	if err != nil {
		t.Fatal(err)
	}
	got := *bal.Value
	if got.Amount != "2469000" || got.Decimals != 6 || got.UiAmountString != "2.469" {
		t.Errorf("token balance amount %q decimals %d uiAmountString %q, want 2469000, 6, 2.469",
			got.Amount, got.Decimals, got.UiAmountString)
	}
}

// createATAIdempotent builds the associated token account program's
// CreateIdempotent instruction (solana-go has no helper for it).
func createATAIdempotent(payer, ata, owner, mint solana.PublicKey) solana.Instruction {
	return solana.NewInstruction(solana.SPLAssociatedTokenAccountProgramID, solana.AccountMetaSlice{
		solana.Meta(payer).WRITE().SIGNER(),
		solana.Meta(ata).WRITE(),
		solana.Meta(owner),
		solana.Meta(mint),
		solana.Meta(solana.SystemProgramID),
		solana.Meta(solana.TokenProgramID),
	}, []byte{createIdempotentIxTag})
}

func TestMemoReadBack(t *testing.T) {
	c := newChain(t, localnet.Options{})
	payer := c.funded(lamportsPerSOL)
	const text = "hexnet epoch 7 root 9f2c4e"
	sig := c.send(c.tx([]solana.PrivateKey{payer}, memoIx(payer.PublicKey(), text)))

	// The default encoding (json, which solana-go cannot name) and base64.
	v0 := uint64(0)
	for _, enc := range []solana.EncodingType{"", solana.EncodingBase64} {
		res, err := c.rpc.GetTransaction(c.ctx, sig, &rpc.GetTransactionOpts{Encoding: enc, MaxSupportedTransactionVersion: &v0})
		if err != nil {
			t.Fatal(err)
		}
		if res.Meta == nil || res.Meta.Err != nil {
			t.Fatalf("meta %+v, want a successful transaction", res.Meta)
		}
		tx, err := res.Transaction.GetTransaction()
		if err != nil {
			t.Fatal(err)
		}
		if got := memoText(t, tx); got != text {
			t.Errorf("encoding %q: memo %q, want %q", enc, got, text)
		}
	}
	res, err := c.rpc.GetTransaction(c.ctx, sig, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !containsLine(res.Meta.LogMessages, "Memo (len 26)") {
		t.Errorf("logs %q do not show the memo program running", res.Meta.LogMessages)
	}

	sigs, err := c.rpc.GetSignaturesForAddress(c.ctx, payer.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 2 || sigs[0].Signature != sig || sigs[0].Memo == nil || *sigs[0].Memo != "[26] "+text {
		t.Errorf("getSignaturesForAddress = %+v, want the memo transaction first with memo %q", sigs, "[26] "+text)
	}
}

// memoText returns the data of the transaction's Memo instruction.
func memoText(t testing.TB, tx *solana.Transaction) string {
	t.Helper()
	for _, ix := range tx.Message.Instructions {
		if int(ix.ProgramIDIndex) >= len(tx.Message.AccountKeys) {
			t.Fatalf("program index %d out of %d keys", ix.ProgramIDIndex, len(tx.Message.AccountKeys))
		}
		if tx.Message.AccountKeys[ix.ProgramIDIndex].Equals(solana.MemoProgramID) {
			return string(ix.Data)
		}
	}
	t.Fatal("no memo instruction in the transaction")
	return ""
}

func containsLine(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

func TestOversizeTransactionRejected(t *testing.T) {
	c := newChain(t, localnet.Options{})
	payer := c.funded(lamportsPerSOL)
	tx := c.tx([]solana.PrivateKey{payer}, memoIx(payer.PublicKey(), strings.Repeat("x", packetDataSize)))
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) <= packetDataSize {
		t.Fatalf("test transaction is %d bytes, want more than %d", len(raw), packetDataSize)
	}

	encoded := map[solana.EncodingType]string{
		solana.EncodingBase64: base64.StdEncoding.EncodeToString(raw),
		solana.EncodingBase58: base58.Encode(raw),
	}
	for enc, text := range encoded {
		_, err := c.rpc.SendEncodedTransactionWithOpts(c.ctx, text, rpc.TransactionOpts{Encoding: enc, SkipPreflight: true})
		if e := rpcError(t, err); e.Code != codeInvalidParams || !strings.Contains(e.Message, "too large") {
			t.Errorf("%s: error %d %q, want %d ... too large", enc, e.Code, e.Message, codeInvalidParams)
		}
	}
	if st := c.status(tx.Signatures[0]); st != nil {
		t.Errorf("oversize transaction has status %+v, want none", st)
	}
}

func TestExpiredBlockhash(t *testing.T) {
	c := newChain(t, localnet.Options{BlockhashLifetime: 3, SlotInterval: 20 * time.Millisecond})
	payer := c.funded(lamportsPerSOL)
	latest, err := c.rpc.GetLatestBlockhash(c.ctx, rpc.CommitmentFinalized)
	if err != nil {
		t.Fatal(err)
	}
	tx := c.signed(latest.Value.Blockhash, []solana.PrivateKey{payer}, memoIx(payer.PublicKey(), "late"))
	c.awaitBlockHeightAbove(latest.Value.LastValidBlockHeight)

	valid, err := c.rpc.IsBlockhashValid(c.ctx, latest.Value.Blockhash, rpc.CommitmentFinalized)
	if err != nil || valid.Value {
		t.Errorf("isBlockhashValid = %v, %v; want false", valid, err)
	}
	_, err = c.rpc.SendTransaction(c.ctx, tx)
	if got := preflightErr(t, err); got != "BlockhashNotFound" {
		t.Errorf("preflight error %v, want BlockhashNotFound", got)
	}
	// Without preflight the validator accepts the bytes and the transaction never lands.
	sig, err := c.rpc.SendTransactionWithOpts(c.ctx, tx, rpc.TransactionOpts{SkipPreflight: true})
	if err != nil {
		t.Fatalf("sendTransaction with skipPreflight: %v", err)
	}
	if st := c.status(sig); st != nil {
		t.Errorf("expired transaction has status %+v, want none", st)
	}
}

func (c *chain) awaitBlockHeightAbove(h uint64) {
	c.t.Helper()
	deadline := time.Now().Add(statusWait)
	for time.Now().Before(deadline) {
		got, err := c.rpc.GetBlockHeight(c.ctx, rpc.CommitmentFinalized)
		if err != nil {
			c.t.Fatal(err)
		}
		if got > h {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatalf("block height did not pass %d within %v", h, statusWait)
}

func TestDuplicateAlreadyProcessed(t *testing.T) {
	c := newChain(t, localnet.Options{})
	payer := c.funded(lamportsPerSOL)
	tx := c.tx([]solana.PrivateKey{payer}, transferIx(payer.PublicKey(), solana.NewWallet().PublicKey(), lamportsPerSOL/10))
	sig := c.send(tx)

	_, err := c.rpc.SendTransaction(c.ctx, tx)
	if got := preflightErr(t, err); got != "AlreadyProcessed" {
		t.Errorf("preflight error %v, want AlreadyProcessed", got)
	}
	again, err := c.rpc.SendTransactionWithOpts(c.ctx, tx, rpc.TransactionOpts{SkipPreflight: true})
	if err != nil || again != sig {
		t.Errorf("resend with skipPreflight = %s, %v; want %s, nil", again, err, sig)
	}
	bal, err := c.rpc.GetBalance(c.ctx, payer.PublicKey(), rpc.CommitmentFinalized)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(lamportsPerSOL - lamportsPerSOL/10 - 5000); bal.Value != want {
		t.Errorf("payer balance %d, want %d (one transfer, one fee)", bal.Value, want)
	}
}

func TestFailedTransaction(t *testing.T) {
	c := newChain(t, localnet.Options{})
	payer := c.funded(lamportsPerSOL)
	tx := c.tx([]solana.PrivateKey{payer}, transferIx(payer.PublicKey(), solana.NewWallet().PublicKey(), 2*lamportsPerSOL))

	_, err := c.rpc.SendTransaction(c.ctx, tx)
	want := map[string]any{"InstructionError": []any{0, map[string]any{"Custom": 1}}} // SystemError::ResultWithNegativeLamports
	if got := preflightErr(t, err); !sameJSON(got, want) {
		t.Errorf("preflight error %v, want %v", got, want)
	}
	if logs := rpcError(t, err).Data.(map[string]any)["logs"]; logs == nil {
		t.Error("preflight failure carries no logs")
	}

	// Without preflight it lands, fails, and pays its fee.
	sig, err := c.rpc.SendTransactionWithOpts(c.ctx, tx, rpc.TransactionOpts{SkipPreflight: true})
	if err != nil {
		t.Fatal(err)
	}
	if st := c.await(sig); st.Err == nil {
		t.Errorf("status %+v, want an error", st)
	}
	res, err := c.rpc.GetTransaction(c.ctx, sig, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Meta.Err == nil || res.Meta.Fee != 5000 {
		t.Errorf("meta err %v fee %d, want an error and fee 5000", res.Meta.Err, res.Meta.Fee)
	}
}

func TestSimulateTransaction(t *testing.T) {
	c := newChain(t, localnet.Options{})
	payer := c.funded(lamportsPerSOL)

	ok := c.tx([]solana.PrivateKey{payer}, memoIx(payer.PublicKey(), "dry run"))
	res, err := c.rpc.SimulateTransactionWithOpts(c.ctx, ok, &rpc.SimulateTransactionOpts{SigVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Value.Err != nil || !containsLine(res.Value.Logs, "Memo (len 7)") {
		t.Errorf("simulation err %v logs %q, want success running the memo program", res.Value.Err, res.Value.Logs)
	}
	if st := c.status(ok.Signatures[0]); st != nil {
		t.Errorf("simulated transaction has status %+v, want none", st)
	}

	bad := c.tx([]solana.PrivateKey{payer}, transferIx(payer.PublicKey(), solana.NewWallet().PublicKey(), 2*lamportsPerSOL))
	res, err = c.rpc.SimulateTransactionWithOpts(c.ctx, bad, &rpc.SimulateTransactionOpts{ReplaceRecentBlockhash: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Value.Err == nil {
		t.Error("simulating an overdraft succeeded, want an instruction error")
	}
}

func TestUnknownSignature(t *testing.T) {
	c := newChain(t, localnet.Options{})
	var sig solana.Signature
	copy(sig[:], bytes.Repeat([]byte{7}, len(sig)))
	if st := c.status(sig); st != nil {
		t.Errorf("status of an unknown signature = %+v, want null", st)
	}
	if _, err := c.rpc.GetTransaction(c.ctx, sig, nil); !errors.Is(err, rpc.ErrNotFound) {
		t.Errorf("getTransaction of an unknown signature: %v, want rpc.ErrNotFound", err)
	}
}

func TestVersionAndHealth(t *testing.T) {
	c := newChain(t, localnet.Options{})
	if h, err := c.rpc.GetHealth(c.ctx); err != nil || h != rpc.HealthOk {
		t.Errorf("getHealth = %q, %v", h, err)
	}
	if v, err := c.rpc.GetVersion(c.ctx); err != nil || v.SolanaCore == "" {
		t.Errorf("getVersion = %+v, %v", v, err)
	}
	slot, err := c.rpc.GetSlot(c.ctx, rpc.CommitmentFinalized)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	later, err := c.rpc.GetSlot(c.ctx, rpc.CommitmentFinalized)
	if err != nil || later <= slot {
		t.Errorf("slot %d then %d after 500ms (%v), want it to advance with time", slot, later, err)
	}
}

// BenchmarkMintToTransaction sends transactions of 19 MintTo instructions
// (the reward writer's packing when accounts exist), with preflight, one
// after another, and reports how many the runtime lands per second.
func BenchmarkMintToTransaction(b *testing.B) {
	const perTx = 19
	c := newChain(b, localnet.Options{})
	authority := c.funded(10 * lamportsPerSOL)
	mint := solana.NewWallet().PrivateKey
	c.send(c.tx([]solana.PrivateKey{authority, mint},
		system.NewCreateAccountInstruction(lamportsPerSOL/100, mintSize, solana.TokenProgramID, authority.PublicKey(), mint.PublicKey()).Build(),
		token.NewInitializeMint2InstructionBuilder().
			SetDecimals(6).SetMintAuthority(authority.PublicKey()).SetMintAccount(mint.PublicKey()).Build(),
	))
	atas := make([]solana.PublicKey, perTx)
	var creates []solana.Instruction
	for i := range atas {
		owner := solana.NewWallet().PublicKey()
		atas[i], _, _ = solana.FindAssociatedTokenAddress(owner, mint.PublicKey())
		creates = append(creates, createATAIdempotent(authority.PublicKey(), atas[i], owner, mint.PublicKey()))
	}
	for i := 0; i < len(creates); i += 6 {
		c.send(c.tx([]solana.PrivateKey{authority}, creates[i:min(i+6, len(creates))]...))
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		ixs := make([]solana.Instruction, perTx)
		for i, ata := range atas {
			ixs[i] = token.NewMintToInstruction(uint64(n+1), mint.PublicKey(), ata, authority.PublicKey(), nil).Build()
		}
		c.send(c.tx([]solana.PrivateKey{authority}, ixs...))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}
