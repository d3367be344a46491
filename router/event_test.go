package router

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"

	"github.com/hexnet/hexnet/router/dedup"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// TestUpEventGolden pins the JSON shape of the up event (ChirpStack v4
// integration field names) for a fixed two-copy frame.
func TestUpEventGolden(t *testing.T) {
	r, err := New(Options{Store: &ledgerStore{}, Bus: nopBus{}})
	must(t, err)
	fport := uint8(10)
	gw := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
	u := &uplink{
		job: job{frame: dedup.Frame{
			ID:        uuid.MustParse("7d2c7a0e-2d6c-4d8f-9a55-0f4a1b3c5d6e"),
			FirstSeen: t0,
			Copies: []dedup.Copy{
				{Hotspot: "8tNqS1p4t3PVhk2iA5Yk9a3mZxQ1pTrV9vYQmJx7wE2c", RSSI: -97, SNR: 6.5, Tmst: 0x01020304,
					FrequencyHz: 868_300_000, SpreadFactor: 9, BandwidthKHz: 125, CodingRate: "4/5",
					GatewayTime: gw, ReceivedAt: t0},
				{Hotspot: "9xKq2mW7rT4yP1sZ8vB3nC6dF5gH2jL4kM7pQ9tR1uV", RSSI: -110, SNR: -3.25, Tmst: 42,
					FrequencyHz: 868_300_000, SpreadFactor: 9, BandwidthKHz: 125, CodingRate: "4/5",
					ReceivedAt: t0.Add(30 * time.Millisecond)},
			},
		}},
		mac:  &lorawan.MACPayload{FHDR: lorawan.FHDR{FCtrl: lorawan.FCtrl{ADR: true}}, FPort: &fport},
		sess: Session{DevAddr: lorawan.DevAddr{0x26, 0x01, 0x1f, 0x88}},
		dev:  Device{DevEUI: lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0, 0, 1}, Application: "weather", Name: "roof-sensor"},
		fcnt: 70000,
		data: []byte{0x01, 0x02, 0xfe},
	}
	u.phy.MHDR.MType = lorawan.ConfirmedDataUp
	got, err := json.MarshalIndent(r.upEvent(u), "", "  ")
	must(t, err)
	golden(t, "up_event.json", append(got, '\n'))
}

// nopBus is a Bus that goes nowhere.
type nopBus struct{}

func (nopBus) Publish(context.Context, string, byte, bool, []byte) error { return nil }

func (nopBus) Subscribe(context.Context, string, byte, func(string, []byte)) error { return nil }

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		must(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	must(t, err)
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (run go test -run Golden -update to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
