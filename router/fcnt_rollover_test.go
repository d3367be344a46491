package router_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router"
)

// TestFCntRollover1000: an ABP device whose frame counter starts at 65,000
// sends 1,000 uplinks (the 16-bit FCnt on air wraps past 65,535) through
// the router over the embedded broker, each heard by three hotspots; every
// one reaches the application exactly once, with its full 32-bit FCnt and
// its payload.
func TestFCntRollover1000(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 uplinks over the broker")
	}
	const start, n = 65_000, 1_000
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("broker: %v", err)
	}
	defer b.Close()
	st := openStore(t)
	dev, sess := abpFixture()
	sess.FCntUp = start
	if err := st.CreateDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	events := make(chan struct {
		fcnt uint32
		data string
	}, n+10)
	app := connect(ctx, t, b.URL(), "app")
	if err := app.Subscribe(ctx, "hexnet/app/+/device/+/event/up", 1, func(_ string, p []byte) {
		var ev struct {
			FCnt uint32 `json:"fCnt"`
			Data []byte `json:"data"`
		}
		if err := json.Unmarshal(p, &ev); err != nil {
			t.Errorf("up event does not decode: %v", err)
			return
		}
		events <- struct {
			fcnt uint32
			data string
		}{ev.FCnt, string(ev.Data)}
	}); err != nil {
		t.Fatal(err)
	}
	r, err := router.New(router.Options{Store: st, Bus: connect(ctx, t, b.URL(), "router"), DedupWindow: 20 * time.Millisecond,
		NetID: lorawan.NetID{0, 0, 0x13}})
	if err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- r.Run(ctx) }()
	time.Sleep(200 * time.Millisecond) // let the subscription reach the broker
	drops := func() string {
		var out []string
		for _, reason := range []string{"fcnt_replay", "fcnt_gap", "mic_failed", "late_copy", "unknown_devaddr", "decrypt_failed", "shutdown"} {
			if n := r.Dropped(reason); n > 0 {
				out = append(out, fmt.Sprintf("%s=%.0f", reason, n))
			}
		}
		return strings.Join(out, " ")
	}

	type pub struct {
		c *mqttclient.Client
		k *identity.Key
	}
	var pubs []pub
	for i := range 3 {
		k, err := identity.Generate()
		if err != nil {
			t.Fatal(err)
		}
		pubs = append(pubs, pub{connect(ctx, t, b.URL(), fmt.Sprintf("hotspot-%d", i)), k})
	}
	seen := map[uint32]int{}
	for j := range uint32(n) {
		s := sess
		s.FCntUp = start + j
		phy := frameFor(t, s, fmt.Appendf(nil, "up-%d", start+j))
		for i, p := range pubs {
			payload, err := p.k.SealBytes(identity.KindUplink, &hexnetpb.Uplink{
				PhyPayload: phy, FrequencyHz: 868_300_000, Rssi: float32(-100 + i), Snr: float32(i),
				Tmst: j*10_000 + uint32(i), DataRate: &hexnetpb.DataRate{SpreadingFactor: 9, BandwidthKhz: 125, CodingRate: "4/5"},
			})
			if err != nil {
				t.Fatal(err)
			}
			p.c.PublishAsync(hotspot.UplinkTopic(p.k.Address(), phy), 1, false, payload, func(err error) {
				if err != nil {
					t.Errorf("publish: %v", err)
				}
			})
		}
		// Like a real device, the next frame goes out once this one is
		// through (on air they are seconds apart).
		select {
		case ev := <-events:
			seen[ev.fcnt]++
			if want := fmt.Sprintf("up-%d", ev.fcnt); ev.data != want {
				t.Errorf("FCnt %d: data %q, want %q", ev.fcnt, ev.data, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("FCnt %d did not reach the application; %d of %d did; router drops: %s", start+j, len(seen), n, drops())
		}
	}
	select {
	case ev := <-events:
		seen[ev.fcnt]++
	case <-time.After(500 * time.Millisecond):
	}
	for j := range uint32(n) {
		if c := seen[start+j]; c != 1 {
			t.Errorf("FCnt %d delivered %d times, want once", start+j, c)
		}
	}
	if len(seen) != n {
		t.Errorf("%d distinct FCnts delivered, want %d", len(seen), n)
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("Run: %v", err)
	}
}
