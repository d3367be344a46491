// Package forwarder is a virtual LoRa packet forwarder for the simulator: it
// speaks real GWMP v2 over UDP to a hotspotd, exactly as lora_pkt_fwd does
// on a gateway. Frames the simulated air delivers become PUSH_DATA; PULL_RESP
// downlinks are checked like the concentrator's just-in-time queue does
// (TOO_LATE, TOO_EARLY, COLLISION_PACKET), answered with TX_ACK and put on the
// air at their instant.
package forwarder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/sim/air"
)

// Defaults of Options.
const (
	DefaultKeepAlive    = 5 * time.Second
	DefaultStatInterval = 30 * time.Second
)

// Options configure a Forwarder.
type Options struct {
	// Index identifies this gateway to the Medium.
	Index      int
	GatewayEUI lorawan.EUI64
	// Server is the hotspotd GWMP address, host:port (UDP).
	Server string
	// Medium carries transmissions to the simulated devices (and beacons
	// to the other gateways).
	Medium air.Medium
	// Seed makes the concentrator counter's start value reproducible.
	Seed int64
	// KeepAlive is the PULL_DATA interval (default 5 s).
	KeepAlive time.Duration
	// StatInterval is the status PUSH_DATA interval (default 30 s).
	StatInterval time.Duration
	Logger       *slog.Logger
	// Clock tells time and schedules transmissions (default the real clock).
	Clock clock.Clock
}

// Forwarder is one virtual packet forwarder. It implements air.Gateway.
type Forwarder struct {
	o       Options
	log     *slog.Logger
	clk     clock.Clock
	conn    *net.UDPConn
	counter concentratorCounter
	sched   schedule
	stats   counters
}

var _ air.Gateway = (*Forwarder)(nil)

// New opens the UDP socket towards the server; Receive works from then on,
// Run adds keep-alives, status reports and downlinks.
func New(o Options) (*Forwarder, error) {
	if o.Medium == nil {
		return nil, errors.New("forwarder: no Medium")
	}
	withDefaults(&o)
	raddr, err := net.ResolveUDPAddr("udp", o.Server)
	if err != nil {
		return nil, fmt.Errorf("forwarder %d: server address %q: %w", o.Index, o.Server, err)
	}
	conn, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		return nil, fmt.Errorf("forwarder %d: dial %s: %w", o.Index, o.Server, err)
	}
	f := &Forwarder{
		o:       o,
		log:     o.Logger.With("component", "forwarder", "index", o.Index, "eui", o.GatewayEUI.String()),
		clk:     o.Clock,
		conn:    conn,
		counter: newCounter(o.Seed, o.Index, o.Clock.Now()),
	}
	f.stats.txErrors = map[gwmp.ErrorCode]uint64{}
	return f, nil
}

func withDefaults(o *Options) {
	if o.KeepAlive <= 0 {
		o.KeepAlive = DefaultKeepAlive
	}
	if o.StatInterval <= 0 {
		o.StatInterval = DefaultStatInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
}

// Run sends PULL_DATA at once and every KeepAlive, a status report every
// StatInterval, and serves downlinks until ctx ends. It then closes the
// socket and cancels transmissions not yet on air.
func (f *Forwarder) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { f.keepAliveLoop(ctx) })
	wg.Go(func() { f.statLoop(ctx) })
	wg.Go(func() {
		<-ctx.Done()
		f.conn.Close()
	})
	err := f.readLoop(ctx)
	cancel()
	wg.Wait()
	f.sched.stopAll()
	return err
}

func (f *Forwarder) keepAliveLoop(ctx context.Context) {
	f.sendPull()
	clock.Every(ctx, f.o.KeepAlive, f.sendPull)
}

func (f *Forwarder) statLoop(ctx context.Context) {
	clock.Every(ctx, f.o.StatInterval, f.sendStat)
}

// readLoop handles datagrams from the server until the socket closes.
// Errors such as ECONNREFUSED (hotspotd not up yet) are logged and skipped.
func (f *Forwarder) readLoop(ctx context.Context) error {
	buf := make([]byte, 65536)
	for {
		n, err := f.conn.Read(buf)
		if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			f.log.Debug("read from hotspotd failed", "err", err)
			continue
		}
		f.handle(buf[:n])
	}
}

// handle acts on one datagram from the server.
func (f *Forwarder) handle(b []byte) {
	p, err := gwmp.Decode(b)
	if err != nil {
		f.log.Warn("bad datagram from hotspotd", "err", err)
		return
	}
	switch p.Type {
	case gwmp.PushAck:
		f.stats.pushAcked.Add(1)
	case gwmp.PullAck:
		f.stats.pullAcked.Add(1)
	case gwmp.PullResp:
		f.handlePullResp(p)
	default:
		f.log.Warn("unexpected datagram from hotspotd", "type", p.Type.String())
	}
}

// send encodes and writes one packet with a random token.
func (f *Forwarder) send(p *gwmp.Packet) error {
	p.Version = gwmp.Version2
	p.GatewayEUI = f.o.GatewayEUI
	if p.Token == 0 {
		p.Token = uint16(rand.Uint32())
	}
	raw, err := gwmp.Encode(p)
	if err != nil {
		return fmt.Errorf("encode %s: %w", p.Type, err)
	}
	if _, err := f.conn.Write(raw); err != nil {
		return fmt.Errorf("send %s: %w", p.Type, err)
	}
	return nil
}

func (f *Forwarder) sendPull() {
	if err := f.send(&gwmp.Packet{Type: gwmp.PullData}); err != nil {
		f.log.Debug("PULL_DATA not sent", "err", err)
		return
	}
	f.stats.pullSent.Add(1)
}

// sendStat sends a status-only PUSH_DATA.
func (f *Forwarder) sendStat() {
	st := f.Stats()
	ackr := 100.0
	if st.PushSent > 0 {
		ackr = 100 * float64(st.PushAcked) / float64(st.PushSent)
	}
	stat := &gwmp.Stat{
		Time: f.clk.Now().UTC().Format(gwmp.StatTimeLayout),
		RxNb: uint32(st.PushSent), RxOK: uint32(st.PushSent), RxFw: uint32(st.PushSent), AckR: ackr,
		DwNb: uint32(st.DownlinksReceived), TxNb: uint32(st.Transmitted),
	}
	if err := f.send(&gwmp.Packet{Type: gwmp.PushData, Push: &gwmp.PushBody{Stat: stat}}); err != nil {
		f.log.Debug("status not sent", "err", err)
	}
}

// Receive sends one frame heard on the air to the server as a PUSH_DATA.
// It is safe for concurrent use.
func (f *Forwarder) Receive(r air.Reception) {
	rx := gwmp.RXPK{
		Time: &gwmp.CompactTime{Time: r.At.UTC()},
		Tmst: f.counter.at(r.At),
		Freq: gwmp.MHz(r.FrequencyHz),
		Stat: gwmp.StatCRCOK, Modu: gwmp.ModuLoRa,
		DatR: gwmp.LoRa(r.Modulation.SpreadingFactor, r.Modulation.BandwidthKHz),
		Codr: r.Modulation.CodingRate,
		RSSI: r.RSSI, LSNR: r.SNR,
	}
	rx.SetPayload(r.PHYPayload)
	if err := f.send(&gwmp.Packet{Type: gwmp.PushData, Push: &gwmp.PushBody{RXPK: []gwmp.RXPK{rx}}}); err != nil {
		f.log.Debug("PUSH_DATA not sent", "err", err)
		return
	}
	f.stats.pushSent.Add(1)
}

// counters hold what Stats reports.
type counters struct {
	pushSent, pushAcked, pullSent, pullAcked, downlinks, transmitted atomic.Uint64

	mu       sync.Mutex
	txErrors map[gwmp.ErrorCode]uint64
}

// Stats counts a forwarder's traffic.
type Stats struct {
	PushSent, PushAcked uint64
	PullSent, PullAcked uint64
	// DownlinksReceived counts PULL_RESPs; Transmitted the frames put on air.
	DownlinksReceived, Transmitted uint64
	// TxErrors counts the TX_ACK answers by code, NONE included.
	TxErrors map[gwmp.ErrorCode]uint64
}

// Stats returns the counters so far.
func (f *Forwarder) Stats() Stats {
	c := &f.stats
	c.mu.Lock()
	errs := make(map[gwmp.ErrorCode]uint64, len(c.txErrors))
	for k, v := range c.txErrors {
		errs[k] = v
	}
	c.mu.Unlock()
	return Stats{
		PushSent: c.pushSent.Load(), PushAcked: c.pushAcked.Load(),
		PullSent: c.pullSent.Load(), PullAcked: c.pullAcked.Load(),
		DownlinksReceived: c.downlinks.Load(), Transmitted: c.transmitted.Load(),
		TxErrors: errs,
	}
}

func (c *counters) txError(code gwmp.ErrorCode) {
	c.mu.Lock()
	c.txErrors[code]++
	c.mu.Unlock()
}
