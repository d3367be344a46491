package router_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
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

// TestRunOverBroker runs the router against the embedded broker: three
// hotspots publish signed copies of one frame and the application receives
// exactly one up event; the ledger holds the frame with its three copies
// once Run has returned.
func TestRunOverBroker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("broker: %v", err)
	}
	defer b.Close()
	st := openStore(t)
	dev, sess := abpFixture()
	if err := st.CreateDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveSession(ctx, sess); err != nil {
		t.Fatal(err)
	}

	events := subscribeEvents(ctx, t, b.URL())
	runErr := startRouter(ctx, t, b.URL(), st)
	phy := frameFor(t, sess, []byte{0xca, 0xfe})
	publishCopies(ctx, t, b.URL(), phy)

	select {
	case ev := <-events:
		if ev.FCnt != 5 || string(ev.Data) != "\xca\xfe" || len(ev.RxInfo) != 3 || ev.DeviceInfo.DevEUI != dev.DevEUI.String() {
			t.Errorf("up event = %+v, want FCnt 5, data cafe, 3 copies", ev)
		}
	case <-ctx.Done():
		t.Fatal("no up event within the deadline")
	}
	select {
	case ev := <-events:
		t.Fatalf("second up event for one frame: %+v", ev)
	case <-time.After(500 * time.Millisecond):
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkLedger(t, st)
}

func abpFixture() (router.Device, router.Session) {
	eui := lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0, 0xe2, 0xe0}
	key := lorawan.AES128Key{0xe2, 0xe0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	return router.Device{DevEUI: eui, Application: "e2e", Name: "e2e-1", MACVersion: "1.0.3"},
		router.Session{DevEUI: eui, DevAddr: lorawan.DevAddr{0x26, 0, 0, 1}, FNwkSIntKey: key,
			SNwkSIntKey: key, NwkSEncKey: key, AppSKey: key, FCntUp: 5}
}

func frameFor(t *testing.T, s router.Session, data []byte) []byte {
	t.Helper()
	fport := uint8(1)
	phy := lorawan.PHYPayload{
		MHDR: lorawan.MHDR{MType: lorawan.UnconfirmedDataUp, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.MACPayload{
			FHDR:       lorawan.FHDR{DevAddr: s.DevAddr, FCnt: s.FCntUp},
			FPort:      &fport,
			FRMPayload: []lorawan.Payload{&lorawan.DataPayload{Bytes: data}},
		},
	}
	if err := phy.EncryptFRMPayload(s.AppSKey); err != nil {
		t.Fatal(err)
	}
	if err := phy.SetUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, s.FNwkSIntKey, s.SNwkSIntKey); err != nil {
		t.Fatal(err)
	}
	b, err := phy.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func connect(ctx context.Context, t *testing.T, url, id string) *mqttclient.Client {
	t.Helper()
	c, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: url, ClientID: id})
	if err != nil {
		t.Fatalf("connect %s: %v", id, err)
	}
	t.Cleanup(c.Close)
	return c
}

func subscribeEvents(ctx context.Context, t *testing.T, url string) <-chan router.UplinkEvent {
	events := make(chan router.UplinkEvent, 4)
	app := connect(ctx, t, url, "app")
	err := app.Subscribe(ctx, "hexnet/app/+/device/+/event/up", 1, func(_ string, p []byte) {
		var ev router.UplinkEvent
		if err := json.Unmarshal(p, &ev); err != nil {
			t.Errorf("up event does not decode: %v", err)
			return
		}
		events <- ev
	})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func startRouter(ctx context.Context, t *testing.T, url string, st router.Store) <-chan error {
	bus := connect(ctx, t, url, "router")
	// The window is wide: every copy must make it even on a loaded machine.
	r, err := router.New(router.Options{Store: st, Bus: bus, DedupWindow: 500 * time.Millisecond,
		NetID: lorawan.NetID{0, 0, 0x13}})
	if err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- r.Run(ctx) }()
	time.Sleep(200 * time.Millisecond) // let the subscription reach the broker
	return runErr
}

// publishCopies publishes phy as heard by three hotspots, each on its own
// connection (all connected first, so the copies go out together).
func publishCopies(ctx context.Context, t *testing.T, url string, phy []byte) {
	var wg sync.WaitGroup
	clients := make([]*mqttclient.Client, 3)
	for i := range clients {
		clients[i] = connect(ctx, t, url, fmt.Sprintf("hotspot-%d", i))
	}
	for i, c := range clients {
		k, err := identity.Generate()
		if err != nil {
			t.Fatal(err)
		}
		payload, err := k.SealBytes(identity.KindUplink, &hexnetpb.Uplink{
			PhyPayload: phy, FrequencyHz: 868_300_000, Rssi: float32(-100 + i), Snr: float32(i),
			Tmst: uint32(i) * 1000, DataRate: &hexnetpb.DataRate{SpreadingFactor: 9, BandwidthKhz: 125, CodingRate: "4/5"},
		})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Publish(ctx, hotspot.UplinkTopic(k.Address(), phy), 1, false, payload); err != nil {
				t.Errorf("publish: %v", err)
			}
		}()
	}
	wg.Wait()
}

func checkLedger(t *testing.T, st router.Store) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	traffic, err := st.TrafficBetween(ctx, now.Add(-time.Minute), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(traffic) != 3 {
		t.Fatalf("ledger traffic for %d hotspots, want 3: %+v", len(traffic), traffic)
	}
	hs, err := st.ListHotspots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 3 {
		t.Errorf("%d hotspots touched, want 3", len(hs))
	}
}
