package poc

import (
	"bytes"
	"testing"
	"time"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/region"
)

func TestJudgeBeaconVerdicts(t *testing.T) {
	p := DefaultParams()
	beaconer := at(t, 1, 0, 0)
	tests := []struct {
		name     string
		edit     func(h *Hotspot, c *Challenge, b *Beacon)
		want     Reason
		valid    bool
		selected bool
		detail   string
	}{
		{"valid", func(*Hotspot, *Challenge, *Beacon) {}, Valid, true, true, ""},
		{"unknown beaconer", func(_ *Hotspot, c *Challenge, b *Beacon) { b.Beaconer, c.Challengee = addr(t, 99), addr(t, 99) }, UnknownHotspot, false, false, ""},
		{"denied", func(h *Hotspot, _ *Challenge, _ *Beacon) { h.Denied = true }, Denied, false, false, ""},
		{"no location", func(h *Hotspot, _ *Challenge, _ *Beacon) { h.Asserted = false }, NoLocation, false, false, ""},
		{"challenge for another hotspot", func(_ *Hotspot, c *Challenge, _ *Beacon) { c.Challengee = addr(t, 2) }, NoChallenge, false, false, "challenge was for"},
		{"another round", func(_ *Hotspot, _ *Challenge, b *Beacon) { b.Round = 6 }, NoChallenge, false, false, "round 6"},
		{"other entropy", func(_ *Hotspot, _ *Challenge, b *Beacon) { b.Entropy = []byte("old") }, NoChallenge, false, false, ""},
		{"before the challenge", func(_ *Hotspot, c *Challenge, _ *Beacon) { c.IssuedAt = t0.Add(time.Second) }, Early, false, false, ""},
		{"within the grace", func(_ *Hotspot, c *Challenge, _ *Beacon) { c.ExpiresAt = t0.Add(-10 * time.Second) }, Valid, true, true, ""},
		{"expired", func(_ *Hotspot, c *Challenge, _ *Beacon) { c.ExpiresAt = t0.Add(-11 * time.Second) }, ChallengeExpired, false, false, "grace 10s"},
		{"wrong payload", func(_ *Hotspot, _ *Challenge, b *Beacon) { b.Payload = bytes.Repeat([]byte{1}, 24) }, WrongPayload, false, false, ""},
		{"wrong frequency", func(_ *Hotspot, _ *Challenge, b *Beacon) { b.FrequencyHz = 868_300_000 }, WrongFrequency, false, false, "sent on 868.3000 MHz, challenged 868.1000 MHz"},
		{"wrong data rate", func(_ *Hotspot, _ *Challenge, b *Beacon) { b.DataRate.SpreadingFactor = 7 }, WrongDataRate, false, false, "SF7 BW125"},
		{"too much power", func(_ *Hotspot, _ *Challenge, b *Beacon) { b.PowerDBm = 14 }, WrongPower, false, false, "allowed 13 dBm"},
		{"less power is allowed", func(_ *Hotspot, _ *Challenge, b *Beacon) { b.PowerDBm = 10 }, Valid, true, true, ""},
		{"TX failed", func(_ *Hotspot, _ *Challenge, b *Beacon) { b.TxAckError = "COLLISION_BEACON" }, TxFailed, false, false, "COLLISION_BEACON"},
		{"empty TX error is success", func(_ *Hotspot, _ *Challenge, b *Beacon) { b.TxAckError = "" }, Valid, true, true, ""},
		{"not reciprocal", func(h *Hotspot, _ *Challenge, _ *Beacon) { h.LastWitness = time.Time{} }, NotReciprocal, true, false, "last valid witness never"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := beaconer
			c, b := round(t, h)
			tt.edit(&h, &c, &b)
			w := world{h.Address: h}
			checkVerdict(t, JudgeBeacon(p, c, b, w.lookup), tt.want, tt.valid, tt.selected, tt.detail)
		})
	}
}

func TestJudgeRoundInvalidBeacon(t *testing.T) {
	beaconer, near := at(t, 1, 0, 0), at(t, 2, 90, 2000)
	c, b := round(t, beaconer)
	b.TxAckError = "TOO_LATE"
	w := world{beaconer.Address: beaconer, near.Address: near}
	bv, wv := JudgeRound(DefaultParams(), c, b, []Witness{heard(near, b, -100, time.Second)}, w.lookup)
	if bv.Reason != TxFailed {
		t.Errorf("beacon %+v", bv)
	}
	checkVerdict(t, wv[0], BeaconInvalid, false, false, "tx_failed")

	b.TxAckError = "NONE"
	bv, wv = JudgeRound(DefaultParams(), c, b, []Witness{heard(near, b, -100, time.Second)}, w.lookup)
	if bv.Reason != Valid || wv[0].Reason != Valid {
		t.Errorf("honest round: %+v, %+v", bv, wv)
	}
}

func TestNewChallenge(t *testing.T) {
	tests := []struct {
		region    string
		gain      float64
		sf, power int
	}{
		{"EU868", 3, 12, 13},
		{"US915", 6, 9, 24}, // DR0 (SF10) carries 11 bytes; DR1 is SF9
	}
	for _, tt := range tests {
		plan, err := region.Lookup(tt.region)
		if err != nil {
			t.Fatal(err)
		}
		h := at(t, 1, 0, 0)
		h.GainDBi = tt.gain
		c, err := NewChallenge(plan, 9, []byte("entropy"), h)
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := h.Address.PublicKey()
		if !bytes.Equal(c.Payload, beacon.Payload([]byte("entropy"), pub)) || c.Round != 9 || c.Challengee != h.Address {
			t.Errorf("%s: challenge %+v", tt.region, c)
		}
		if c.DataRate != (DataRate{tt.sf, 125_000}) || c.PowerDBm != tt.power {
			t.Errorf("%s: %v at %d dBm; want SF%d at %d dBm", tt.region, c.DataRate, c.PowerDBm, tt.sf, tt.power)
		}
		if !onChannel(plan, c.FrequencyHz) {
			t.Errorf("%s: %d Hz is not a beacon channel", tt.region, c.FrequencyHz)
		}
	}
}

func onChannel(plan region.Plan, hz uint64) bool {
	for _, ch := range region.BeaconChannels(plan) {
		if uint64(ch.FrequencyHz) == hz {
			return true
		}
	}
	return false
}

// TestChallengeRoundTrip: a beacon that does what NewChallenge says is
// valid.
func TestChallengeRoundTrip(t *testing.T) {
	plan, _ := region.Lookup("EU868")
	h := at(t, 1, 0, 0)
	c, err := NewChallenge(plan, 3, []byte("e"), h)
	if err != nil {
		t.Fatal(err)
	}
	b := Beacon{Beaconer: h.Address, Round: 3, Entropy: []byte("e"), Payload: c.Payload, FrequencyHz: c.FrequencyHz,
		DataRate: c.DataRate, PowerDBm: float64(c.PowerDBm), ReceivedAt: t0, TxAckError: "NONE"}
	if v := JudgeBeacon(DefaultParams(), c, b, world{h.Address: h}.lookup); v.Reason != Valid {
		t.Errorf("verdict %+v", v)
	}
}

func TestReciprocal(t *testing.T) {
	p := DefaultParams()
	now := t0
	tests := []struct {
		name            string
		beacon, witness time.Time
		want            bool
	}{
		{"both recent", now.Add(-time.Hour), now.Add(-47 * time.Hour), true},
		{"exactly 48 h", now.Add(-48 * time.Hour), now, true},
		{"beacon too old", now.Add(-48*time.Hour - time.Second), now, false},
		{"never witnessed", now, time.Time{}, false},
		{"never beaconed", time.Time{}, now, false},
		{"activity after now does not count", now.Add(time.Second), now, false},
	}
	for _, tt := range tests {
		if got := Reciprocal(p, tt.beacon, tt.witness, now); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	p.ReciprocityWindow = 0
	if !Reciprocal(p, time.Time{}, time.Time{}, now) {
		t.Error("a zero window must turn the rule off")
	}
}
