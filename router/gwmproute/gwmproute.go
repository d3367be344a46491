// Package gwmproute forwards frames bought by a GWMP route to an external
// network server. Each route gets a "virtual gateway": a UDP client that
// speaks GWMP v2 to the route's address, with a gateway EUI derived from
// the route id. It sends PULL_DATA every KeepAlive, one PUSH_DATA per
// forwarded frame (one rxpk per bought copy, each with that copy's
// rssi/lsnr/tmst/time), and turns each PULL_RESP into a hexnetpb.Downlink
// published to the down topic of the hotspot that heard the frame best;
// the txpk's tmst is in that hotspot's counter space since its tmst was
// forwarded. The hotspot's TX ack (or NONE after AckWait) goes back to the
// network server as TX_ACK.
package gwmproute

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/brocaar/lorawan"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router/dedup"
)

// Defaults for Options.
const (
	DefaultKeepAlive = 10 * time.Second
	DefaultAckWait   = 5 * time.Second
	// idBit marks Downlink ids chosen here so they never collide with the
	// router's own (which count up from 1).
	idBit = 1 << 31
)

// Publisher publishes MQTT messages; router.Bus satisfies it.
type Publisher interface {
	Publish(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error
}

// Options configures a Forwarder.
type Options struct {
	Bus       Publisher
	Log       *slog.Logger
	KeepAlive time.Duration // PULL_DATA interval; DefaultKeepAlive if 0
	AckWait   time.Duration // how long a hotspot's TX ack is awaited; DefaultAckWait if 0
}

// Stats counts a Forwarder's traffic.
type Stats struct {
	Forwarded, Downlinks, TxAcks uint64
}

// Forwarder holds one virtual gateway per route.
type Forwarder struct {
	o      Options
	mu     sync.Mutex
	gws    map[string]*gateway // by route id
	acks   map[uint32]*pendingAck
	nextID uint32
	stats  Stats
	closed bool
}

type pendingAck struct {
	gw    *gateway
	token uint16
	timer *time.Timer
}

// New builds a Forwarder.
func New(o Options) *Forwarder {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = DefaultKeepAlive
	}
	if o.AckWait <= 0 {
		o.AckWait = DefaultAckWait
	}
	return &Forwarder{o: o, gws: map[string]*gateway{}, acks: map[uint32]*pendingAck{}}
}

// GatewayEUI is the virtual gateway EUI of a route: the first 8 bytes of
// SHA-256 of its id.
func GatewayEUI(routeID string) lorawan.EUI64 {
	var e lorawan.EUI64
	h := sha256.Sum256([]byte("hexnet-gwmp-route:" + routeID))
	copy(e[:], h[:8])
	return e
}

// Stats returns the counters.
func (f *Forwarder) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}

// Dial starts the route's virtual gateway unless it runs already; addr is
// the route's GWMPAddress. Forward dials too: a caller that charges for a
// frame dials first, so that a route it cannot reach costs nothing.
func (f *Forwarder) Dial(routeID, addr string) error {
	_, err := f.gateway(routeID, addr)
	return err
}

// Forward sends frame fr to the route's network server: one rxpk per copy
// (copies are expected best-first or in arrival order; maxCopies > 0 keeps
// that many). addr is the route's GWMPAddress.
func (f *Forwarder) Forward(ctx context.Context, routeID, addr string, fr dedup.Frame, maxCopies int) error {
	copies := fr.Copies
	if len(copies) == 0 {
		return errors.New("gwmproute: frame has no copies")
	}
	if maxCopies > 0 && len(copies) > maxCopies {
		copies = copies[:maxCopies]
	}
	gw, err := f.gateway(routeID, addr)
	if err != nil {
		return err
	}
	best := copies[0]
	for _, c := range copies[1:] {
		if c.SNR > best.SNR || (c.SNR == best.SNR && c.RSSI > best.RSSI) {
			best = c
		}
	}
	body := &gwmp.PushBody{}
	for _, c := range copies {
		body.RXPK = append(body.RXPK, rxpk(fr.PHYPayload, c))
	}
	p := &gwmp.Packet{Version: gwmp.Version2, Token: randToken(), Type: gwmp.PushData, GatewayEUI: gw.eui, Push: body}
	b, err := gwmp.Encode(p)
	if err != nil {
		return err
	}
	gw.mu.Lock()
	gw.best = best
	gw.mu.Unlock()
	if _, err := gw.conn.Write(b); err != nil {
		return err
	}
	f.mu.Lock()
	f.stats.Forwarded++
	f.mu.Unlock()
	return nil
}

func rxpk(phy []byte, c dedup.Copy) gwmp.RXPK {
	r := gwmp.RXPK{
		Tmst: c.Tmst, Freq: gwmp.MHz(c.FrequencyHz), Stat: gwmp.StatCRCOK, Modu: "LORA",
		DatR: gwmp.LoRa(int(c.SpreadFactor), int(c.BandwidthKHz)), Codr: c.CodingRate,
		RSSI: float64(c.RSSI), LSNR: float64(c.SNR),
	}
	if !c.GatewayTime.IsZero() {
		r.Time = &gwmp.CompactTime{Time: c.GatewayTime.UTC()}
	}
	r.SetPayload(phy)
	return r
}

func randToken() uint16 {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint16(b[:])
}

// gateway returns (starting if needed) the route's virtual gateway.
func (f *Forwarder) gateway(routeID, addr string) (*gateway, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, errors.New("gwmproute: closed")
	}
	if gw := f.gws[routeID]; gw != nil {
		if gw.addr == addr {
			return gw, nil
		}
		gw.close()
		delete(f.gws, routeID)
	}
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	conn, err := net.DialUDP("udp", nil, ua)
	if err != nil {
		return nil, err
	}
	gw := &gateway{f: f, route: routeID, addr: addr, eui: GatewayEUI(routeID), conn: conn, done: make(chan struct{})}
	f.gws[routeID] = gw
	go gw.read()
	go gw.keepAlive()
	return gw, nil
}

// Close stops every virtual gateway.
func (f *Forwarder) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for id, gw := range f.gws {
		gw.close()
		delete(f.gws, id)
	}
	for id, p := range f.acks {
		p.timer.Stop()
		delete(f.acks, id)
	}
}

// HandleTxAck takes a message from hexnet/hotspot/{id}/ack; it reports
// whether the ack answered a downlink sent here. The router's own
// HandleTxAck ignores these ids, so both may receive every ack.
func (f *Forwarder) HandleTxAck(topic string, payload []byte) bool {
	parts := strings.Split(topic, "/")
	if len(parts) != 4 || parts[0] != "hexnet" || parts[1] != "hotspot" || parts[3] != "ack" {
		return false
	}
	var ack hexnetpb.TxAck
	signer, err := identity.OpenBytes(payload, identity.KindTxAck, &ack)
	if err != nil || string(signer) != parts[2] || ack.GetId()&idBit == 0 {
		return false
	}
	f.mu.Lock()
	p := f.acks[ack.GetId()]
	delete(f.acks, ack.GetId())
	f.mu.Unlock()
	if p == nil {
		return false
	}
	p.timer.Stop()
	code := ack.GetError()
	if code == "" {
		code = string(gwmp.TxNone)
	}
	p.gw.txAck(p.token, gwmp.ErrorCode(code))
	return true
}

type gateway struct {
	f     *Forwarder
	route string
	addr  string
	eui   lorawan.EUI64
	conn  *net.UDPConn
	done  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	best  dedup.Copy // the best copy of the latest forwarded frame
}

func (g *gateway) close() {
	g.once.Do(func() { close(g.done); g.conn.Close() })
}

func (g *gateway) send(p *gwmp.Packet) {
	b, err := gwmp.Encode(p)
	if err == nil {
		_, err = g.conn.Write(b)
	}
	if err != nil {
		g.f.o.Log.Debug("gwmp route: send", "route", g.route, "type", p.Type, "err", err)
	}
}

func (g *gateway) keepAlive() {
	t := time.NewTicker(g.f.o.KeepAlive)
	defer t.Stop()
	for {
		g.send(&gwmp.Packet{Version: gwmp.Version2, Token: randToken(), Type: gwmp.PullData, GatewayEUI: g.eui})
		select {
		case <-t.C:
		case <-g.done:
			return
		}
	}
}

func (g *gateway) read() {
	buf := make([]byte, gwmp.MaxDatagram)
	for {
		n, err := g.conn.Read(buf)
		if err != nil {
			select {
			case <-g.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // e.g. ICMP port unreachable before the NS is up
		}
		p, err := gwmp.Decode(buf[:n])
		if err != nil || p.Type != gwmp.PullResp || p.TXPK == nil {
			continue // PUSH_ACK, PULL_ACK, junk
		}
		g.pullResp(p)
	}
}

// pullResp publishes the txpk through the hotspot that heard the latest
// frame best.
func (g *gateway) pullResp(p *gwmp.Packet) {
	tx := p.TXPK
	phy, err := tx.Payload()
	g.mu.Lock()
	best := g.best
	g.mu.Unlock()
	if err != nil || best.Hotspot == "" {
		g.txAck(p.Token, gwmp.TxFreq) // nothing sensible to send through
		return
	}
	it := &hexnetpb.DownlinkItem{
		PhyPayload: phy, FrequencyHz: gwmp.Hz(tx.Freq), PowerDbm: int32(tx.Powe),
		Immediately: tx.Imme, InvertPolarity: tx.IPol,
		DataRate: &hexnetpb.DataRate{SpreadingFactor: uint32(tx.DatR.SpreadingFactor), BandwidthKhz: uint32(tx.DatR.BandwidthKHz), CodingRate: tx.Codr},
	}
	if tx.Tmst != nil {
		it.Tmst = *tx.Tmst
	} else if !tx.Imme {
		it.Immediately = true // tmms (GPS time) is not supported: send at once
	}
	f := g.f
	f.mu.Lock()
	f.nextID++
	id := idBit | (f.nextID & (idBit - 1))
	pa := &pendingAck{gw: g, token: p.Token}
	pa.timer = time.AfterFunc(f.o.AckWait, func() {
		f.mu.Lock()
		_, ok := f.acks[id]
		delete(f.acks, id)
		f.mu.Unlock()
		if ok {
			g.txAck(p.Token, gwmp.TxNone)
		}
	})
	f.acks[id] = pa
	f.mu.Unlock()
	b, _ := proto.Marshal(&hexnetpb.Downlink{Id: id, Items: []*hexnetpb.DownlinkItem{it}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.o.Bus.Publish(ctx, "hexnet/hotspot/"+string(best.Hotspot)+"/down", 1, false, b); err != nil {
		f.mu.Lock()
		delete(f.acks, id)
		f.mu.Unlock()
		pa.timer.Stop()
		f.o.Log.Error("gwmp route: publish downlink", "route", g.route, "hotspot", best.Hotspot, "err", err)
		g.txAck(p.Token, gwmp.TxFreq)
		return
	}
	f.mu.Lock()
	f.stats.Downlinks++
	f.mu.Unlock()
}

func (g *gateway) txAck(token uint16, code gwmp.ErrorCode) {
	g.send(&gwmp.Packet{Version: gwmp.Version2, Token: token, Type: gwmp.TxAck, GatewayEUI: g.eui, TxAck: &gwmp.TXPKAck{Error: code}})
	g.f.mu.Lock()
	g.f.stats.TxAcks++
	g.f.mu.Unlock()
}
