// Package daemon assembles the oracle service: presence from hotspot
// states, report ingest, the challenger, the epoch closer, the Solana
// payer and the HTTP API, over any MQTT broker, store and Solana RPC node.
// cmd/oracle and cmd/devnet both run it.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	solana "github.com/gagliardetto/solana-go"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/oracle/api"
	"github.com/hexnet/hexnet/oracle/payout"
	"github.com/hexnet/hexnet/region"
	"github.com/hexnet/hexnet/web"
)

// PubSub is the MQTT connection the oracle uses (satisfied by
// *mqttclient.Client).
type PubSub interface {
	oracle.Bus
	Subscribe(ctx context.Context, topic string, qos byte, h func(topic string, payload []byte)) error
}

// Options configure the oracle.
type Options struct {
	Key            *identity.Key
	Store          oracle.Store
	Bus            PubSub
	Solana         payout.RPC // nil: epochs close but are not paid
	Schedule       oracle.Schedule
	Rules          oracle.Rules
	RoundLength    time.Duration
	BeaconInterval time.Duration
	MintDecimals   uint8
	ShareGroup     string // MQTT shared-subscription group for reports; "" subscribes plainly
	Clock          clock.Clock
	Logger         *slog.Logger
	Registerer     prometheus.Registerer
	// OnEpoch reports each epoch as it closes and as it is paid.
	OnEpoch func(Event)
}

// Event is an epoch milestone, for operators' terminals.
type Event struct {
	Epoch  oracle.Epoch
	Result *oracle.Result // set when the epoch closed
	Paid   []string       // reward transaction signatures, once paid
	Err    error
}

// Oracle is a configured oracle service.
type Oracle struct {
	o        Options
	presence *oracle.Presence
	ingest   *oracle.Ingest
	chal     *oracle.Challenger
	closer   *oracle.Closer
	writer   *payout.Writer
	mint     solana.PublicKey
	pay      chan struct{}
	http     http.Handler
}

// New builds the service; with a Solana RPC it makes sure the reward mint
// exists (the oracle key pays for it and is its mint authority).
func New(ctx context.Context, o Options) (*Oracle, error) {
	if err := o.Schedule.Validate(); err != nil {
		return nil, err
	}
	if o.Rules.Oracle == "" {
		o.Rules.Oracle = o.Key.Address()
	}
	d := &Oracle{o: o, presence: oracle.NewPresence(), pay: make(chan struct{}, 1)}
	metrics := oracle.NewMetrics(o.Registerer)
	d.ingest = oracle.NewIngest(oracle.IngestOptions{Store: o.Store, Oracle: o.Key.Address(), Schedule: o.Schedule,
		Clock: o.Clock, Logger: o.Logger, Metrics: metrics})
	chal, err := oracle.NewChallenger(oracle.ChallengerOptions{Key: o.Key, Registry: o.Store, Rounds: o.Store, Bus: o.Bus,
		Presence: d.presence, Clock: o.Clock, RoundLength: o.RoundLength, BeaconInterval: o.BeaconInterval,
		PublicMix: d.publicMix, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	d.chal = chal
	judge := &oracle.Judge{Store: o.Store, Schedule: o.Schedule, Rules: o.Rules}
	d.closer = &oracle.Closer{Judge: judge, Clock: o.Clock, Log: o.Logger, OnClosed: d.closed}
	if err := d.setupPayout(ctx); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", api.New(api.Options{Store: o.Store, Presence: d.presence, Schedule: o.Schedule, Mint: d.mintString(),
		Regions: knownRegion, Clock: o.Clock, Logger: o.Logger, Registerer: o.Registerer}))
	mux.Handle("/", web.Handler())
	d.http = mux
	return d, nil
}

func knownRegion(name string) bool {
	_, err := region.Lookup(name)
	return err == nil
}

func (d *Oracle) setupPayout(ctx context.Context) error {
	if d.o.Solana == nil {
		return nil
	}
	mint, err := payout.EnsureMint(ctx, d.o.Solana, d.o.Key, d.o.MintDecimals)
	if err != nil {
		return fmt.Errorf("reward mint: %w (the oracle key %s pays for it: fund it with SOL)", err, d.o.Key.Address())
	}
	d.mint = mint
	d.writer = &payout.Writer{RPC: d.o.Solana, Store: d.o.Store, Key: d.o.Key, Mint: mint, Clock: d.o.Clock, Logger: d.o.Logger}
	return nil
}

func (d *Oracle) mintString() string {
	if d.writer == nil {
		return ""
	}
	return d.mint.String()
}

// Mint is the reward mint's address ("" when not paying on Solana).
func (d *Oracle) Mint() string { return d.mintString() }

// Handler serves the HTTP API under /api/ and the coverage map (package
// web) at every other path.
func (d *Oracle) Handler() http.Handler { return d.http }

// Presence tells which hotspots are online.
func (d *Oracle) Presence() *oracle.Presence { return d.presence }

// publicMix mixes the latest Solana blockhash into each round's entropy,
// when there is a Solana node; the oracle cannot know it in advance.
func (d *Oracle) publicMix(ctx context.Context) ([]byte, error) {
	if d.o.Solana == nil {
		return nil, nil
	}
	bh, err := d.o.Solana.GetLatestBlockhash(ctx, "finalized")
	if err != nil {
		return nil, err
	}
	return bh.Value.Blockhash[:], nil
}

// Run subscribes and runs every part until ctx ends or one fails.
func (d *Oracle) Run(ctx context.Context) error {
	if err := d.subscribe(ctx); err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return d.ingest.Run(ctx) })
	g.Go(func() error { return d.chal.Run(ctx) })
	g.Go(func() error { return d.closer.Run(ctx) })
	g.Go(func() error { return d.payLoop(ctx) })
	return g.Wait()
}

func (d *Oracle) subscribe(ctx context.Context) error {
	share := func(t string) string {
		if d.o.ShareGroup == "" {
			return t
		}
		return "$share/" + d.o.ShareGroup + "/" + t
	}
	subs := []struct {
		topic string
		h     func(string, []byte)
	}{
		{"hexnet/hotspot/+/state", d.presence.Handle},
		{share("hexnet/hotspot/+/beacon"), d.ingest.Handle},
		{share("hexnet/hotspot/+/witness"), d.ingest.Handle},
	}
	for _, s := range subs {
		if err := d.o.Bus.Subscribe(ctx, s.topic, 1, s.h); err != nil {
			return fmt.Errorf("subscribe %s: %w", s.topic, err)
		}
	}
	return nil
}

func (d *Oracle) closed(_ context.Context, e oracle.Epoch, r oracle.Result) {
	d.emit(Event{Epoch: e, Result: &r})
	select {
	case d.pay <- struct{}{}:
	default:
	}
}

func (d *Oracle) emit(ev Event) {
	if d.o.OnEpoch != nil {
		d.o.OnEpoch(ev)
	}
}

// payLoop pays closed epochs in order, at start, after each close and
// every 10 s (to retry), until ctx ends.
func (d *Oracle) payLoop(ctx context.Context) error {
	if d.writer == nil {
		<-ctx.Done()
		return nil
	}
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		d.payClosed(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-d.pay:
		case <-tick.C:
		}
	}
}

func (d *Oracle) payClosed(ctx context.Context) {
	epochs, err := d.o.Store.ListEpochs(ctx)
	if err != nil {
		d.o.Logger.Warn("list epochs to pay", "err", err)
		return
	}
	for _, e := range epochs {
		if e.Status != oracle.EpochClosed {
			continue
		}
		if err := d.payEpoch(ctx, e); err != nil {
			if !errors.Is(err, context.Canceled) {
				d.o.Logger.Warn("paying epoch failed; will retry", "epoch", e.Number, "err", err)
				d.emit(Event{Epoch: e, Err: err})
			}
			return
		}
	}
}

func (d *Oracle) payEpoch(ctx context.Context, e oracle.Epoch) error {
	entries, err := d.o.Store.Manifest(ctx, e.Number)
	if err != nil {
		return err
	}
	if err := d.writer.Pay(ctx, e, entries); err != nil {
		return err
	}
	if err := d.o.Store.MarkPaid(ctx, e.Number); err != nil {
		return fmt.Errorf("mark epoch %d paid: %w", e.Number, err)
	}
	txs, err := d.o.Store.RewardTxsOfEpoch(ctx, e.Number)
	if err != nil {
		return err
	}
	sigs := make([]string, 0, len(txs))
	for _, tx := range txs {
		sigs = append(sigs, tx.Signature)
	}
	e.Status = oracle.EpochPaid
	d.o.Logger.Info("epoch paid", "epoch", e.Number, "transactions", len(sigs))
	d.emit(Event{Epoch: e, Paid: sigs})
	return nil
}
