package poc

import (
	"bytes"
	"fmt"
	"time"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/region"
)

// NewChallenge derives everything a challenged hotspot must transmit from
// the round's entropy, the hotspot and its region plan: the payload
// (beacon.Payload), the channel (beacon.Channel over
// region.BeaconChannels), the data rate (the first that fits the payload)
// and the conducted power (maximum EIRP minus antenna gain, rounded down).
// The caller sets IssuedAt and ExpiresAt.
func NewChallenge(plan region.Plan, round uint64, entropy []byte, h Hotspot) (Challenge, error) {
	pub, err := h.Address.PublicKey()
	if err != nil {
		return Challenge{}, fmt.Errorf("challenge %s: %w", h.Address, err)
	}
	chans := region.BeaconChannels(plan)
	dr, err := region.BeaconDataRate(plan, beacon.PayloadSize)
	if err != nil {
		return Challenge{}, fmt.Errorf("challenge %s: %w", h.Address, err)
	}
	ch := chans[beacon.Channel(entropy, pub, len(chans))]
	return Challenge{
		Round:       round,
		Entropy:     append([]byte(nil), entropy...),
		Challengee:  h.Address,
		Payload:     beacon.Payload(entropy, pub),
		FrequencyHz: uint64(ch.FrequencyHz),
		DataRate:    DataRate{SpreadingFactor: dr.SpreadingFactor, BandwidthHz: dr.BandwidthHz},
		PowerDBm:    region.BeaconPowerDBm(plan, h.GainDBi),
	}, nil
}

// JudgeBeacon judges a beacon report against the challenge it answers.
// Rules, in order: the beaconer is known, not denied and asserted; the
// report answers this challenge (hotspot, round, entropy) and arrived
// between the challenge's issue and its expiry plus Params.BeaconGrace;
// the payload is beacon.Payload(entropy, challengee); frequency and data
// rate are as challenged and power no higher; the forwarder acknowledged
// the transmission. A valid beacon earns only if its beaconer is
// reciprocal at the report's arrival; this beacon counts as its recent
// beacon with witnesses (without any witness it earns nothing anyway), so
// in effect the beaconer must have witnessed within the window.
func JudgeBeacon(p Params, want Challenge, b Beacon, lookup Lookup) Verdict {
	h, ok := lookup(b.Beaconer)
	if v, bad := judgeParticipant(h, ok); bad {
		return v
	}
	if v, bad := judgeAnswer(p, want, b); bad {
		return v
	}
	if v, bad := judgeTransmission(want, b); bad {
		return v
	}
	return reciprocity(p, accept(""), b.ReceivedAt, h.LastWitness, b.ReceivedAt)
}

// judgeParticipant applies the registry rules shared by beaconers and
// witnesses.
func judgeParticipant(h Hotspot, known bool) (Verdict, bool) {
	switch {
	case !known:
		return reject(UnknownHotspot, "not in the registry"), true
	case h.Denied:
		return reject(Denied, "%s is on the deny list", h.Address), true
	case !h.Asserted || !h.Cell.Valid() || h.Cell.Resolution() < geo.ResAsserted:
		return reject(NoLocation, "no valid asserted location (a resolution-%d H3 cell)", geo.ResAsserted), true
	}
	return Verdict{}, false
}

// judgeAnswer checks that b answers want, in time.
func judgeAnswer(p Params, want Challenge, b Beacon) (Verdict, bool) {
	switch {
	case b.Beaconer != want.Challengee:
		return reject(NoChallenge, "challenge was for %s", want.Challengee), true
	case b.Round != want.Round || !bytes.Equal(b.Entropy, want.Entropy):
		return reject(NoChallenge, "report for round %d, challenge for round %d", b.Round, want.Round), true
	case !want.IssuedAt.IsZero() && b.ReceivedAt.Before(want.IssuedAt):
		return reject(Early, "received %v before the challenge was issued", want.IssuedAt.Sub(b.ReceivedAt)), true
	case !want.ExpiresAt.IsZero() && b.ReceivedAt.After(want.ExpiresAt.Add(p.BeaconGrace)):
		return reject(ChallengeExpired, "received %v after expiry (grace %v)", b.ReceivedAt.Sub(want.ExpiresAt), p.BeaconGrace), true
	}
	return Verdict{}, false
}

// judgeTransmission checks what was sent against what was asked.
func judgeTransmission(want Challenge, b Beacon) (Verdict, bool) {
	pub, err := want.Challengee.PublicKey()
	if err != nil {
		return reject(NoChallenge, "challengee: %v", err), true
	}
	switch {
	case !bytes.Equal(b.Payload, beacon.Payload(want.Entropy, pub)):
		return reject(WrongPayload, "payload %x is not the challenge's", b.Payload), true
	case b.FrequencyHz != want.FrequencyHz:
		return reject(WrongFrequency, "sent on %s, challenged %s", mhz(b.FrequencyHz), mhz(want.FrequencyHz)), true
	case b.DataRate != want.DataRate:
		return reject(WrongDataRate, "sent at %s, challenged %s", b.DataRate, want.DataRate), true
	case b.PowerDBm > float64(want.PowerDBm):
		return reject(WrongPower, "sent at %.1f dBm, allowed %d dBm", b.PowerDBm, want.PowerDBm), true
	case b.TxAckError != "" && b.TxAckError != "NONE":
		return reject(TxFailed, "TX_ACK error %q", b.TxAckError), true
	}
	return Verdict{}, false
}

// String is e.g. "SF12 BW125".
func (d DataRate) String() string {
	return fmt.Sprintf("SF%d BW%d", d.SpreadingFactor, d.BandwidthHz/1000)
}

func mhz(hz uint64) string { return fmt.Sprintf("%.4f MHz", float64(hz)/1e6) }

// Reciprocal reports whether a hotspot that last beaconed with witnesses
// at lastBeacon and last witnessed validly at lastWitness may earn at now:
// both must lie within p.ReciprocityWindow before now (a zero time is
// "never"). A zero window turns the rule off.
func Reciprocal(p Params, lastBeacon, lastWitness, now time.Time) bool {
	if p.ReciprocityWindow == 0 {
		return true
	}
	return within(lastBeacon, now, p.ReciprocityWindow) && within(lastWitness, now, p.ReciprocityWindow)
}

func within(t, now time.Time, window time.Duration) bool {
	return !t.IsZero() && !t.After(now) && now.Sub(t) <= window
}

// reciprocity keeps a valid verdict selected only if Reciprocal holds.
func reciprocity(p Params, v Verdict, lastBeacon, lastWitness, now time.Time) Verdict {
	if Reciprocal(p, lastBeacon, lastWitness, now) {
		return v
	}
	v = unselect(v, NotReciprocal)
	v.Detail = fmt.Sprintf("last beacon with witnesses %s, last valid witness %s (window %v)",
		ago(lastBeacon, now), ago(lastWitness, now), p.ReciprocityWindow)
	return v
}

func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}
