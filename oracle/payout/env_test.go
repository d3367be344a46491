package payout

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/rpc"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/manifest"
	"github.com/hexnet/hexnet/solana/localnet"
)

// env is a local Solana runtime with a funded oracle key and its mint.
type env struct {
	t     *testing.T
	net   *localnet.Localnet
	rpc   *rpc.Client
	key   *identity.Key
	mint  solana.PublicKey
	store oracle.Store
}

func newEnv(t *testing.T, opts localnet.Options) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the local Solana runtime")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &env{t: t, net: localnet.ForTestWith(t, opts), store: newStore(t)}
	e.rpc = rpc.New(e.net.URL())
	e.key = keyOf(t, "oracle/"+t.Name())
	e.fund(e.key)
	mint, err := EnsureMint(context.Background(), e.rpc, e.key, 6)
	if err != nil {
		t.Fatal(err)
	}
	e.mint = mint
	return e
}

func keyOf(t testing.TB, label string) *identity.Key {
	seed := sha256.Sum256([]byte(label))
	key, err := identity.FromSeed(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// fund airdrops 1,000 SOL and waits until the balance shows it.
func (e *env) fund(key *identity.Key) {
	e.t.Helper()
	ctx := context.Background()
	pub := PrivateKey(key).PublicKey()
	if _, err := e.rpc.RequestAirdrop(ctx, pub, 1000*solana.LAMPORTS_PER_SOL, rpc.CommitmentConfirmed); err != nil {
		e.t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if bal, err := e.rpc.GetBalance(ctx, pub, rpc.CommitmentConfirmed); err == nil && bal.Value > 0 {
			return
		}
	}
	e.t.Fatal("airdrop did not arrive")
}

// writer is a Writer for the env, fast-paced for tests.
func (e *env) writer(r RPC, crash func(string) error) *Writer {
	if r == nil {
		r = e.rpc
	}
	return &Writer{
		RPC: r, Store: e.store, Key: e.key, Mint: e.mint,
		Logger:  slog.New(slog.DiscardHandler),
		Poll:    10 * time.Millisecond,
		Resend:  100 * time.Millisecond,
		Backoff: Backoff{Initial: 5 * time.Millisecond, Max: 50 * time.Millisecond, Tries: 8},
		Window:  16,
		crash:   crash,
	}
}

// world is an epoch's manifest over owners, every fifth of whom has a
// second hotspot.
type world struct {
	epoch   oracle.Epoch
	entries []oracle.ManifestEntry
	owed    map[identity.Address]uint64 // by owner
}

func newWorld(t testing.TB, number uint64, owners int) world {
	w := world{owed: map[identity.Address]uint64{}}
	hotspot := 0
	for i := 0; i < owners; i++ {
		owner := address(t, "owner", i)
		for h := 0; h < 1+btoi(i%5 == 0); h++ {
			amount := uint64(1_000_000 + 7919*hotspot + int(number)*13)
			w.entries = append(w.entries, oracle.ManifestEntry{Hotspot: address(t, "hotspot", hotspot), Owner: owner, Beacon: amount, Total: amount})
			w.owed[owner] += amount
			hotspot++
		}
	}
	slices.SortFunc(w.entries, func(a, b oracle.ManifestEntry) int { return compareKeys(t, a.Hotspot, b.Hotspot) })
	root, err := manifest.Root(number, w.entries)
	if err != nil {
		t.Fatal(err)
	}
	w.epoch = oracle.Epoch{Number: number, Status: oracle.EpochClosed, Root: root[:]}
	return w
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func compareKeys(t testing.TB, a, b identity.Address) int {
	ka, _ := a.PublicKey()
	kb, _ := b.PublicKey()
	return slices.Compare(ka, kb)
}

// balances reads every owner's token balance (0 when there is no account).
func (e *env) balances(owners map[identity.Address]uint64) map[identity.Address]uint64 {
	e.t.Helper()
	out := map[identity.Address]uint64{}
	for owner := range owners {
		pub, _ := PublicKey(owner)
		ata, _ := ATA(pub, e.mint)
		res, err := e.rpc.GetTokenAccountBalance(context.Background(), ata, rpc.CommitmentConfirmed)
		if err != nil {
			e.t.Fatalf("balance of %s: %v", owner, err)
		}
		n, err := strconv.ParseUint(res.Value.Amount, 10, 64)
		if err != nil {
			e.t.Fatal(err)
		}
		out[owner] = n
	}
	return out
}

// checkPaid asserts every owner holds exactly what they are owed.
func (e *env) checkPaid(owed map[identity.Address]uint64) {
	e.t.Helper()
	got := e.balances(owed)
	wrong := 0
	for owner, want := range owed {
		if got[owner] != want {
			if wrong++; wrong <= 5 {
				e.t.Errorf("owner %s holds %d, owed %d (%.2fx)", owner, got[owner], want, float64(got[owner])/float64(want))
			}
		}
	}
	if wrong > 0 {
		e.t.Errorf("%d of %d owners hold the wrong amount", wrong, len(owed))
	}
}

func (e *env) rows(epoch uint64) []oracle.RewardTx {
	e.t.Helper()
	rows, err := e.store.RewardTxsOfEpoch(context.Background(), epoch)
	if err != nil {
		e.t.Fatal(err)
	}
	return rows
}

// addOwed adds b's amounts to a.
func addOwed(a, b map[identity.Address]uint64) map[identity.Address]uint64 {
	out := map[identity.Address]uint64{}
	for k, v := range a {
		out[k] += v
	}
	for k, v := range b {
		out[k] += v
	}
	return out
}

var errCrash = fmt.Errorf("simulated crash")
