package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	solana "github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/rpc"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/daemon"
	"github.com/hexnet/hexnet/oracle/verify"
	"github.com/hexnet/hexnet/sim"
	"github.com/hexnet/hexnet/solana/localnet"
	"github.com/hexnet/hexnet/store"
)

// mintDecimals are the reward token's decimals.
const mintDecimals = 6

// chain is the devnet's PoC side: the local Solana runtime, the oracle and
// its HTTP API, and the tally of closed and paid epochs.
type chain struct {
	localnet *localnet.Localnet
	rpc      *rpc.Client
	key      *identity.Key
	owners   []*identity.Key
	oracle   *daemon.Oracle
	api      *http.Server
	apiLn    net.Listener

	mu       sync.Mutex
	closed   []oracle.Result
	paid     map[uint64][]string
	earned   map[identity.Address]uint64 // all rewards
	provedBy map[identity.Address]uint64 // beacon and witness rewards only
	verified []verify.Result
	schedule oracle.Schedule
	rules    oracle.Rules
}

// startSolana runs the local Solana runtime and funds the oracle key.
func (d *devnet) startSolana(ctx context.Context) error {
	// The runtime outlives --for: the closing epochs are paid and verified
	// after the simulation stops; close() stops it.
	ln, err := localnet.Start(context.WithoutCancel(ctx), localnet.Options{Listen: d.cfg.SolanaListen, Logger: d.log.With("component", "localnet")})
	if err != nil {
		return err
	}
	d.chain.localnet, d.chain.rpc = ln, rpc.New(ln.URL())
	return airdrop(ctx, d.chain.rpc, d.chain.key, 100)
}

func airdrop(ctx context.Context, c *rpc.Client, k *identity.Key, sol uint64) error {
	pub := solana.PublicKeyFromBytes(k.Public())
	sig, err := c.RequestAirdrop(ctx, pub, sol*solana.LAMPORTS_PER_SOL, rpc.CommitmentFinalized)
	if err != nil {
		return fmt.Errorf("airdrop to the oracle key: %w", err)
	}
	for i := 0; i < 100; i++ {
		st, err := c.GetSignatureStatuses(ctx, true, sig)
		if err == nil && len(st.Value) == 1 && st.Value[0] != nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("airdrop to the oracle key never confirmed")
}

// deriveKey makes a deterministic key for the devnet's owners.
func deriveKey(seed int64, label string, i int) *identity.Key {
	s := sha256.Sum256([]byte(fmt.Sprintf("hexnet-devnet/%d/%s/%d", seed, label, i)))
	k, _ := identity.FromSeed(s[:])
	return k
}

// onboard registers every simulated hotspot with its owner and asserts its
// location, as owners would with `hexnet hotspot onboard/assert-location`.
func (d *devnet) onboard(ctx context.Context) error {
	now := time.Now()
	known := func(r string) bool { return r == "EU868" }
	for i, h := range d.world.Hotspots() {
		owner := d.chain.owners[i%len(d.chain.owners)]
		raw, err := oracle.SignOnboard(owner, h.Key, 1, now)
		if err == nil {
			_, err = oracle.Register(ctx, d.db, raw, now)
		}
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("onboard %s: %w", h.Address, err)
		}
		if err := d.assert(ctx, owner, h, known, now); err != nil {
			return err
		}
	}
	return nil
}

func (d *devnet) assert(ctx context.Context, owner *identity.Key, h sim.Hotspot, known oracle.RegionKnown, now time.Time) error {
	l := oracle.Location{Cell: uint64(h.Cell), GainDBiX10: int32(h.AntennaGainDBi * 10), ElevationM: int32(h.AltitudeM),
		Region: "EU868", Nonce: uint64(now.UnixNano()), AssertedAt: now}
	raw, err := oracle.SignLocation(owner, h.Address, l)
	if err != nil {
		return err
	}
	if _, err := oracle.Relocate(ctx, d.db, h.Address, raw, known, now); err != nil {
		return fmt.Errorf("assert location of %s: %w", h.Address, err)
	}
	return nil
}

// startOracle builds the oracle over the devnet's broker, store and
// Solana runtime, with epochs starting now.
func (d *devnet) startOracle(ctx context.Context) error {
	bus, err := d.connect(ctx, "oracle", internalUser, d.password)
	if err != nil {
		return err
	}
	d.clients = append(d.clients, bus)
	d.chain.schedule = oracle.Schedule{Genesis: time.Now(), Length: d.cfg.Epoch, Grace: d.cfg.EpochGrace}
	d.chain.rules = oracle.DefaultRules(d.chain.key.Address())
	o, err := daemon.New(ctx, daemon.Options{
		Key: d.chain.key, Store: d.db, Bus: bus, Solana: d.chain.rpc,
		Schedule: d.chain.schedule, Rules: d.chain.rules,
		RoundLength: d.cfg.Round, BeaconInterval: d.cfg.BeaconInterval, MintDecimals: mintDecimals,
		Clock: clock.Real{}, Logger: d.log.With("component", "oracle"), Registerer: d.reg, OnEpoch: d.onEpoch,
	})
	if err != nil {
		return err
	}
	d.chain.oracle = o
	return d.listenAPI()
}

func (d *devnet) listenAPI() error {
	ln, err := net.Listen("tcp", d.cfg.APIListen)
	if err != nil {
		return fmt.Errorf("oracle API listen %s: %w (choose another --api-listen)", d.cfg.APIListen, err)
	}
	d.chain.apiLn = ln
	d.chain.api = &http.Server{Handler: d.chain.oracle.Handler(), ReadHeaderTimeout: 5 * time.Second}
	return nil
}

// onEpoch prints each epoch as it closes and as it is paid.
func (d *devnet) onEpoch(ev daemon.Event) {
	c := &d.chain
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case ev.Err != nil:
		fmt.Fprintf(d.out, "epoch %d: payment failed, retrying: %v\n", ev.Epoch.Number, ev.Err)
	case ev.Result != nil:
		c.closed = append(c.closed, *ev.Result)
		for _, e := range ev.Result.Manifest.Entries {
			c.earned[e.Hotspot] += e.Total
			c.provedBy[e.Hotspot] += e.Beacon + e.Witness
		}
		fmt.Fprintln(d.out, epochLine(*ev.Result))
	default:
		c.paid[ev.Epoch.Number] = ev.Paid
		fmt.Fprintf(d.out, "epoch %d paid on Solana: %d transaction(s), first %s\n", ev.Epoch.Number, len(ev.Paid), first(ev.Paid))
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return s[0]
}

// epochLine summarises a closed epoch: beacons, witnesses valid and
// invalid by reason, tokens minted.
func epochLine(r oracle.Result) string {
	count := map[oracle.ReportKind]int{}
	valid := map[oracle.ReportKind]int{}
	invalid := map[string]int{}
	for _, v := range r.Verdicts {
		count[v.Kind]++
		switch {
		case v.Valid:
			valid[v.Kind]++
		default:
			invalid[v.Reason]++
		}
	}
	return fmt.Sprintf("epoch %d closed: %d beacons (%d valid), %d witnesses (%d valid)%s; %s tokens to %d hotspots; root %x",
		r.Epoch, count[oracle.KindBeacon], valid[oracle.KindBeacon], count[oracle.KindWitness], valid[oracle.KindWitness],
		reasons(invalid), tokens(r.Manifest.Sum()), len(r.Manifest.Entries), r.Root[:6])
}

func reasons(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return "; invalid: " + strings.Join(parts, ", ")
}

func tokens(base uint64) string {
	return fmt.Sprintf("%.6f", float64(base)/1e6)
}

// verifyClosed re-checks every closed epoch as an outside verifier would:
// re-judged from the stored signed reports with every signature checked,
// the root compared with the stored one and the memos on chain.
func (d *devnet) verifyClosed(ctx context.Context) {
	c := &d.chain
	c.mu.Lock()
	epochs := make([]uint64, len(c.closed))
	for i, r := range c.closed {
		epochs[i] = r.Epoch
	}
	c.mu.Unlock()
	for _, n := range epochs {
		r, err := verify.Epoch(ctx, d.db, c.rpc, c.schedule, c.rules, n)
		if err != nil {
			r = verify.Result{Epoch: n, Problems: []string{err.Error()}}
		}
		verdict := "verified: root " + r.Root[:min(12, len(r.Root))] + " recomputed from signed reports"
		if !r.OK() {
			verdict = "VERIFY FAILED: " + strings.Join(r.Problems, "; ")
		} else if r.Transactions > 0 {
			verdict += fmt.Sprintf(", matches the memo of %d transaction(s) on chain", r.Transactions)
		}
		fmt.Fprintf(d.out, "epoch %d %s\n", n, verdict)
		c.mu.Lock()
		c.verified = append(c.verified, r)
		c.mu.Unlock()
	}
}

// neighbours counts hotspots that a beacon linked to another hotspot at
// least 500 m away (closer ones prove no coverage), and how many of those
// earned proof-of-coverage rewards.
func (d *devnet) neighbours() (linked, earning int) {
	hs := d.world.Hotspots()
	has := map[int]bool{}
	for from, bs := range d.world.BeaconsHeard() {
		for _, b := range bs {
			for _, rc := range b.Receptions {
				if geo.DistanceM(hs[from].Point(), hs[rc.Hotspot].Point()) >= 500 {
					has[from], has[rc.Hotspot] = true, true
				}
			}
		}
	}
	d.chain.mu.Lock()
	defer d.chain.mu.Unlock()
	for i := range has {
		linked++
		if d.chain.provedBy[hs[i].Address] > 0 {
			earning++
		}
	}
	return linked, earning
}
