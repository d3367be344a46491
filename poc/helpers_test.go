package poc

import (
	"testing"
	"time"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
)

// lisbon is where the test beaconer stands.
var lisbon = geo.Point{Lat: 38.7223, Lng: -9.1393}

// t0 is the beacon report's arrival in every test.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// addr makes a deterministic hotspot address from a small number.
func addr(t testing.TB, n byte) identity.Address {
	t.Helper()
	seed := make([]byte, 32)
	seed[0] = n
	k, err := identity.FromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	return k.Address()
}

// world is a registry for tests.
type world map[identity.Address]Hotspot

func (w world) lookup(a identity.Address) (Hotspot, bool) {
	h, ok := w[a]
	return h, ok
}

// at is an active, reciprocal EU868 hotspot asserted distanceM metres from
// Lisbon on bearing.
func at(t testing.TB, n byte, bearing, distanceM float64) Hotspot {
	t.Helper()
	cell, err := geo.CellOf(geo.Destination(lisbon, bearing, distanceM), geo.ResAsserted)
	if err != nil {
		t.Fatal(err)
	}
	return Hotspot{
		Address: addr(t, n), Owner: addr(t, 200), Asserted: true, Cell: cell, GainDBi: 3, Region: "EU868",
		LastBeacon: t0.Add(-time.Hour), LastWitness: t0.Add(-time.Hour),
	}
}

// round is a challenge and the honest beacon answering it.
func round(t testing.TB, beaconer Hotspot) (Challenge, Beacon) {
	t.Helper()
	entropy := []byte("entropy of round 7, 32 bytes lo")
	pub, err := beaconer.Address.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	c := Challenge{
		Round: 7, Entropy: entropy, Challengee: beaconer.Address, Payload: beacon.Payload(entropy, pub),
		FrequencyHz: 868_100_000, DataRate: DataRate{12, 125_000}, PowerDBm: 13,
		IssuedAt: t0.Add(-5 * time.Second), ExpiresAt: t0.Add(25 * time.Second),
	}
	b := Beacon{
		Beaconer: beaconer.Address, Round: 7, Entropy: entropy, Payload: c.Payload, FrequencyHz: c.FrequencyHz,
		DataRate: c.DataRate, PowerDBm: 13, ReceivedAt: t0, TxAckError: "NONE",
	}
	return c, b
}

// heard is an honest witness report of b by h, arriving after.
func heard(h Hotspot, b Beacon, rssi float64, after time.Duration) Witness {
	return Witness{
		ID: string(h.Address) + "/" + after.String(), Witness: h.Address, Payload: b.Payload,
		RSSI: rssi, SNR: -5, FrequencyHz: b.FrequencyHz, DataRate: b.DataRate, ReceivedAt: b.ReceivedAt.Add(after),
	}
}
