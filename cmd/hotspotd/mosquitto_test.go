package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/proctest"
	"github.com/hexnet/hexnet/internal/testenv"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// observer is an MQTT client watching one hotspot's topics, one channel per
// topic leaf.
type observer struct {
	t    *testing.T
	addr identity.Address
	msgs map[string]chan []byte
}

func observe(t *testing.T, broker string, addr identity.Address) *observer {
	t.Helper()
	o := &observer{t: t, addr: addr, msgs: map[string]chan []byte{}}
	for _, leaf := range []string{hotspot.LeafUp, hotspot.LeafState, hotspot.LeafStats, hotspot.LeafAck, hotspot.LeafBeacon} {
		o.msgs[leaf] = make(chan []byte, 16)
	}
	cl := connect(t, broker, "observer")
	err := cl.Subscribe(context.Background(), hotspot.Topic(addr, "#"), 1, func(topic string, payload []byte) {
		if _, leaf, ok := hotspot.ParseTopic(topic); ok && o.msgs[leaf] != nil {
			o.msgs[leaf] <- append([]byte(nil), payload...)
		}
	})
	if err == nil {
		err = cl.Subscribe(context.Background(), hotspot.UplinksOf(addr), 1, func(_ string, payload []byte) {
			o.msgs[hotspot.LeafUp] <- append([]byte(nil), payload...)
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// next waits for the next message on leaf.
func (o *observer) next(leaf string) []byte {
	o.t.Helper()
	select {
	case m := <-o.msgs[leaf]:
		return m
	case <-time.After(waitFor):
		o.t.Fatalf("nothing on %s within %v", hotspot.Topic(o.addr, leaf), waitFor)
		return nil
	}
}

// connect opens an MQTT client with a unique id, closed at cleanup.
func connect(t *testing.T, broker, role string) *mqttclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	suffix := make([]byte, 6)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatal(err)
	}
	cl, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: broker, ClientID: "hotspotd-test-" + role + "-" + hex.EncodeToString(suffix)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// openState verifies a signed State and its signer.
func openState(t *testing.T, raw []byte, want identity.Address) *hexnetpb.State {
	t.Helper()
	var st hexnetpb.State
	signer, err := identity.OpenBytes(raw, identity.KindState, &st)
	if err != nil {
		t.Fatalf("state does not verify: %v", err)
	}
	if signer != want {
		t.Fatalf("state signed by %s, want %s", signer, want)
	}
	return &st
}

// forgetState clears the hotspot's retained state on the shared broker.
func forgetState(t *testing.T, broker string, addr identity.Address) {
	cl := connect(t, broker, "cleanup")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := cl.Publish(ctx, hotspot.Topic(addr, hotspot.LeafState), 1, true, nil); err != nil {
		t.Errorf("clear retained state: %v", err)
	}
}

// forwarder is a fake packet forwarder's UDP socket.
type forwarder struct {
	t    *testing.T
	conn *net.UDPConn
	to   *net.UDPAddr
}

func newForwarder(t *testing.T, hotspotd string) *forwarder {
	t.Helper()
	to, err := net.ResolveUDPAddr("udp", hotspotd)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &forwarder{t: t, conn: conn, to: to}
}

// push sends one PUSH_DATA and waits for the hotspot's PUSH_ACK.
func (f *forwarder) push(token uint16, rx ...gwmp.RXPK) {
	f.t.Helper()
	raw, err := gwmp.Encode(&gwmp.Packet{Version: gwmp.Version2, Token: token, Type: gwmp.PushData,
		GatewayEUI: lorawan.EUI64{0xaa, 0x55, 0x5a, 0, 0, 0, 0, 1}, Push: &gwmp.PushBody{RXPK: rx}})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.conn.WriteToUDP(raw, f.to); err != nil {
		f.t.Fatal(err)
	}
	buf := make([]byte, gwmp.MaxDatagram)
	f.conn.SetReadDeadline(time.Now().Add(waitFor))
	n, err := f.conn.Read(buf)
	if err != nil {
		f.t.Fatalf("no PUSH_ACK: %v", err)
	}
	ack, err := gwmp.Decode(buf[:n])
	if err != nil {
		f.t.Fatalf("hotspotd answered with an undecodable datagram: %v", err)
	}
	if ack.Type != gwmp.PushAck || ack.Token != token || ack.Version != gwmp.Version2 {
		f.t.Fatalf("got v%d %s token %#x, want v2 PUSH_ACK token %#x", ack.Version, ack.Type, ack.Token, token)
	}
}

// TestStandaloneMosquitto runs hotspotd against the machine's Mosquitto the
// way a gateway does: it announces itself online (retained, signed), turns
// a forwarder's PUSH_DATA into a PUSH_ACK and a signed uplink, and on
// SIGTERM exits 0 leaving its retained state offline.
func TestStandaloneMosquitto(t *testing.T) {
	broker := testenv.Mosquitto(t)
	keyPath, key := keyFile(t)
	addr := key.Address()
	t.Cleanup(func() { forgetState(t, broker, addr) })
	gwmpAddr := proctest.FreeUDPAddr(t)
	p := start(t, "--key", keyPath, "--gwmp-listen", gwmpAddr, "--mqtt", broker, "--metrics-listen", "127.0.0.1:0")
	p.WaitLog("hotspot running")

	// Subscribing only now proves the online state is retained.
	obs := observe(t, broker, addr)
	if st := openState(t, obs.next(hotspot.LeafState), addr); !st.GetOnline() {
		t.Fatalf("retained state %v, want online", st)
	}

	phy := []byte{0x40, 0x04, 0x03, 0x02, 0x01, 0x80, 0x07, 0x00, 0x02, 0xde, 0xad, 0xbe, 0xef, 0x11, 0x22, 0x33, 0x44}
	rx := gwmp.RXPK{Tmst: 123456789, Chan: 2, RFCh: 0, Freq: 868.5, Stat: gwmp.StatCRCOK, Modu: gwmp.ModuLoRa,
		DatR: gwmp.LoRa(7, 125), Codr: "4/5", RSSI: -71, LSNR: 9.5}
	rx.SetPayload(phy)
	newForwarder(t, gwmpAddr).push(0x1234, rx)

	var up hexnetpb.Uplink
	signer, err := identity.OpenBytes(obs.next(hotspot.LeafUp), identity.KindUplink, &up)
	if err != nil {
		t.Fatalf("uplink does not verify: %v", err)
	}
	if signer != addr {
		t.Errorf("uplink signed by %s, want %s", signer, addr)
	}
	if !bytes.Equal(up.GetPhyPayload(), phy) || up.GetFrequencyHz() != 868_500_000 || up.GetTmst() != 123456789 {
		t.Errorf("uplink = %v, want PHYPayload %x at 868.5 MHz, tmst 123456789", &up, phy)
	}

	if code := p.Stop(); code != 0 {
		t.Fatalf("exit %d after SIGTERM, want 0", code)
	}
	// A fresh subscriber sees what a dashboard connecting later would.
	if st := openState(t, observe(t, broker, addr).next(hotspot.LeafState), addr); st.GetOnline() {
		t.Errorf("retained state after a clean stop is %v, want offline", st)
	}
}
