package sim

import (
	"math"
	"math/rand/v2"
)

// Purposes of the seeded random streams: each draws from its own PCG so
// that adding draws to one never shifts another.
const (
	purposePlacement uint64 = 0x9e3779b97f4a7c15
	purposeShadowing uint64 = 0xbf58476d1ce4e5b9
	purposeContent   uint64 = 0x94d049bb133111eb
	purposeTiming    uint64 = 0x2545f4914f6cdd1d
	purposeDownlink  uint64 = 0xd6e8feb86659fd93
	purposeKeys      uint64 = 0xa0761d6478bd642f
	// hotspot-to-hotspot links (beacons)
	purposeHotspotShadowing uint64 = 0xe7037ed1a0b428db
	purposeBeaconFading     uint64 = 0x8ebc6af09c88c6e3
	// LoRaWAN versions other than 1.0.3
	purposeVersionKeys uint64 = 0x589965cc75374cc3
	purposeDevNonce    uint64 = 0x1d8e4e27c47d124f
)

// mix is SplitMix64's finaliser: it spreads nearby inputs over all bits.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// pcg is the seeded source for one purpose and one id (a device, a pair).
func pcg(seed int64, purpose, id uint64) *rand.PCG {
	return rand.NewPCG(mix(uint64(seed)^purpose), mix(id+purpose))
}

// stream is a seeded generator for one purpose and one id.
func stream(seed int64, purpose, id uint64) *rand.Rand {
	return rand.New(pcg(seed, purpose, id))
}

// normal is a standard normal variate fixed by (seed, purpose, id), drawn
// without allocating a generator (Box–Muller).
func normal(seed int64, purpose, id uint64) float64 {
	p := pcg(seed, purpose, id)
	u1 := float64(p.Uint64()>>11+1) / (1 << 53) // (0, 1]
	u2 := float64(p.Uint64()>>11) / (1 << 53)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// pairID identifies a (device, hotspot) link.
func pairID(device, hotspot int) uint64 { return uint64(device)<<32 | uint64(uint32(hotspot)) }
