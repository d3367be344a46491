package oracle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/poc"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/region"
	"github.com/hexnet/hexnet/store"
)

// Bus publishes MQTT messages (satisfied by *mqttclient.Client).
type Bus interface {
	Publish(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error
}

// Topics the challenger publishes on.
const (
	TopicEntropyCommit = "hexnet/oracle/entropy/commit"
	TopicEntropyReveal = "hexnet/oracle/entropy/reveal"
)

// ChallengerOptions configure a Challenger.
type ChallengerOptions struct {
	Key      *identity.Key
	Registry Registry
	Rounds   Rounds
	Bus      Bus
	Presence *Presence
	Clock    clock.Clock
	// RoundLength is how often a round opens; a challenge expires with its round.
	RoundLength time.Duration
	// BeaconInterval is how often each asserted, online hotspot beacons on
	// average; the chance per round is RoundLength / BeaconInterval.
	BeaconInterval time.Duration
	// PublicMix returns a value nobody knew when the secret was drawn (a
	// recent Solana blockhash); nil mixes in nothing.
	PublicMix func(ctx context.Context) ([]byte, error)
	Logger    *slog.Logger
}

// Challenger runs the challenge rounds: it reveals the entropy committed
// for a round, commits the next round's, and challenges the hotspots the
// entropy selects.
type Challenger struct {
	o ChallengerOptions
}

// NewChallenger checks the options.
func NewChallenger(o ChallengerOptions) (*Challenger, error) {
	if o.RoundLength <= 0 || o.BeaconInterval < o.RoundLength {
		return nil, fmt.Errorf("challenger: round length %s must be positive and at most the beacon interval %s", o.RoundLength, o.BeaconInterval)
	}
	if o.PublicMix == nil {
		o.PublicMix = func(context.Context) ([]byte, error) { return nil, nil }
	}
	return &Challenger{o: o}, nil
}

// Run opens a round every RoundLength until ctx ends.
func (c *Challenger) Run(ctx context.Context) error {
	step := func() {
		if err := c.Step(ctx); err != nil && ctx.Err() == nil {
			c.o.Logger.Warn("challenge round failed; next round will retry", "err", err)
		}
	}
	step()
	clock.Every(ctx, c.o.RoundLength, step)
	return nil
}

// Step reveals and challenges the committed round, then commits the next.
// The first step only commits round 1.
func (c *Challenger) Step(ctx context.Context) error {
	last, err := c.o.Rounds.LatestRound(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return c.commit(ctx, 1)
	}
	if err != nil {
		return fmt.Errorf("latest round: %w", err)
	}
	if len(last.Entropy) > 0 { // revealed, but the next commit was lost
		return c.commit(ctx, last.Number+1)
	}
	if err := c.reveal(ctx, &last); err != nil {
		return err
	}
	n, err := c.challenge(ctx, last)
	if err != nil {
		return err
	}
	c.o.Logger.Info("challenge round", "round", last.Number, "challenged", n)
	return c.commit(ctx, last.Number+1)
}

func (c *Challenger) commit(ctx context.Context, n uint64) error {
	secret, err := NewSecret()
	if err != nil {
		return err
	}
	now := c.o.Clock.Now()
	r := Round{Number: n, Commitment: Commitment(secret), Secret: nil, CommittedAt: now}
	if err := c.o.Rounds.SaveRound(ctx, withSecret(r, secret)); err != nil {
		return fmt.Errorf("commit round %d: %w", n, err)
	}
	msg := &hexnetpb.EntropyCommit{Round: n, Commitment: r.Commitment, StartsUnixNs: now.Add(c.o.RoundLength).UnixNano()}
	return c.publish(ctx, TopicEntropyCommit, identity.KindEntropyCommit, msg, true)
}

// withSecret keeps the drawn secret with the commitment so a restarted
// oracle can still reveal it; the API never shows an unrevealed secret.
func withSecret(r Round, secret []byte) Round {
	r.Secret = secret
	r.Entropy = nil
	return r
}

func (c *Challenger) reveal(ctx context.Context, r *Round) error {
	mix, err := c.o.PublicMix(ctx)
	if err != nil {
		return fmt.Errorf("public mix for round %d: %w", r.Number, err)
	}
	r.PublicMix, r.Entropy, r.RevealedAt = mix, Entropy(r.Secret, mix), c.o.Clock.Now()
	if err := c.o.Rounds.SaveRound(ctx, *r); err != nil {
		return fmt.Errorf("reveal round %d: %w", r.Number, err)
	}
	msg := &hexnetpb.EntropyReveal{Round: r.Number, Secret: r.Secret, PublicMix: mix, Entropy: r.Entropy, RevealedUnixNs: r.RevealedAt.UnixNano()}
	return c.publish(ctx, TopicEntropyReveal, identity.KindEntropyReveal, msg, true)
}

func (c *Challenger) publish(ctx context.Context, topic string, kind identity.Kind, msg proto.Message, retained bool) error {
	raw, err := c.o.Key.SealBytes(kind, msg)
	if err != nil {
		return err
	}
	return c.o.Bus.Publish(ctx, topic, 1, retained, raw)
}

// challenge signs, stores and sends a challenge to every eligible hotspot
// the round's entropy selects.
func (c *Challenger) challenge(ctx context.Context, r Round) (int, error) {
	hotspots, err := c.o.Registry.ListOnboarded(ctx)
	if err != nil {
		return 0, fmt.Errorf("list hotspots: %w", err)
	}
	chance := uint64(c.o.RoundLength) * 1_000_000 / uint64(c.o.BeaconInterval)
	now := c.o.Clock.Now()
	var sent []Challenge
	for _, h := range hotspots {
		pub, err := h.Address.PublicKey()
		if err != nil || !c.eligible(h) || !Selected(r.Entropy, pub, chance) {
			continue
		}
		ch, err := c.send(ctx, h, r, now)
		if err != nil {
			c.o.Logger.Warn("challenge not sent", "hotspot", h.Address, "round", r.Number, "err", err)
			continue
		}
		sent = append(sent, ch)
	}
	if err := c.o.Rounds.SaveChallenges(ctx, sent); err != nil {
		return len(sent), fmt.Errorf("store challenges of round %d: %w", r.Number, err)
	}
	return len(sent), nil
}

func (c *Challenger) eligible(h HotspotInfo) bool {
	return h.Location != nil && !h.Denied && c.o.Presence.Online(h.Address)
}

func (c *Challenger) send(ctx context.Context, h HotspotInfo, r Round, now time.Time) (Challenge, error) {
	msg, err := NewChallenge(h, r, now, now.Add(c.o.RoundLength))
	if err != nil {
		return Challenge{}, err
	}
	raw, err := c.o.Key.SealBytes(identity.KindChallenge, msg)
	if err != nil {
		return Challenge{}, err
	}
	if err := c.o.Bus.Publish(ctx, "hexnet/hotspot/"+h.Address.String()+"/challenge", 1, false, raw); err != nil {
		return Challenge{}, err
	}
	return Challenge{Round: r.Number, Challengee: h.Address, IssuedAt: now, Envelope: raw}, nil
}

// NewChallenge builds the signed-to-be challenge for one hotspot from the
// round's entropy (poc.NewChallenge decides payload, channel, data rate and
// power from the hotspot's region plan).
func NewChallenge(h HotspotInfo, r Round, issued, expires time.Time) (*hexnetpb.Challenge, error) {
	if h.Location == nil {
		return nil, fmt.Errorf("hotspot %s has no asserted location", h.Address)
	}
	plan, err := region.Lookup(h.Location.Region)
	if err != nil {
		return nil, err
	}
	pub, err := h.Address.PublicKey()
	if err != nil {
		return nil, err
	}
	c, err := poc.NewChallenge(plan, r.Number, r.Entropy, pocHotspot(h))
	if err != nil {
		return nil, err
	}
	c.IssuedAt, c.ExpiresAt = issued, expires
	return challengeProto(c, pub), nil
}
