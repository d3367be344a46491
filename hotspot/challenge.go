package hotspot

import (
	"bytes"
	"crypto/sha256"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// Reasons a challenge is refused: the "reason" label of
// hexnet_hotspot_challenges_refused_total. Stats.dropped counts them too,
// as "challenge_" + reason. A refused challenge transmits nothing.
const (
	RefuseNoOracle     = "no_oracle"        // Options.Oracle is empty
	RefuseBadEnvelope  = "bad_envelope"     // undecodable, wrong kind or bad signature
	RefuseWrongSigner  = "wrong_signer"     // validly signed, but not by the oracle
	RefuseNotMine      = "wrong_challengee" // addressed to another hotspot
	RefuseExpired      = "expired"          // expires_unix_ns is not after now
	RefuseTooLong      = "expiry_too_far"   // expires more than MaxChallengeLifetime ahead
	RefuseWrongPayload = "wrong_payload"    // not beacon.Payload(entropy, own key)
	RefuseBadRadio     = "bad_radio"        // frequency, data rate or power no concentrator sends
	RefuseReplayed     = "replayed"         // this challenge was obeyed already
	RefuseBusy         = "busy"             // too many live challenges remembered
)

// MaxChallengeLifetime bounds how far ahead a challenge may expire. The
// hotspot remembers each obeyed challenge until it expires (to refuse
// replays), so the bound also bounds that memory.
const MaxChallengeLifetime = time.Hour

// onChallenge receives a challenge from the broker: a checked challenge
// makes the hotspot beacon, anything else is refused and counted.
func (d *Daemon) onChallenge(_ string, raw []byte) {
	d.metrics.challenges.Inc()
	env, ch, reason := d.checkChallenge(raw)
	if reason != "" {
		d.metrics.refuse(reason)
		d.log.Info("challenge refused", "reason", reason, "round", ch.GetRound())
		return
	}
	d.metrics.accepted.Inc()
	d.log.Info("challenge accepted; beaconing", "round", ch.GetRound(), "frequency_hz", ch.GetFrequencyHz(),
		"sf", ch.GetDataRate().GetSpreadingFactor(), "power_dbm", ch.GetPowerDbm())
	d.sendBeacon(env, beaconItem(ch))
}

// checkChallenge verifies a challenge envelope and decides whether to obey
// it; reason is empty when the beacon must go out. A challenge that passes
// is remembered, so that the same one is refused as replayed afterwards.
func (d *Daemon) checkChallenge(raw []byte) (*hexnetpb.Signed, *hexnetpb.Challenge, string) {
	if d.o.Oracle == "" {
		return nil, nil, RefuseNoOracle
	}
	var env hexnetpb.Signed
	var ch hexnetpb.Challenge
	if proto.Unmarshal(raw, &env) != nil {
		return nil, nil, RefuseBadEnvelope
	}
	signer, err := identity.Open(&env, identity.KindChallenge, &ch)
	switch {
	case err != nil:
		return nil, nil, RefuseBadEnvelope
	case signer != d.o.Oracle:
		return nil, &ch, RefuseWrongSigner
	}
	now := d.now()
	if reason := d.judge(&ch, now); reason != "" {
		return nil, &ch, reason
	}
	key := sha256.Sum256(env.GetBody())
	expires := time.Unix(0, ch.GetExpiresUnixNs())
	if reason := d.challenges.remember(key, expires, ch.GetBeaconPayload(), now); reason != "" {
		return nil, &ch, reason
	}
	return &env, &ch, ""
}

// judge checks a verified challenge's content against this hotspot and now.
func (d *Daemon) judge(ch *hexnetpb.Challenge, now time.Time) string {
	own := d.o.Key.Public()
	expires := time.Unix(0, ch.GetExpiresUnixNs())
	switch {
	case !bytes.Equal(ch.GetChallengee(), own):
		return RefuseNotMine
	case !now.Before(expires):
		return RefuseExpired
	case expires.Sub(now) > MaxChallengeLifetime:
		return RefuseTooLong
	case !bytes.Equal(ch.GetBeaconPayload(), beacon.Payload(ch.GetEntropy(), own)):
		return RefuseWrongPayload
	case checkItem(beaconItem(ch)) != nil:
		return RefuseBadRadio
	}
	return ""
}

// beaconItem is the transmission a challenge asks for: the beacon frame,
// sent at once (the forwarder's "imme"; no concentrator timing is needed,
// and the witnesses' times are judged against the beacon report's) with
// normal, not inverted, polarity: a beacon is an uplink-shaped frame, so
// that other gateways — which listen with uplink polarity — demodulate it.
func beaconItem(ch *hexnetpb.Challenge) *hexnetpb.DownlinkItem {
	return &hexnetpb.DownlinkItem{
		PhyPayload:     beacon.Frame(ch.GetBeaconPayload()),
		FrequencyHz:    ch.GetFrequencyHz(),
		DataRate:       ch.GetDataRate(),
		PowerDbm:       ch.GetPowerDbm(),
		Immediately:    true,
		InvertPolarity: false,
	}
}

// sendBeacon hands the beacon to the downlink path; its final TX result
// comes back to reportBeacon instead of the ack topic.
func (d *Daemon) sendBeacon(challenge *hexnetpb.Signed, item *hexnetpb.DownlinkItem) {
	req := &txRequest{
		dl:     &hexnetpb.Downlink{Items: []*hexnetpb.DownlinkItem{item}},
		report: func(r txResult) { d.reportBeacon(challenge, item, r) },
	}
	d.sendItem(req, 0)
}

// reportBeacon publishes the signed BeaconReport: the oracle's challenge
// verbatim, what was handed to the forwarder and what it answered.
func (d *Daemon) reportBeacon(challenge *hexnetpb.Signed, item *hexnetpb.DownlinkItem, r txResult) {
	d.metrics.beacons.WithLabelValues(r.code).Inc()
	payload, _ := beacon.Parse(item.GetPhyPayload())
	msg := &hexnetpb.BeaconReport{
		Challenge:   challenge,
		Payload:     payload,
		FrequencyHz: item.GetFrequencyHz(),
		DataRate:    item.GetDataRate(),
		PowerDbm:    item.GetPowerDbm(),
		Tmst:        item.GetTmst(), // 0: sent immediately
		TxUnixNs:    r.at.UnixNano(),
		TxAckError:  r.code,
	}
	if r.code == string(gwmp.TxNone) {
		d.log.Info("beacon sent", "frequency_hz", msg.FrequencyHz)
	} else {
		d.log.Warn("beacon not sent", "error", r.code)
	}
	d.enqueue(job{topic: Topic(d.addr, LeafBeacon), qos: 1, kind: identity.KindBeacon, msg: msg})
}
