package router_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/router/gwmproute"
)

// gwmpNS is a plain UDP socket standing in for an external network server.
type gwmpNS struct {
	t    *testing.T
	conn *net.UDPConn
	mu   sync.Mutex
	peer *net.UDPAddr
	seen []*gwmp.Packet
}

func newGWMPNS(t *testing.T) *gwmpNS {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &gwmpNS{t: t, conn: c}
}

// next returns the next packet of type typ, acking PUSH_DATA and PULL_DATA.
func (s *gwmpNS) next(typ gwmp.Type) *gwmp.Packet {
	s.t.Helper()
	for i, p := range s.seen {
		if p.Type == typ {
			s.seen = append(s.seen[:i], s.seen[i+1:]...)
			return p
		}
	}
	buf := make([]byte, gwmp.MaxDatagram)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_ = s.conn.SetReadDeadline(deadline)
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			s.t.Fatalf("waiting for %v: %v", typ, err)
		}
		p, err := gwmp.Decode(buf[:n])
		if err != nil {
			s.t.Fatalf("decode: %v", err)
		}
		s.mu.Lock()
		s.peer = from
		s.mu.Unlock()
		if p.Type == gwmp.PushData || p.Type == gwmp.PullData {
			_, _ = s.conn.WriteToUDP(gwmp.Ack(p), from)
		}
		if p.Type == typ {
			return p
		}
		s.seen = append(s.seen, p)
	}
}

func (s *gwmpNS) send(p *gwmp.Packet) {
	b, err := gwmp.Encode(p)
	if err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.conn.WriteToUDP(b, s.peer); err != nil {
		s.t.Fatal(err)
	}
}

// waitDown waits for a Downlink published to the hotspot's down topic.
func waitDown(t *testing.T, h *harness, k *identity.Key) *hexnetpb.Downlink {
	t.Helper()
	topic := "hexnet/hotspot/" + string(k.Address()) + "/down"
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, m := range h.bus.take() {
			if m.Topic == topic {
				var dl hexnetpb.Downlink
				must(t, proto.Unmarshal(m.Payload, &dl))
				return &dl
			}
		}
	}
	t.Fatal("no downlink on " + topic)
	return nil
}

// GWMP route: a test GWMP server stands in for an external network server;
// its PULL_RESP reaches the device's best hotspot and TX_ACK goes back.
func TestGWMPRoute(t *testing.T) {
	ns := newGWMPNS(t)
	ctx := context.Background()
	joinEUI := lorawan.EUI64{0xaa, 1}
	h, d := creditHarness(t, 100, router.Route{
		ID: "ext", NetID: lorawan.NetID{0, 0, 0x13}, Destination: router.DestinationGWMP, GWMPAddress: ns.conn.LocalAddr().String(),
		DevAddrRanges: []router.DevAddrRange{{First: addrA, Last: addrA}},
		EUIPairs:      []router.EUIPair{{JoinEUI: joinEUI}},
		MaxCopies:     2, CreatedAt: t0,
	})
	phy := dataFrame(t, addrA, 10, 1, []byte("hi"), d.sess.FNwkSIntKey, d.sess.AppSKey, false)
	h.bus.take()
	h.hear(t, phy)

	push := ns.next(gwmp.PushData)
	if push.GatewayEUI != gwmproute.GatewayEUI("ext") || len(push.Push.RXPK) != 2 {
		t.Fatalf("PUSH_DATA %+v (rxpk %d), want the route's EUI and 2 copies", push, len(push.Push.RXPK))
	}
	if got, _ := push.Push.RXPK[0].Payload(); string(got) != string(phy) || push.Push.RXPK[0].Tmst != 1_000_000 {
		t.Fatalf("rxpk %+v", push.Push.RXPK[0])
	}
	for _, m := range h.bus.take() {
		if strings.Contains(m.Topic, "/event/") {
			t.Errorf("built-in network server handled a GWMP route's frame: %s", m.Topic)
		}
	}
	ns.next(gwmp.PullData)

	tmst := uint32(2_000_000)
	tx := &gwmp.TXPK{Tmst: &tmst, Freq: 868.1, Powe: 14, Modu: "LORA", DatR: gwmp.LoRa(7, 125), Codr: "4/5", IPol: true}
	tx.SetPayload([]byte{0x60, 1, 2, 3})
	ns.send(&gwmp.Packet{Version: gwmp.Version2, Token: 0xbeef, Type: gwmp.PullResp, TXPK: tx})
	// The best of the two bought copies: hotspot 1 (SNR 2 dB).
	dl := waitDown(t, h, h.hotspots[1])
	if it := dl.GetItems()[0]; it.GetTmst() != tmst || it.GetFrequencyHz() != 868_100_000 || string(it.GetPhyPayload()) != "\x60\x01\x02\x03" {
		t.Fatalf("downlink item %v", it)
	}
	ack, err := h.hotspots[1].SealBytes(identity.KindTxAck, &hexnetpb.TxAck{Id: dl.GetId(), Error: "NONE"})
	must(t, err)
	h.r.HandleTxAck("hexnet/hotspot/"+string(h.hotspots[1].Address())+"/ack", ack)
	if a := ns.next(gwmp.TxAck); a.Token != 0xbeef || a.TxError() != gwmp.TxNone {
		t.Fatalf("TX_ACK %+v", a)
	}

	// A join request of the route's JoinEUI goes the same way.
	h.hear(t, joinRequest(t, joinEUI, lorawan.EUI64{1, 2, 3}, 7, testSKey))
	if p := ns.next(gwmp.PushData); len(p.Push.RXPK) != 2 {
		t.Fatalf("join PUSH_DATA %+v", p)
	}
	_ = ctx
}
