package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/hotspot/gwmp"
)

// Load generator limits.
const (
	// udpWindow bounds the PUSH_DATA a sender has not seen acknowledged, so
	// that hotspotd's socket buffer (about 200 kB by default) never
	// overflows: hotspotd acknowledges a PUSH_DATA as it reads it.
	udpWindow = 64
	// ackStall is how long a sender waits for acknowledgements before it
	// writes the missing ones off (counted as lost datagrams).
	ackStall = time.Second
	// hotspotBacklog bounds the copies a hotspotd has read and not yet
	// published (or dropped): half its publish queue, so the queue never
	// overflows even when one hotspot lags behind the others — the frame
	// window alone does not bound that, as a frame counts as delivered
	// with its first copy.
	hotspotBacklog = 2048
	// frameStall is how long the generator waits for any frame to reach the
	// application before it gives up.
	frameStall = 10 * time.Second
)

var errPoolExhausted = errors.New("every prepared frame has been sent; raise --frames")

// sender plays one packet forwarder: a UDP socket to one hotspotd sending
// GWMP v2 PUSH_DATA built from a template (fixed radio metadata, the
// PHYPayload spliced in), counting PUSH_ACKs. It sends no PULL_DATA:
// hotspotd forwards uplinks without it.
type sender struct {
	conn        *net.UDPConn
	buf         []byte // the template, rewritten in place per datagram
	dataOff     int    // where the base64 PHYPayload goes
	token       uint16
	win         *window
	acksMissing atomic.Int64
	// finished reports how many uplinks the hotspotd has published or
	// dropped; sent and seen track the backlog against it.
	finished   func() uint64
	sent, seen uint64
}

// newSender dials hotspotd's GWMP address as forwarder number h; its rxpk
// carry RSSI and SNR that differ per forwarder.
func newSender(h int, addr net.Addr, finished func() uint64) (*sender, error) {
	buf, off, err := pushTemplate(h)
	if err != nil {
		return nil, err
	}
	raddr, err := net.ResolveUDPAddr("udp", addr.String())
	if err != nil {
		return nil, err
	}
	conn, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		return nil, fmt.Errorf("dial hotspotd %s: %w", addr, err)
	}
	_ = conn.SetReadBuffer(1 << 20)
	return &sender{conn: conn, buf: buf, dataOff: off, win: newWindow(udpWindow), finished: finished}, nil
}

// pushTemplate encodes a PUSH_DATA with one rxpk whose payload is phySize
// zero bytes, and returns it with the offset of the base64 data.
func pushTemplate(h int) ([]byte, int, error) {
	r := gwmp.RXPK{
		Tmst: 1_000_000, Freq: 868.1, Stat: gwmp.StatCRCOK, Modu: gwmp.ModuLoRa,
		DatR: gwmp.LoRa(7, 125), Codr: "4/5",
		RSSI: -60 - 7*float64(h), LSNR: 9.5 - 2.25*float64(h),
	}
	r.SetPayload(make([]byte, phySize))
	var eui lorawan.EUI64
	binary.BigEndian.PutUint64(eui[:], 0xb827ebfffe000000|uint64(h))
	b, err := gwmp.Encode(&gwmp.Packet{
		Version: gwmp.Version2, Type: gwmp.PushData, GatewayEUI: eui,
		Push: &gwmp.PushBody{RXPK: []gwmp.RXPK{r}},
	})
	if err != nil {
		return nil, 0, fmt.Errorf("PUSH_DATA template: %w", err)
	}
	marker := []byte(`"data":"` + r.Data + `"`)
	off := bytes.Index(b, marker)
	if off < 0 || bytes.Count(b, marker) != 1 {
		return nil, 0, errors.New("PUSH_DATA template: data field not found once")
	}
	return b, off + len(`"data":"`), nil
}

// send writes one PUSH_DATA carrying phy, waiting for room in the
// hotspotd's backlog and in the window of unacknowledged datagrams.
func (s *sender) send(ctx context.Context, phy []byte) error {
	if err := s.waitBacklog(ctx); err != nil {
		return err
	}
	if err := s.win.acquire(ctx, ackStall); errors.Is(err, errStalled) {
		s.acksMissing.Add(s.win.writeOff())
		s.win.out.Add(1)
	} else if err != nil {
		return err
	}
	s.token++
	binary.BigEndian.PutUint16(s.buf[1:3], s.token)
	base64.StdEncoding.Encode(s.buf[s.dataOff:], phy)
	if _, err := s.conn.Write(s.buf); err != nil {
		return fmt.Errorf("send PUSH_DATA: %w", err)
	}
	s.sent++
	return nil
}

// waitBacklog polls the hotspotd's counters, only when the backlog may be
// full, until it has room.
func (s *sender) waitBacklog(ctx context.Context) error {
	if s.sent-s.seen < hotspotBacklog {
		return nil
	}
	deadline := time.Now().Add(frameStall)
	for {
		if s.seen = s.finished(); s.sent-s.seen < hotspotBacklog {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("hotspotd backlog of %d uplinks: %w", s.sent-s.seen, errStalled)
		}
		if err := sleep(ctx, 200*time.Microsecond); err != nil {
			return err
		}
	}
}

// readAcks counts PUSH_ACKs until the socket is closed.
func (s *sender) readAcks() {
	b := make([]byte, 512)
	for {
		n, err := s.conn.Read(b)
		if err != nil {
			return
		}
		if n >= gwmp.HeaderSize && gwmp.Type(b[3]) == gwmp.PushAck {
			s.win.release()
		}
	}
}

// generator pushes the fleet's frames, in order, to every sender.
type generator struct {
	fleet   *fleet
	tr      *tracker
	senders []*sender
	next    int // the next frame to send
	wg      sync.WaitGroup
}

// newGenerator opens one sender per hotspotd; finished[h] counts what
// hotspotd h is done with (see sender.finished).
func newGenerator(f *fleet, tr *tracker, addrs []net.Addr, finished []func() uint64) (*generator, error) {
	g := &generator{fleet: f, tr: tr}
	for h, a := range addrs {
		s, err := newSender(h, a, finished[h])
		if err != nil {
			g.close()
			return nil, err
		}
		g.senders = append(g.senders, s)
		g.wg.Go(s.readAcks)
	}
	return g, nil
}

func (g *generator) close() {
	for _, s := range g.senders {
		s.conn.Close()
	}
	g.wg.Wait()
}

// run sends frames until the deadline: as fast as the in-flight windows
// allow when rate is 0, else paced at rate frames per second.
func (g *generator) run(ctx context.Context, until time.Time, rate float64) error {
	start := time.Now()
	for k := 0; ; k++ {
		now := time.Now()
		if !now.Before(until) {
			return nil
		}
		if rate > 0 {
			due := start.Add(time.Duration(float64(k) / rate * float64(time.Second)))
			if err := sleep(ctx, due.Sub(now)); err != nil {
				return err
			}
		}
		if err := g.push(ctx); err != nil {
			return err
		}
	}
}

// push sends the next frame to every hotspot.
func (g *generator) push(ctx context.Context) error {
	if g.next >= len(g.fleet.frames) {
		return errPoolExhausted
	}
	if err := g.tr.win.acquire(ctx, frameStall); err != nil {
		return fmt.Errorf("waiting for deliveries (%d frames in flight): %w", g.tr.win.outstanding(), err)
	}
	i := g.next
	g.next++
	g.tr.markSent(i, time.Now())
	for _, s := range g.senders {
		if err := s.send(ctx, g.fleet.frames[i]); err != nil {
			return err
		}
	}
	return nil
}

// quiesce waits until every hotspotd has published (or dropped) every
// copy sent to it, or timeout: a frame counts as delivered with its first
// copy, and the others must not be cut off by a shutdown.
func (g *generator) quiesce(ctx context.Context, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for _, s := range g.senders {
		for s.seen = s.finished(); s.seen < s.sent; s.seen = s.finished() {
			if time.Now().After(deadline) || sleep(ctx, 5*time.Millisecond) != nil {
				return false
			}
		}
	}
	return true
}

// acksMissing sums the PUSH_DATA never acknowledged, over all senders.
func (g *generator) acksMissing() int64 {
	var n int64
	for _, s := range g.senders {
		n += s.acksMissing.Load() + s.win.outstanding()
	}
	return n
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
