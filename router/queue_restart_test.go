package router_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router"
)

// startQueueRouter runs a Router on st like newHarness and returns a stop
// function that ends it as a process exit would: what it held in memory is
// gone, the store stays. hotspots nil generates three; pass those of the
// previous instance to restart with the same hotspots.
func startQueueRouter(t *testing.T, st router.Store, hotspots []*identity.Key) (*harness, func()) {
	t.Helper()
	clk, bus := clock.NewFake(t0), newFakeBus()
	r, err := router.New(router.Options{Store: st, Bus: bus, Clock: clk, NetID: testNet, Registerer: prometheus.NewRegistry()})
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	t.Cleanup(stop)
	if hotspots == nil {
		for range 3 {
			k, err := identity.Generate()
			must(t, err)
			hotspots = append(hotspots, k)
		}
	}
	return &harness{r: r, clk: clk, bus: bus, st: st, hotspots: hotspots}, stop
}

// publishedDown is a data downlink the router published, decoded.
type publishedDown struct {
	hotspot identity.Address
	id      uint32
	mtype   lorawan.MType
	pending bool
	fport   *uint8
	data    []byte
}

// downlinks decodes the data downlinks published since the last take,
// decrypting application payloads with d's AppSKey.
func (h *harness) downlinks(t *testing.T, d abpDevice) []publishedDown {
	t.Helper()
	var out []publishedDown
	for _, m := range h.bus.take() {
		hs, ok := strings.CutPrefix(m.Topic, "hexnet/hotspot/")
		if !ok || !strings.HasSuffix(hs, "/down") {
			continue
		}
		var dl hexnetpb.Downlink
		must(t, proto.Unmarshal(m.Payload, &dl))
		var phy lorawan.PHYPayload
		must(t, phy.UnmarshalBinary(dl.GetItems()[0].GetPhyPayload()))
		mac := phy.MACPayload.(*lorawan.MACPayload)
		s := publishedDown{hotspot: identity.Address(strings.TrimSuffix(hs, "/down")), id: dl.GetId(), mtype: phy.MHDR.MType,
			pending: mac.FHDR.FCtrl.FPending, fport: mac.FPort}
		if mac.FPort != nil && *mac.FPort > 0 {
			must(t, phy.DecryptFRMPayload(d.sess.AppSKey))
			s.data = mac.FRMPayload[0].(*lorawan.DataPayload).Bytes
		}
		out = append(out, s)
	}
	return out
}

// onlyDownlink is the one data downlink published since the last take.
func (h *harness) onlyDownlink(t *testing.T, d abpDevice) publishedDown {
	t.Helper()
	got := h.downlinks(t, d)
	if len(got) != 1 {
		t.Fatalf("%d downlinks published, want 1: %+v", len(got), got)
	}
	return got[0]
}

// txAck answers downlink s as transmitted by its hotspot.
func (h *harness) txAck(t *testing.T, s publishedDown) { t.Helper(); h.txAnswer(t, s, "") }

// txAnswer answers downlink s from its hotspot with error code ("": sent).
func (h *harness) txAnswer(t *testing.T, s publishedDown, code string) {
	t.Helper()
	for _, k := range h.hotspots {
		if k.Address() != s.hotspot {
			continue
		}
		b, err := k.SealBytes(identity.KindTxAck, &hexnetpb.TxAck{Id: s.id, Error: code})
		must(t, err)
		h.r.HandleTxAck("hexnet/hotspot/"+string(k.Address())+"/ack", b)
		return
	}
	t.Fatalf("downlink sent to unknown hotspot %s", s.hotspot)
}

// queueAckFrame is an unconfirmed uplink of d with FCtrl.ACK set: the device
// acknowledges the confirmed downlink it received.
func queueAckFrame(t *testing.T, d abpDevice, fcnt uint32) []byte {
	t.Helper()
	fport := uint8(1)
	phy := lorawan.PHYPayload{
		MHDR: lorawan.MHDR{MType: lorawan.UnconfirmedDataUp, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.MACPayload{
			FHDR:       lorawan.FHDR{DevAddr: d.sess.DevAddr, FCtrl: lorawan.FCtrl{ADR: true, ACK: true}, FCnt: fcnt},
			FPort:      &fport,
			FRMPayload: []lorawan.Payload{&lorawan.DataPayload{Bytes: []byte("ok")}},
		},
	}
	must(t, phy.EncryptFRMPayload(d.sess.AppSKey))
	must(t, phy.SetUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, d.sess.FNwkSIntKey, d.sess.FNwkSIntKey))
	b, err := phy.MarshalBinary()
	must(t, err)
	return b
}

// queueUp is an unconfirmed uplink of d without ACK.
func queueUp(t *testing.T, d abpDevice, fcnt uint32) []byte {
	return dataFrame(t, d.sess.DevAddr, fcnt, 1, []byte("x"), d.sess.FNwkSIntKey, d.sess.AppSKey, false)
}

// checkQueue checks the ids and Pending flags of a device's queue.
func checkQueue(t *testing.T, h *harness, d abpDevice, ids []uuid.UUID, pending []bool) {
	t.Helper()
	q, err := h.r.ListQueue(context.Background(), d.dev.DevEUI)
	must(t, err)
	if len(q) != len(ids) {
		t.Fatalf("queue = %+v, want %d items", q, len(ids))
	}
	for i := range q {
		if q[i].ID != ids[i] || q[i].Pending != pending[i] {
			t.Errorf("queue[%d] = %s pending %v, want %s pending %v", i, q[i].ID, q[i].Pending, ids[i], pending[i])
		}
	}
}

// TestQueueSurvivesRestart: downlinks queued before a restart are listed by
// the new Router on the same store and delivered in order after the next
// uplinks; a confirmed one transmitted before another restart still
// awaits the device's ACK, which the third Router settles.
func TestQueueSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	h1, stop1 := startQueueRouter(t, st, nil)
	d := newABP(1, addrA, 0)
	h1.provision(t, d)
	first, err := h1.r.Enqueue(ctx, d.dev.DevEUI, router.Downlink{FPort: 10, Data: []byte("hello")})
	must(t, err)
	second, err := h1.r.Enqueue(ctx, d.dev.DevEUI, router.Downlink{FPort: 11, Data: []byte("conf"), Confirmed: true})
	must(t, err)
	stop1()

	h2, stop2 := startQueueRouter(t, st, h1.hotspots)
	checkQueue(t, h2, d, []uuid.UUID{first, second}, []bool{false, false})
	h2.hear(t, queueUp(t, d, 0))
	got := h2.onlyDownlink(t, d)
	if got.mtype != lorawan.UnconfirmedDataDown || got.fport == nil || *got.fport != 10 || string(got.data) != "hello" || !got.pending {
		t.Fatalf("first downlink after restart = %+v, want unconfirmed \"hello\" on port 10 with FPending", got)
	}
	checkQueue(t, h2, d, []uuid.UUID{first, second}, []bool{true, false})
	h2.txAck(t, got)
	checkQueue(t, h2, d, []uuid.UUID{second}, []bool{false})

	h2.hear(t, queueUp(t, d, 1))
	got = h2.onlyDownlink(t, d)
	if got.mtype != lorawan.ConfirmedDataDown || got.fport == nil || *got.fport != 11 || string(got.data) != "conf" || got.pending {
		t.Fatalf("second downlink = %+v, want confirmed \"conf\" on port 11", got)
	}
	h2.txAck(t, got)
	stop2()

	h3, _ := startQueueRouter(t, st, h1.hotspots)
	checkQueue(t, h3, d, []uuid.UUID{second}, []bool{true}) // transmitted, ACK awaited
	h3.hear(t, queueAckFrame(t, d, 2))
	checkQueue(t, h3, d, nil, nil)
	var acks []router.AckEvent
	for _, m := range h3.bus.take() {
		if strings.HasSuffix(m.Topic, "/event/ack") {
			var ev router.AckEvent
			must(t, json.Unmarshal(m.Payload, &ev))
			acks = append(acks, ev)
		}
	}
	if len(acks) != 1 || acks[0].QueueItemID != second.String() || !acks[0].Acknowledged {
		t.Errorf("ack events = %+v, want one acknowledging %s", acks, second)
	}
}

// TestQueueConfirmedGivesUp: a confirmed downlink never acknowledged is
// transmitted 1+3 times, then leaves the queue with an ack event
// (acknowledged false) and an error event.
func TestQueueConfirmedGivesUp(t *testing.T) {
	ctx := context.Background()
	h, _ := startQueueRouter(t, newTestStore(t), nil)
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	id, err := h.r.Enqueue(ctx, d.dev.DevEUI, router.Downlink{FPort: 3, Data: []byte{1}, Confirmed: true})
	must(t, err)
	fcnt := uint32(0)
	for i := range 4 {
		h.hear(t, queueUp(t, d, fcnt))
		fcnt++
		got := h.onlyDownlink(t, d)
		if got.mtype != lorawan.ConfirmedDataDown {
			t.Fatalf("transmission %d: %+v, want the confirmed downlink", i+1, got)
		}
		h.txAck(t, got)
		checkQueue(t, h, d, []uuid.UUID{id}, []bool{true})
	}
	h.hear(t, queueUp(t, d, fcnt))
	checkQueue(t, h, d, nil, nil)
	var codes []string
	for _, m := range h.bus.take() {
		switch {
		case strings.HasSuffix(m.Topic, "/event/ack"):
			var ev router.AckEvent
			must(t, json.Unmarshal(m.Payload, &ev))
			if ev.QueueItemID != id.String() || ev.Acknowledged {
				t.Errorf("ack event %+v, want %s not acknowledged", ev, id)
			}
			codes = append(codes, "ack")
		case strings.HasSuffix(m.Topic, "/event/error"):
			var ev router.DownlinkErrorEvent
			must(t, json.Unmarshal(m.Payload, &ev))
			codes = append(codes, ev.Code)
		}
	}
	if strings.Join(codes, ",") != "ack,"+router.DownlinkErrorNoAck {
		t.Errorf("events %v, want an ack event then %s", codes, router.DownlinkErrorNoAck)
	}
}

// TestQueueRefusedKeepsItem: a downlink that every hotspot refuses stays
// queued, waiting, and goes with the next uplink.
func TestQueueRefusedKeepsItem(t *testing.T) {
	ctx := context.Background()
	h, _ := startQueueRouter(t, newTestStore(t), nil)
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	id, err := h.r.Enqueue(ctx, d.dev.DevEUI, router.Downlink{FPort: 3, Data: []byte{1}})
	must(t, err)
	h.hear(t, queueUp(t, d, 0))
	tries := 0
	for sent := h.downlinks(t, d); len(sent) > 0; sent = h.downlinks(t, d) {
		for _, s := range sent {
			tries++
			h.txAnswer(t, s, "TOO_LATE") // the router tries the next hotspot
		}
	}
	if tries != len(h.hotspots) {
		t.Errorf("downlink offered to %d hotspots, want %d", tries, len(h.hotspots))
	}
	checkQueue(t, h, d, []uuid.UUID{id}, []bool{false})
	h.hear(t, queueUp(t, d, 1))
	h.txAck(t, h.onlyDownlink(t, d))
	checkQueue(t, h, d, nil, nil)
}

// TestQueueFlushAndLimit: the queue refuses a downlink beyond
// MaxQueuedDownlinks, FlushQueue empties it, and a command delivered twice
// with one id is queued once.
func TestQueueFlushAndLimit(t *testing.T) {
	ctx := context.Background()
	h, _ := startQueueRouter(t, newTestStore(t), nil)
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	for range router.MaxQueuedDownlinks {
		_, err := h.r.Enqueue(ctx, d.dev.DevEUI, router.Downlink{FPort: 1, Data: []byte{1}})
		must(t, err)
	}
	if _, err := h.r.Enqueue(ctx, d.dev.DevEUI, router.Downlink{FPort: 1}); !errors.Is(err, router.ErrQueueFull) {
		t.Fatalf("Enqueue beyond the limit = %v, want ErrQueueFull", err)
	}
	n, err := h.r.FlushQueue(ctx, d.dev.DevEUI)
	if err != nil || n != router.MaxQueuedDownlinks {
		t.Fatalf("FlushQueue = %d, %v; want %d", n, err, router.MaxQueuedDownlinks)
	}
	checkQueue(t, h, d, nil, nil)

	eui := d.dev.DevEUI.String()
	cmd := `{"id":"7d444840-9dc0-11d1-b245-5ffdce74fad2","devEui":"` + eui + `","fPort":2,"data":"AQ=="}`
	h.command(t, cmdTopic(testApp, eui), cmd)
	h.command(t, cmdTopic(testApp, eui), cmd)
	checkQueue(t, h, d, []uuid.UUID{uuid.MustParse("7d444840-9dc0-11d1-b245-5ffdce74fad2")}, []bool{false})
	if got := h.dropped("bad_command"); got != 0 {
		t.Errorf("dropped{bad_command} = %v, want 0: the repeated command is not an error", got)
	}
}
