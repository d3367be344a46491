package router_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router"
)

var (
	t0       = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	testNet  = lorawan.NetID{0x00, 0x00, 0x13}
	testApp  = "app-1"
	testSKey = lorawan.AES128Key{0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c}
)

// message is one publish seen by fakeBus.
type message struct {
	Topic   string
	QoS     byte
	Payload []byte
}

// fakeBus is an in-memory Bus: it records publishes and the subscription.
type fakeBus struct {
	mu       sync.Mutex
	msgs     []message
	handlers map[string]func(string, []byte)
	fail     error
}

func newFakeBus() *fakeBus { return &fakeBus{handlers: map[string]func(string, []byte){}} }

func (b *fakeBus) Publish(_ context.Context, topic string, qos byte, _ bool, payload []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	b.msgs = append(b.msgs, message{topic, qos, append([]byte(nil), payload...)})
	return nil
}

func (b *fakeBus) Subscribe(_ context.Context, topic string, _ byte, h func(string, []byte)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handlers[topic] = h
	return nil
}

// take returns and forgets the messages published so far.
func (b *fakeBus) take() []message {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.msgs
	b.msgs = nil
	return m
}

// harness runs a Router on a fake clock and fake bus.
type harness struct {
	r        *router.Router
	clk      *clock.Fake
	bus      *fakeBus
	st       router.Store
	hotspots []*identity.Key
}

func newHarness(t testing.TB, st router.Store, opts ...func(*router.Options)) *harness {
	clk := clock.NewFake(t0)
	bus := newFakeBus()
	o := router.Options{Store: st, Bus: bus, Clock: clk, NetID: testNet, Registerer: prometheus.NewRegistry()}
	for _, f := range opts {
		f(&o)
	}
	r, err := router.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	h := &harness{r: r, clk: clk, bus: bus, st: st}
	for range 3 {
		k, err := identity.Generate()
		if err != nil {
			t.Fatalf("Generate: %v", err)
		}
		h.hotspots = append(h.hotspots, k)
	}
	return h
}

// uplink signs an Uplink carrying phy as hotspot k heard it.
func uplinkFrom(t testing.TB, k *identity.Key, phy []byte, snr float32, tmst uint32) []byte {
	t.Helper()
	b, err := k.SealBytes(identity.KindUplink, &hexnetpb.Uplink{
		PhyPayload: phy, FrequencyHz: 868_100_000, Rssi: -90 + snr, Snr: snr, Tmst: tmst,
		DataRate: &hexnetpb.DataRate{SpreadingFactor: 7, BandwidthKhz: 125, CodingRate: "4/5"},
	})
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return b
}

// upTopic is where hotspot k publishes its copy of phy.
func upTopic(k *identity.Key, phy []byte) string { return hotspot.UplinkTopic(k.Address(), phy) }

// hear delivers phy from every hotspot (SNR 1, 2, 3 dB: the last is best),
// closes the dedup window and waits until the frame is processed.
func (h *harness) hear(t testing.TB, phy []byte) {
	t.Helper()
	for i, k := range h.hotspots {
		h.r.HandleUplink(upTopic(k, phy), uplinkFrom(t, k, phy, float32(i+1), 1_000_000*uint32(i+1)))
	}
	h.settle()
}

// settle closes open dedup windows and waits for the workers.
func (h *harness) settle() {
	h.clk.Advance(h.r.DedupWindow())
	h.r.WaitIdle()
}

func (h *harness) dropped(reason string) float64 { return h.r.Dropped(reason) }

// dataFrame builds an uplink data frame as a LoRaWAN 1.0 device would.
func dataFrame(t testing.TB, addr lorawan.DevAddr, fcnt uint32, fport uint8, data []byte, nwk, app lorawan.AES128Key, confirmed bool) []byte {
	t.Helper()
	mtype := lorawan.UnconfirmedDataUp
	if confirmed {
		mtype = lorawan.ConfirmedDataUp
	}
	phy := lorawan.PHYPayload{
		MHDR: lorawan.MHDR{MType: mtype, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.MACPayload{
			FHDR:       lorawan.FHDR{DevAddr: addr, FCtrl: lorawan.FCtrl{ADR: true}, FCnt: fcnt},
			FPort:      &fport,
			FRMPayload: []lorawan.Payload{&lorawan.DataPayload{Bytes: data}},
		},
	}
	key := app
	if fport == 0 {
		key = nwk
	}
	must(t, phy.EncryptFRMPayload(key))
	must(t, phy.SetUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, nwk, nwk))
	b, err := phy.MarshalBinary()
	must(t, err)
	return b
}

// joinRequest builds a join request MIC'd with appKey.
func joinRequest(t testing.TB, joinEUI, devEUI lorawan.EUI64, nonce lorawan.DevNonce, appKey lorawan.AES128Key) []byte {
	t.Helper()
	phy := lorawan.PHYPayload{
		MHDR:       lorawan.MHDR{MType: lorawan.JoinRequest, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.JoinRequestPayload{JoinEUI: joinEUI, DevEUI: devEUI, DevNonce: nonce},
	}
	must(t, phy.SetUplinkJoinMIC(appKey))
	b, err := phy.MarshalBinary()
	must(t, err)
	return b
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// abpDevice is an ABP device with a session on addr, next FCnt fcntUp.
type abpDevice struct {
	dev  router.Device
	sess router.Session
}

func newABP(n byte, addr lorawan.DevAddr, fcntUp uint32) abpDevice {
	eui := lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0, 0, n}
	nwk, app := testSKey, testSKey
	nwk[15], app[0] = n, n^0xff
	return abpDevice{
		dev: router.Device{DevEUI: eui, Application: testApp, Name: fmt.Sprintf("sensor-%d", n), MACVersion: "1.0.3", CreatedAt: t0},
		sess: router.Session{DevEUI: eui, DevAddr: addr, FNwkSIntKey: nwk, SNwkSIntKey: nwk, NwkSEncKey: nwk,
			AppSKey: app, FCntUp: fcntUp, UpdatedAt: t0},
	}
}

func (h *harness) provision(t testing.TB, ds ...abpDevice) {
	t.Helper()
	ctx := context.Background()
	for _, d := range ds {
		must(t, h.st.CreateDevice(ctx, d.dev))
		must(t, h.st.SaveSession(ctx, d.sess))
	}
}
