package forwarder_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/sim/air"
	"github.com/hexnet/hexnet/sim/forwarder"
)

const waitFor = 5 * time.Second

var eui = lorawan.EUI64{0xb8, 0x27, 0xeb, 0, 0, 0, 0, 1}

// medium records transmissions.
type medium struct{ txs chan air.Transmission }

func newMedium() *medium { return &medium{txs: make(chan air.Transmission, 16)} }

func (m *medium) Transmit(gateway int, tx air.Transmission) {
	if gateway == 7 {
		m.txs <- tx
	}
}

func (m *medium) next(t *testing.T) air.Transmission {
	t.Helper()
	select {
	case tx := <-m.txs:
		return tx
	case <-time.After(waitFor):
		t.Fatal("nothing transmitted")
		return air.Transmission{}
	}
}

// peer is a bare UDP server standing in for hotspotd.
type peer struct {
	t    *testing.T
	conn *net.UDPConn
	fwd  net.Addr
}

func newPeer(t *testing.T) *peer {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &peer{t: t, conn: conn}
}

// recv returns the next datagram from the forwarder, skipping status reports.
func (p *peer) recv() *gwmp.Packet {
	p.t.Helper()
	buf := make([]byte, 65536)
	for {
		p.conn.SetReadDeadline(time.Now().Add(waitFor))
		n, from, err := p.conn.ReadFrom(buf)
		if err != nil {
			p.t.Fatalf("no datagram from the forwarder: %v", err)
		}
		p.fwd = from
		pk, err := gwmp.Decode(buf[:n])
		if err != nil {
			p.t.Fatalf("forwarder sent a bad datagram: %v", err)
		}
		if pk.Version != gwmp.Version2 || pk.GatewayEUI != eui {
			p.t.Fatalf("datagram v%d from %s, want v2 from %s", pk.Version, pk.GatewayEUI, eui)
		}
		if pk.Type == gwmp.PushData && len(pk.Push.RXPK) == 0 {
			continue
		}
		return pk
	}
}

func (p *peer) send(pk *gwmp.Packet) {
	p.t.Helper()
	raw, err := gwmp.Encode(pk)
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.conn.WriteTo(raw, p.fwd); err != nil {
		p.t.Fatal(err)
	}
}

func start(t *testing.T, server string, m air.Medium, seed int64) *forwarder.Forwarder {
	t.Helper()
	f, err := forwarder.New(forwarder.Options{Index: 7, GatewayEUI: eui, Server: server, Medium: m, Seed: seed,
		KeepAlive: time.Hour, StatInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return f
}

func reception(at time.Time) air.Reception {
	return air.Reception{PHYPayload: []byte{0x40, 1, 2, 3, 4}, FrequencyHz: 868500000,
		Modulation: air.Modulation{SpreadingFactor: 10, BandwidthKHz: 125, CodingRate: "4/5"}, RSSI: -101, SNR: -2.5, At: at}
}

// handshake answers the first PULL_DATA and learns the counter from one
// uplink received at t0.
func handshake(t *testing.T, p *peer, f *forwarder.Forwarder) (t0 time.Time, tmst0 uint32) {
	t.Helper()
	pull := p.recv()
	if pull.Type != gwmp.PullData {
		t.Fatalf("first datagram is %s, want PULL_DATA", pull.Type)
	}
	p.send(&gwmp.Packet{Version: 2, Token: pull.Token, Type: gwmp.PullAck})
	t0 = time.Now().Round(0)
	f.Receive(reception(t0))
	push := p.recv()
	p.send(&gwmp.Packet{Version: 2, Token: push.Token, Type: gwmp.PushAck})
	return t0, push.Push.RXPK[0].Tmst
}

func TestPushData(t *testing.T) {
	p := newPeer(t)
	f := start(t, p.conn.LocalAddr().String(), newMedium(), 1)
	p.recv() // PULL_DATA
	at := time.Date(2025, 6, 1, 12, 0, 0, 123456789, time.UTC)
	f.Receive(reception(at))
	push := p.recv()
	if push.Type != gwmp.PushData || len(push.Push.RXPK) != 1 {
		t.Fatalf("got %s %+v, want PUSH_DATA with one rxpk", push.Type, push.Push)
	}
	r := push.Push.RXPK[0]
	want := gwmp.RXPK{Time: &gwmp.CompactTime{Time: at}, Tmst: r.Tmst, Freq: 868.5, Stat: 1, Modu: "LORA",
		DatR: gwmp.LoRa(10, 125), Codr: "4/5", RSSI: -101, LSNR: -2.5, Size: 5, Data: "QAECAwQ="}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("rxpk mismatch (-want +got):\n%s", diff)
	}
	p.send(&gwmp.Packet{Version: 2, Token: push.Token, Type: gwmp.PushAck})
	deadline := time.Now().Add(waitFor)
	for f.Stats().PushAcked != 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st := f.Stats(); st.PushSent != 1 || st.PushAcked != 1 || st.PullSent != 1 {
		t.Errorf("stats = %+v, want 1 push sent and acked, 1 pull", st)
	}
}

func TestTmstFollowsTime(t *testing.T) {
	p := newPeer(t)
	f := start(t, p.conn.LocalAddr().String(), newMedium(), 2)
	t0, tmst0 := handshake(t, p, f)
	f.Receive(reception(t0.Add(1500 * time.Millisecond)))
	if got := p.recv().Push.RXPK[0].Tmst; gwmp.TmstSub(got, tmst0) != 1500*time.Millisecond {
		t.Errorf("tmst 1.5 s later = %d, first %d: difference %v", got, tmst0, gwmp.TmstSub(got, tmst0))
	}
}

func txpk(tmst *uint32, imme bool) *gwmp.TXPK {
	t := &gwmp.TXPK{Imme: imme, Tmst: tmst, Freq: 869.525, Powe: 27, Modu: "LORA", DatR: gwmp.LoRa(9, 125), Codr: "4/5", IPol: true}
	t.SetPayload([]byte{0x20, 1, 2, 3})
	return t
}

func TestDownlinkTiming(t *testing.T) {
	m := newMedium()
	p := newPeer(t)
	f := start(t, p.conn.LocalAddr().String(), m, 3)
	t0, tmst0 := handshake(t, p, f)
	at := func(d time.Duration) *uint32 { v := gwmp.TmstAdd(tmst0, time.Since(t0)+d); return &v }
	for _, tc := range []struct {
		name string
		txpk *gwmp.TXPK
		want gwmp.ErrorCode
	}{
		{"in the past", txpk(at(-time.Second), false), gwmp.TxTooLate},
		{"inside the JIT lead", txpk(at(10*time.Millisecond), false), gwmp.TxTooLate},
		{"too far ahead", txpk(at(10*time.Minute), false), gwmp.TxTooEarly},
		{"accepted", txpk(at(300*time.Millisecond), false), gwmp.TxNone},
		{"collides with the accepted one", txpk(at(350*time.Millisecond), false), gwmp.TxCollisionPacket},
		{"gps time", &gwmp.TXPK{Tmms: new(uint64), Modu: "LORA", DatR: gwmp.LoRa(7, 125)}, gwmp.TxGPSUnlocked},
	} {
		p.send(&gwmp.Packet{Version: 2, Token: 0x5150, Type: gwmp.PullResp, TXPK: tc.txpk})
		ack := p.recv()
		if ack.Type != gwmp.TxAck || ack.Token != 0x5150 || ack.TxError() != tc.want {
			t.Errorf("%s: got %s token %#x error %s, want TX_ACK %s", tc.name, ack.Type, ack.Token, ack.TxError(), tc.want)
		}
	}
	tx := m.next(t)
	want := air.Transmission{PHYPayload: []byte{0x20, 1, 2, 3}, FrequencyHz: 869525000,
		Modulation: air.Modulation{SpreadingFactor: 9, BandwidthKHz: 125, CodingRate: "4/5"}, PowerDBm: 27, InvertPolarity: true, At: tx.At}
	if diff := cmp.Diff(want, tx); diff != "" {
		t.Errorf("transmission mismatch (-want +got):\n%s", diff)
	}
	if late := time.Since(tx.At); late < 0 || late > 200*time.Millisecond {
		t.Errorf("transmitted %v after its instant", late)
	}
	st := f.Stats()
	if st.DownlinksReceived != 6 || st.Transmitted != 1 || st.TxErrors[gwmp.TxTooLate] != 2 {
		t.Errorf("stats = %+v", st)
	}
}

func TestImmediateDownlink(t *testing.T) {
	m := newMedium()
	p := newPeer(t)
	f := start(t, p.conn.LocalAddr().String(), m, 4)
	handshake(t, p, f)
	p.send(&gwmp.Packet{Version: 2, Token: 9, Type: gwmp.PullResp, TXPK: txpk(nil, true)})
	if ack := p.recv(); ack.Type != gwmp.TxAck || ack.TxError() != gwmp.TxNone {
		t.Fatalf("got %s %s, want TX_ACK NONE", ack.Type, ack.TxError())
	}
	m.next(t)
}

func TestStatReports(t *testing.T) {
	p := newPeer(t)
	start(t, p.conn.LocalAddr().String(), newMedium(), 5)
	buf := make([]byte, 65536)
	for range 5 {
		p.conn.SetReadDeadline(time.Now().Add(waitFor))
		n, _, err := p.conn.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		pk, err := gwmp.Decode(buf[:n])
		if err == nil && pk.Type == gwmp.PushData && pk.Push.Stat != nil {
			if _, err := time.Parse(gwmp.StatTimeLayout, pk.Push.Stat.Time); err != nil {
				t.Errorf("stat time: %v", err)
			}
			return
		}
	}
	t.Fatal("no status report")
}

// TestImmediateWaitsForTheRadio: an immediate packet (a beacon: uplink
// polarity) that would overlap a packet already booked goes out right
// after it, like lora_pkt_fwd's JIT queue does, and keeps its polarity.
func TestImmediateWaitsForTheRadio(t *testing.T) {
	m := newMedium()
	p := newPeer(t)
	f := start(t, p.conn.LocalAddr().String(), m, 8)
	t0, tmst0 := handshake(t, p, f)
	booked := gwmp.TmstAdd(tmst0, time.Since(t0)+300*time.Millisecond)
	first := txpk(&booked, false)
	first.DatR = gwmp.LoRa(12, 125)
	p.send(&gwmp.Packet{Version: 2, Token: 1, Type: gwmp.PullResp, TXPK: first})
	if ack := p.recv(); ack.TxError() != gwmp.TxNone {
		t.Fatalf("booked packet: %s", ack.TxError())
	}
	beacon := txpk(nil, true)
	beacon.DatR, beacon.IPol = gwmp.LoRa(12, 125), false
	beacon.SetPayload(append([]byte{0xE0}, make([]byte, 24)...))
	p.send(&gwmp.Packet{Version: 2, Token: 2, Type: gwmp.PullResp, TXPK: beacon})
	if ack := p.recv(); ack.TxError() != gwmp.TxNone {
		t.Fatalf("immediate packet: %s, want NONE (queued after the booked one)", ack.TxError())
	}
	a, b := m.next(t), m.next(t)
	if !a.InvertPolarity || b.InvertPolarity || len(b.PHYPayload) != 25 {
		t.Fatalf("transmitted %+v then %+v; want the booked downlink, then the beacon with uplink polarity", a, b)
	}
	const sf12Airtime = 827392 * time.Microsecond // 4 bytes, no CRC
	if gap := b.At.Sub(a.At); gap < sf12Airtime {
		t.Errorf("immediate packet started %v after the booked one, which lasts %v", gap, sf12Airtime)
	}
}
