package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
)

// Hotspot is a simulated gateway: its identity, its place and its antenna.
type Hotspot struct {
	Index      int
	Key        *identity.Key
	Address    identity.Address
	GatewayEUI lorawan.EUI64 // first 8 bytes of SHA-256 of the address
	Lat, Lng   float64
	AltitudeM  float64 // antenna height above ground
	// AntennaGainDBi is a value owners assert (dBi×10 on the wire), so it
	// has one decimal.
	AntennaGainDBi float64
	Cell           geo.Cell // H3 resolution 12, as asserted
}

// Point is the hotspot's position.
func (h Hotspot) Point() geo.Point { return geo.Point{Lat: h.Lat, Lng: h.Lng} }

// hotspotKey derives hotspot i's ed25519 key from the world seed.
func hotspotKey(seed int64, i int) (*identity.Key, error) {
	var in [16]byte
	binary.BigEndian.PutUint64(in[:8], uint64(seed))
	binary.BigEndian.PutUint64(in[8:], uint64(i))
	h := sha256.Sum256(append([]byte("hexnet/sim/hotspot-key/"), in[:]...))
	k, err := identity.FromSeed(h[:])
	if err != nil {
		return nil, fmt.Errorf("hotspot %d key: %w", i, err)
	}
	return k, nil
}

// GatewayEUIOf derives a gateway EUI from a hotspot address: the first
// eight bytes of SHA-256 of the address string.
func GatewayEUIOf(a identity.Address) lorawan.EUI64 {
	h := sha256.Sum256([]byte(a))
	var eui lorawan.EUI64
	copy(eui[:], h[:8])
	return eui
}
