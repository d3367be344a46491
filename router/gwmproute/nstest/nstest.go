// Package nstest is an external network server for tests of GWMP routes:
// a plain UDP socket that acknowledges PUSH_DATA and PULL_DATA as a real one
// does, hands the test each packet it asks for and sends downlinks to the
// virtual gateway. It is for tests only.
package nstest

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hexnet/hexnet/hotspot/gwmp"
)

// Wait bounds how long Next waits for a packet.
const Wait = 5 * time.Second

// Server is the network server's socket.
type Server struct {
	t    testing.TB
	conn *net.UDPConn
	mu   sync.Mutex
	peer *net.UDPAddr   // the virtual gateway, as last heard
	seen []*gwmp.Packet // packets read while waiting for another type
}

// New listens on a free loopback port until the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &Server{t: t, conn: c}
}

// Addr is the server's host:port, for a route's GWMP address.
func (s *Server) Addr() string { return s.conn.LocalAddr().String() }

// Next returns the next packet of type typ, failing the test after Wait.
func (s *Server) Next(typ gwmp.Type) *gwmp.Packet {
	s.t.Helper()
	for i, p := range s.seen {
		if p.Type == typ {
			s.seen = append(s.seen[:i], s.seen[i+1:]...)
			return p
		}
	}
	deadline := time.Now().Add(Wait)
	for {
		p, err := s.read(deadline)
		if err != nil {
			s.t.Fatalf("waiting for %v: %v", typ, err)
		}
		if p.Type == typ {
			return p
		}
		s.seen = append(s.seen, p)
	}
}

// NoPush fails the test if a PUSH_DATA arrives within wait.
func (s *Server) NoPush(wait time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		p, err := s.read(deadline)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return
		}
		if err != nil {
			s.t.Fatalf("read: %v", err)
		}
		if p.Type == gwmp.PushData {
			s.t.Fatalf("PUSH_DATA %+v forwarded, want nothing", p)
		}
		s.seen = append(s.seen, p)
	}
}

// read returns the next packet before deadline, acknowledging PUSH_DATA and
// PULL_DATA and remembering where the gateway is.
func (s *Server) read(deadline time.Time) (*gwmp.Packet, error) {
	buf := make([]byte, gwmp.MaxDatagram)
	_ = s.conn.SetReadDeadline(deadline)
	n, from, err := s.conn.ReadFromUDP(buf)
	if err != nil {
		return nil, err
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
	return p, nil
}

// Send sends p to the virtual gateway last heard from.
func (s *Server) Send(p *gwmp.Packet) {
	s.t.Helper()
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
