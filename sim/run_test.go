package sim

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/hotspot/gwmp"
)

// gwmpServer is a plain UDP socket standing in for a hotspotd: it acks
// PUSH_DATA and PULL_DATA, records the frames and answers join requests
// with a PULL_RESP that the forwarder must put on air 5 s later.
type gwmpServer struct {
	conn  *net.UDPConn
	world *World
	joins *joinAnswers

	mu     sync.Mutex
	euis   map[lorawan.EUI64]bool
	frames [][]byte
	pull   *net.UDPAddr
}

// joinAnswers answers each DevNonce once, across servers.
type joinAnswers struct {
	mu   sync.Mutex
	seen map[lorawan.DevNonce]bool
}

func (j *joinAnswers) first(n lorawan.DevNonce) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.seen[n] {
		return false
	}
	j.seen[n] = true
	return true
}

func newGWMPServer(t *testing.T, w *World, joins *joinAnswers) *gwmpServer {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &gwmpServer{conn: conn, world: w, joins: joins, euis: map[lorawan.EUI64]bool{}}
	go s.serve(t)
	return s
}

func (s *gwmpServer) serve(t *testing.T) {
	buf := make([]byte, 65536)
	for {
		n, addr, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		p, err := gwmp.Decode(buf[:n])
		if err != nil {
			t.Errorf("bad datagram from the forwarder: %v", err)
			continue
		}
		if ack := gwmp.Ack(p); ack != nil {
			s.conn.WriteToUDP(ack, addr)
		}
		s.handle(t, p, addr)
	}
}

func (s *gwmpServer) handle(t *testing.T, p *gwmp.Packet, addr *net.UDPAddr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch p.Type {
	case gwmp.PullData:
		s.pull = addr
	case gwmp.PushData:
		s.euis[p.GatewayEUI] = true
		for _, rx := range p.Push.RXPK {
			b, err := rx.Payload()
			if err != nil {
				t.Errorf("rxpk payload: %v", err)
				continue
			}
			s.frames = append(s.frames, b)
			s.answerJoin(t, rx, b)
		}
	}
}

// answerJoin sends a join accept for RX1 if b is a new join request.
func (s *gwmpServer) answerJoin(t *testing.T, rx gwmp.RXPK, b []byte) {
	var phy lorawan.PHYPayload
	if phy.UnmarshalBinary(b) != nil || phy.MHDR.MType != lorawan.JoinRequest || s.pull == nil {
		return
	}
	jr := phy.MACPayload.(*lorawan.JoinRequestPayload)
	if !s.joins.first(jr.DevNonce) {
		return
	}
	var d Device
	for _, dev := range s.world.Devices() {
		if dev.DevEUI == jr.DevEUI {
			d = dev
		}
	}
	tmst := rx.Tmst + uint32(JoinAcceptDelay1/time.Microsecond)
	tx := &gwmp.TXPK{Tmst: &tmst, Freq: rx.Freq, Powe: 14, Modu: "LORA", DatR: rx.DatR, Codr: "4/5", IPol: true}
	tx.SetPayload(joinAccept(t, d, lorawan.JoinAcceptPayload{JoinNonce: 9, DevAddr: lorawan.DevAddr{0, 0, 2, byte(d.Index)}}, jr.DevNonce))
	out, err := gwmp.Encode(&gwmp.Packet{Version: gwmp.Version2, Type: gwmp.PullResp, Token: 1, TXPK: tx})
	if err != nil {
		t.Errorf("encode PULL_RESP: %v", err)
		return
	}
	s.conn.WriteToUDP(out, s.pull)
}

func (s *gwmpServer) seen() (map[lorawan.EUI64]bool, [][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.euis, append([][]byte(nil), s.frames...)
}

// TestRunOverGWMP runs the world through real virtual forwarders against
// fake hotspotd sockets: frames arrive as PUSH_DATA from the right
// gateway EUIs, and join accepts sent as PULL_RESP reach the devices.
func TestRunOverGWMP(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 6.5 s of real time")
	}
	cfg := testConfig(41)
	cfg.Hotspots, cfg.Devices, cfg.UplinkInterval, cfg.IgnoreDutyCycle = 3, 6, 300*time.Millisecond, true
	w := newTestWorld(t, cfg)
	joins := &joinAnswers{seen: map[lorawan.DevNonce]bool{}}
	var servers []*gwmpServer
	var addrs []string
	for range w.Hotspots() {
		s := newGWMPServer(t, w, joins)
		servers = append(servers, s)
		addrs = append(addrs, s.conn.LocalAddr().String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6500*time.Millisecond)
	defer cancel()
	if err := w.Run(ctx, addrs); err != nil {
		t.Fatalf("Run: %v", err)
	}
	st := w.Stats()
	frames := waitFrames(servers, st.Copies)
	if int64(frames) != st.Copies || frames == 0 {
		t.Errorf("servers got %d rxpk, the world sent %d copies", frames, st.Copies)
	}
	for i, s := range servers {
		if euis, _ := s.seen(); len(euis) != 1 || !euis[w.Hotspots()[i].GatewayEUI] {
			t.Errorf("server %d saw gateway EUIs %v, want only %s", i, euis, w.Hotspots()[i].GatewayEUI)
		}
	}
	if st.JoinsAccepted == 0 || st.DownlinksTransmitted == 0 {
		t.Errorf("no join accepted through GWMP: %+v", st)
	}
}

// waitFrames gives datagrams still in flight a moment to land and
// returns how many rxpk the servers got.
func waitFrames(servers []*gwmpServer, want int64) int {
	var n int
	for try := 0; try < 50; try++ {
		n = 0
		for _, s := range servers {
			_, got := s.seen()
			n += len(got)
		}
		if int64(n) >= want {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return n
}

func TestRunRejectsServerCount(t *testing.T) {
	w := newTestWorld(t, testConfig(1))
	if err := w.Run(context.Background(), []string{"127.0.0.1:1", "127.0.0.1:2"}); err == nil {
		t.Error("Run accepted 2 servers for 12 hotspots")
	}
}
