package sim

import (
	"errors"
	"testing"

	"github.com/brocaar/lorawan"
	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
)

func testConfig(seed int64) Config {
	return Config{City: "lisbon", Hotspots: 12, Devices: 40, Seed: seed, OTAAShare: 0.5,
		Application: "app-1", NetID: lorawan.NetID{0x00, 0x00, 0x13}}
}

func newTestWorld(t testing.TB, cfg Config) *World {
	t.Helper()
	w, err := NewWorld(cfg)
	if err != nil {
		t.Fatalf("NewWorld: %v", err)
	}
	return w
}

// keyBytes lets cmp compare identity keys, whose fields are unexported.
var keyBytes = cmp.Transformer("keyBytes", func(k *identity.Key) []byte { return k.Bytes() })

func TestNewWorldIsDeterministic(t *testing.T) {
	a, b := newTestWorld(t, testConfig(7)), newTestWorld(t, testConfig(7))
	if d := cmp.Diff(a.Hotspots(), b.Hotspots(), keyBytes); d != "" {
		t.Errorf("hotspots differ (-a +b):\n%s", d)
	}
	if d := cmp.Diff(a.Devices(), b.Devices()); d != "" {
		t.Errorf("devices differ (-a +b):\n%s", d)
	}
	if d := cmp.Diff(a.Registrations(), b.Registrations()); d != "" {
		t.Errorf("registrations differ (-a +b):\n%s", d)
	}
}

func TestNewWorldDependsOnSeed(t *testing.T) {
	a, b := newTestWorld(t, testConfig(7)), newTestWorld(t, testConfig(8))
	if cmp.Equal(a.Devices(), b.Devices()) {
		t.Error("seeds 7 and 8 gave the same devices")
	}
	if a.Hotspots()[0].Address == b.Hotspots()[0].Address {
		t.Error("seeds 7 and 8 gave the same hotspot key")
	}
}

func TestHotspotsArePlausible(t *testing.T) {
	w := newTestWorld(t, testConfig(1))
	seen := map[identity.Address]bool{}
	for _, h := range w.Hotspots() {
		if d := geo.DistanceM(w.City().Centre, h.Point()); d > w.City().RadiusM+1 {
			t.Errorf("hotspot %d is %.0f m from the centre", h.Index, d)
		}
		if h.Address != h.Key.Address() || h.GatewayEUI != GatewayEUIOf(h.Address) || seen[h.Address] {
			t.Errorf("hotspot %d identity: %s %s", h.Index, h.Address, h.GatewayEUI)
		}
		seen[h.Address] = true
		if want, _ := geo.CellOf(h.Point(), 12); h.Cell != want {
			t.Errorf("hotspot %d cell %s, want %s", h.Index, h.Cell, want)
		}
		if h.AntennaGainDBi <= 0 || h.AltitudeM < 3 {
			t.Errorf("hotspot %d antenna %+v", h.Index, h)
		}
	}
}

func TestDevicesArePlausible(t *testing.T) {
	cfg := testConfig(1)
	w := newTestWorld(t, cfg)
	otaa := 0
	for _, d := range w.Devices() {
		if d.OTAA {
			otaa++
			if d.AppKey == (lorawan.AES128Key{}) || d.DevAddr != (lorawan.DevAddr{}) {
				t.Errorf("OTAA device %d: %+v", d.Index, d)
			}
		} else if !d.DevAddr.IsNetID(cfg.NetID) || d.NwkSKey == (lorawan.AES128Key{}) || d.AppSKey == d.NwkSKey {
			t.Errorf("ABP device %d: DevAddr %s outside NetID %s or keys missing", d.Index, d.DevAddr, cfg.NetID)
		}
		if d.FPort < 1 || d.FPort > 223 || d.SpreadingFactor < 7 || d.SpreadingFactor > 12 || d.TXPowerDBm != 14 {
			t.Errorf("device %d: FPort %d SF %d power %v", d.Index, d.FPort, d.SpreadingFactor, d.TXPowerDBm)
		}
		if len(d.Channels) != 8 || d.Channels[0] != 868_100_000 {
			t.Errorf("device %d channels %v", d.Index, d.Channels)
		}
	}
	if otaa != 20 {
		t.Errorf("%d OTAA devices, want 20 (share 0.5 of 40)", otaa)
	}
}

func TestNewWorldConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want error
	}{
		{"no hotspots", func(c *Config) { c.Hotspots = 0 }, ErrConfig},
		{"negative devices", func(c *Config) { c.Devices = -1 }, ErrConfig},
		{"OTAA share 2", func(c *Config) { c.OTAAShare = 2 }, ErrConfig},
		{"negative interval", func(c *Config) { c.UplinkInterval = -1 }, ErrConfig},
		{"unknown city", func(c *Config) { c.City = "atlantis" }, ErrUnknownCity},
		{"free-space exponent below 2", func(c *Config) { c.Radio = Radio{PathLossExponent: 1, BandwidthHz: 125e3} }, ErrConfig},
	}
	for _, tt := range tests {
		cfg := testConfig(1)
		tt.edit(&cfg)
		if _, err := NewWorld(cfg); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestRegistrations(t *testing.T) {
	w := newTestWorld(t, testConfig(3))
	devs := w.Devices()
	for i, r := range w.Registrations() {
		d := devs[i]
		if r.Device.DevEUI != d.DevEUI || r.Device.Application != "app-1" || r.Device.OTAA != d.OTAA || r.Device.MACVersion != "1.0.3" {
			t.Errorf("registration %d: %+v", i, r.Device)
		}
		if d.OTAA != (r.Session == nil) {
			t.Fatalf("registration %d: OTAA %v with session %v", i, d.OTAA, r.Session)
		}
		if !d.OTAA && (r.Session.DevAddr != d.DevAddr || r.Session.FNwkSIntKey != d.NwkSKey || r.Session.AppSKey != d.AppSKey || r.Session.FCntUp != 0) {
			t.Errorf("registration %d session: %+v", i, r.Session)
		}
	}
}
