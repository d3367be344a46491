package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
)

// The LoRaWAN versions a simulated device can speak: router.MACVersions.
const (
	MACVersion1_0_2 = "1.0.2"
	MACVersion1_0_3 = "1.0.3"
	MACVersion1_0_4 = "1.0.4"
	MACVersion1_1   = "1.1.0"
)

// rekeyIndTries is how many uplinks a LoRaWAN 1.1 device carries RekeyInd
// (OTAA) or ResetInd (ABP) in without the network's RekeyConf/ResetConf
// before it stops sending them. The specification has it go on until the
// answer comes (and rejoin after ADR_ACK_LIMIT uplinks); a network server
// that ignores the indication would then get it in every frame.
const rekeyIndTries = 3

// profile is what a device's LoRaWAN version changes in its stack.
type profile struct {
	// v1_1: join requests MIC'd with NwkKey, join accepts with OptNeg,
	// split network session keys, two-part uplink MIC, encrypted FOpts,
	// separate network and application downlink counters, RekeyInd.
	v1_1 bool
	// counters: DevNonce counts from 0 across every join and a join accept
	// must carry a JoinNonce above the last one accepted (1.0.4 and 1.1).
	counters bool
	// randomNonces: every DevNonce is drawn at random (1.0.2). 1.0.3
	// devices count up from a random DevNonceStart, which is unique too and
	// keeps the seeded worlds that predate versions unchanged.
	randomNonces bool
}

func profileOf(macVersion string) profile {
	switch macVersion {
	case MACVersion1_1:
		return profile{v1_1: true, counters: true}
	case MACVersion1_0_4:
		return profile{counters: true}
	case MACVersion1_0_2:
		return profile{randomNonces: true}
	}
	return profile{}
}

// validateVersions checks Config.MACVersions.
func validateVersions(vs []string) error {
	for i, v := range vs {
		if !slices.Contains(router.MACVersions, v) {
			return fmt.Errorf("%w: MACVersions[%d] is %q, want one of %s", ErrConfig, i, v, strings.Join(router.MACVersions, ", "))
		}
	}
	return nil
}

// versionOf is device i's LoRaWAN version: Config.MACVersions in turn,
// MACVersion when it is empty.
func versionOf(cfg Config, i int) string {
	if len(cfg.MACVersions) == 0 {
		return MACVersion
	}
	return cfg.MACVersions[i%len(cfg.MACVersions)]
}

// provisionVersion sets what d's version adds to the profile placeDevice
// drew. The extra 1.1 keys come from their own stream, so the draws every
// device makes stay where they were.
func provisionVersion(d *Device, cfg Config) {
	d.MACVersion = versionOf(cfg, d.Index)
	p := profileOf(d.MACVersion)
	if p.counters {
		d.DevNonceStart = 0
	}
	if !p.v1_1 {
		return
	}
	rng := stream(cfg.Seed, purposeVersionKeys, uint64(d.Index))
	nwkKey, sNwkSIntKey, nwkSEncKey := randomKey(rng), randomKey(rng), randomKey(rng)
	if d.OTAA {
		d.NwkKey = nwkKey
	} else {
		d.SNwkSIntKey, d.NwkSEncKey = sNwkSIntKey, nwkSEncKey
	}
}

// nonceStream is a 1.0.2 device's source of random DevNonces; nil for
// the other versions.
func nonceStream(d Device, seed int64) *rand.Rand {
	if !profileOf(d.MACVersion).randomNonces {
		return nil
	}
	return stream(seed, purposeDevNonce, uint64(d.Index))
}

// nextDevNonce is the DevNonce of the device's next join request.
func (n *node) nextDevNonce() lorawan.DevNonce {
	if n.nonces != nil {
		return lorawan.DevNonce(n.nonces.Uint32())
	}
	d := lorawan.DevNonce(n.devNonce)
	n.devNonce++
	return d
}

// txDR is the EU868 data-rate index of a 125 kHz LoRa spreading factor
// (DR0 SF12 … DR5 SF7), which the 1.1 uplink MIC covers.
func txDR(sf int) uint8 { return uint8(12 - sf) }

// txCh is the index of frequencyHz in the device's channel plan (the join
// channels, then a CFList's or the ABP plan's), which the 1.1 uplink MIC
// covers. A channel mask turns channels off without moving the others.
func (n *node) txCh(frequencyHz uint64) uint8 {
	return uint8(max(0, slices.Index(n.chPlan, frequencyHz)))
}
