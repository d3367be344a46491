package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/sim/air"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestDefaultWorldGolden pins the bytes of default (LoRaWAN 1.0.3) worlds:
// the devices' provisioning, and the frames they send through a join, a
// confirmed downlink and the uplinks after. A change here shifts every
// seed the tests and the devnet rely on; if it is meant, rerun with -update.
func TestDefaultWorldGolden(t *testing.T) {
	h := sha256.New()
	for _, seed := range []int64{1, 7, 21} {
		fingerprintWorld(t, h, newTestWorld(t, testConfig(seed)))
	}
	got := hex.EncodeToString(h.Sum(nil)) + "\n"
	path := filepath.Join("testdata", "default_world.sha256")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./sim -run TestDefaultWorldGolden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("default world fingerprint %s, want %s: the seeded world changed", strings.TrimSpace(got), strings.TrimSpace(string(want)))
	}
}

// fingerprintWorld hashes the fields of the devices and frames that
// existed before devices had LoRaWAN versions, so adding fields does not
// move the fingerprint and changing a draw does.
func fingerprintWorld(t *testing.T, h hash.Hash, w *World) {
	for _, d := range w.Devices() {
		fmt.Fprintf(h, "%d %s %s %s %v %s %s %s %s %.7f %.7f %v %v %d %v %v %d %d\n",
			d.Index, d.Name, d.DevEUI, d.JoinEUI, d.OTAA, d.AppKey, d.DevAddr, d.NwkSKey, d.AppSKey,
			d.Lat, d.Lng, d.AltitudeM, d.AntennaGainDBi, d.SpreadingFactor, d.TXPowerDBm, d.Channels, d.FPort, d.DevNonceStart)
	}
	for _, r := range w.Registrations() {
		d := r.Device
		fmt.Fprintf(h, "%s %s %s %s %s %v %s %s\n", d.DevEUI, d.JoinEUI, d.Application, d.Name, d.MACVersion, d.OTAA, d.AppKey, d.NwkKey)
		if s := r.Session; s != nil {
			fmt.Fprintf(h, "%s %s %s %s %s %s %d\n", s.DevAddr, s.FNwkSIntKey, s.SNwkSIntKey, s.NwkSEncKey, s.AppSKey, s.DevEUI, s.FCntUp)
		}
	}
	at := t0
	for round := range 4 {
		for _, d := range w.Devices() {
			at = at.Add(time.Minute)
			up := send(t, w, d.Index, at)
			fmt.Fprintf(h, "%d %x %d %v %d %s %d %x\n", d.Index, up.PHYPayload, up.FrequencyHz, up.Join, up.DevNonce,
				up.DevAddr, up.FCnt, up.Payload)
			for _, r := range up.Receptions { // rounded: FMA on some CPUs moves the last bits
				fmt.Fprintf(h, "  %d %.3f %.3f\n", r.Hotspot, r.RSSI, r.SNR)
			}
			if len(up.Receptions) == 0 {
				continue
			}
			answerGolden(t, w, d, up, round)
		}
	}
	s := w.Stats()
	fmt.Fprintf(h, "%d %d %d %d %d %d %d %d %d\n", s.FramesSent, s.FramesHeard, s.Copies, s.JoinRequests, s.JoinsAccepted,
		s.DownlinksTransmitted, s.DownlinksHeard, s.DownlinksRejected, len(w.ReceivedDownlinks()))
}

// answerGolden accepts OTAA devices' joins and sends ABP devices a
// confirmed downlink in their second round.
func answerGolden(t *testing.T, w *World, d Device, up Uplink, round int) {
	g := bestHotspot(t, up)
	switch {
	case up.Join:
		ja := lorawan.JoinAcceptPayload{JoinNonce: lorawan.JoinNonce(0x1000 + d.Index), HomeNetID: w.cfg.NetID,
			DevAddr: lorawan.DevAddr{0x26, 0, 0, byte(d.Index)}, RXDelay: 1}
		w.Transmit(g, rx1(up, JoinAcceptDelay1, joinAccept(t, d, ja, up.DevNonce)))
	case !d.OTAA && round == 1:
		down := dataDown(t, d, lorawan.ConfirmedDataDown, 0, d.NwkSKey)
		w.Transmit(g, air.Transmission{PHYPayload: down, FrequencyHz: up.FrequencyHz, Modulation: up.Modulation,
			PowerDBm: 27, InvertPolarity: true, At: up.End.Add(ReceiveDelay1)})
	}
}
