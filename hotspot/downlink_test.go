package hotspot

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// Table tests of the downlink path, in-process: the daemon's socket is a
// fakeConn, its clock a variable, and requests report their final answer
// to the test (as beacons do) instead of the broker.

type nopBus struct{}

func (nopBus) Publish(context.Context, string, byte, bool, []byte) error { return nil }
func (nopBus) Subscribe(context.Context, string, byte, mqttclient.Handler) error {
	return nil
}

// fakeConn records what the daemon sends; only WriteTo is used.
type fakeConn struct {
	net.PacketConn
	mu   sync.Mutex
	sent [][]byte
	fail bool
}

func (c *fakeConn) WriteTo(b []byte, _ net.Addr) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail {
		return 0, errors.New("network is unreachable")
	}
	c.sent = append(c.sent, append([]byte(nil), b...))
	return len(b), nil
}

var fwdAddr = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}

// rig is a daemon wired to a fake forwarder.
type rig struct {
	t    *testing.T
	d    *Daemon
	conn *fakeConn
	reg  *prometheus.Registry
	now  time.Time
	got  []txResult
}

func newRig(t *testing.T, edit func(*Options)) *rig {
	t.Helper()
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, conn: &fakeConn{}, reg: prometheus.NewRegistry(), now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	o := Options{Key: key, Bus: nopBus{}, Registerer: r.reg, Now: func() time.Time { return r.now }}
	if edit != nil {
		edit(&o)
	}
	if r.d, err = New(o); err != nil {
		t.Fatal(err)
	}
	r.d.conn = r.conn
	return r
}

// datagram hands raw bytes to the daemon as if from the forwarder.
func (r *rig) datagram(raw []byte) { r.d.handleDatagram(raw, fwdAddr) }

func (r *rig) packet(p *gwmp.Packet) {
	r.t.Helper()
	raw, err := gwmp.Encode(p)
	if err != nil {
		r.t.Fatal(err)
	}
	r.datagram(raw)
}

// pull announces the forwarder with protocol version v.
func (r *rig) pull(v gwmp.Version) {
	r.packet(&gwmp.Packet{Version: v, Token: 1, Type: gwmp.PullData})
	r.conn.sent = nil // the PULL_ACK
}

// counterAt tells the daemon the concentrator counter is at tmst now (an
// rxpk with a bad CRC: observed, never published).
func (r *rig) counterAt(tmst uint32) {
	rx := gwmp.RXPK{Tmst: tmst, Freq: 868.1, Stat: gwmp.StatCRCBad, Modu: gwmp.ModuLoRa, DatR: gwmp.LoRa(7, 125)}
	rx.SetPayload([]byte{1})
	r.packet(&gwmp.Packet{Version: 2, Token: 2, Type: gwmp.PushData, Push: &gwmp.PushBody{RXPK: []gwmp.RXPK{rx}}})
	r.conn.sent = nil // the PUSH_ACK
}

// request sends a downlink whose final answer lands in r.got.
func (r *rig) request(items ...*hexnetpb.DownlinkItem) {
	req := &txRequest{dl: &hexnetpb.Downlink{Id: 1, Items: items}, report: func(res txResult) { r.got = append(r.got, res) }}
	r.d.sendItem(req, 0)
}

// resps decodes and clears the PULL_RESPs sent so far.
func (r *rig) resps() []*gwmp.Packet {
	r.t.Helper()
	var out []*gwmp.Packet
	for _, raw := range r.conn.sent {
		p, err := gwmp.Decode(raw)
		if err != nil || p.Type != gwmp.PullResp {
			r.t.Fatalf("daemon sent %v (err %v), want a PULL_RESP", p, err)
		}
		out = append(out, p)
	}
	r.conn.sent = nil
	return out
}

// only returns the single PULL_RESP sent since the last call.
func (r *rig) only() *gwmp.Packet {
	r.t.Helper()
	ps := r.resps()
	if len(ps) != 1 {
		r.t.Fatalf("%d PULL_RESPs sent, want 1", len(ps))
	}
	return ps[0]
}

// result returns the single final answer reported so far.
func (r *rig) result() txResult {
	r.t.Helper()
	if len(r.got) != 1 {
		r.t.Fatalf("%d final answers %+v, want 1", len(r.got), r.got)
	}
	return r.got[0]
}

// txAck builds a TX_ACK datagram: header, EUI, then body verbatim.
func txAck(v gwmp.Version, token uint16, body string) []byte {
	raw := []byte{byte(v), byte(token >> 8), byte(token), byte(gwmp.TxAck), 0xaa, 0x55, 0x5a, 0, 0, 0, 0, 0}
	return append(raw, body...)
}

func item(tmst uint32) *hexnetpb.DownlinkItem {
	it := goodItem()
	it.Tmst = tmst
	return it
}

func rx2(tmst uint32) *hexnetpb.DownlinkItem {
	it := item(tmst)
	it.FrequencyHz, it.DataRate.SpreadingFactor = 869_525_000, 12
	return it
}

// TestTxAckVariants: every TX_ACK shape of PROTOCOL.TXT and lora_pkt_fwd,
// for a downlink of one item and one of two (RX1, RX2).
func TestTxAckVariants(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		final string // answer with one item
		retry bool   // with two items: the second is tried
	}{
		{"bare 12 bytes", "", "NONE", false},
		{"error NONE", `{"txpk_ack":{"error":"NONE"}}`, "NONE", false},
		{"NUL-terminated", "{\"txpk_ack\":{\"error\":\"NONE\"}}\x00", "NONE", false},
		{"empty object", `{}`, "NONE", false},
		{"warning only", `{"txpk_ack":{"warn":"TX_POWER","value":20}}`, "NONE", false},
		{"TOO_LATE", `{"txpk_ack":{"error":"TOO_LATE"}}`, "TOO_LATE", true},
		{"TOO_EARLY", `{"txpk_ack":{"error":"TOO_EARLY"}}`, "TOO_EARLY", true},
		{"COLLISION_PACKET", `{"txpk_ack":{"error":"COLLISION_PACKET"}}`, "COLLISION_PACKET", true},
		{"COLLISION_BEACON", `{"txpk_ack":{"error":"COLLISION_BEACON"}}`, "COLLISION_BEACON", true},
		{"TX_FREQ", `{"txpk_ack":{"error":"TX_FREQ"}}`, "TX_FREQ", false},
		{"TX_POWER", `{"txpk_ack":{"error":"TX_POWER"}}`, "TX_POWER", false},
		{"GPS_UNLOCKED", `{"txpk_ack":{"error":"GPS_UNLOCKED"}}`, "GPS_UNLOCKED", false},
		{"a fork's code", `{"txpk_ack":{"error":"TX_BUSY_2"}}`, "TX_BUSY_2", false},
		{"not a code", `{"txpk_ack":{"error":"<script>"}}`, ErrBadTxAck, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.pull(gwmp.Version2)
			r.request(item(5_000_000))
			r.datagram(txAck(2, r.only().Token, tc.body))
			if got := r.result(); got.code != tc.final || got.item != 0 {
				t.Errorf("one item: answer %q item %d, want %q item 0", got.code, got.item, tc.final)
			}

			r = newRig(t, nil)
			r.pull(gwmp.Version2)
			r.request(item(5_000_000), rx2(6_000_000))
			r.datagram(txAck(2, r.only().Token, tc.body))
			if !tc.retry {
				if got := r.result(); got.code != tc.final || got.item != 0 {
					t.Errorf("two items: answer %q item %d, want %q item 0", got.code, got.item, tc.final)
				}
				return
			}
			second := r.only()
			if second.TXPK.Freq != 869.525 || *second.TXPK.Tmst != 6_000_000 {
				t.Errorf("second PULL_RESP %+v, want RX2 at 6000000", second.TXPK)
			}
			r.datagram(txAck(2, second.Token, ""))
			if got := r.result(); got.code != "NONE" || got.item != 1 {
				t.Errorf("two items: answer %q item %d, want NONE item 1", got.code, got.item)
			}
		})
	}
	r := newRig(t, nil)
	r.pull(gwmp.Version2)
	r.request(item(5_000_000))
	r.datagram(txAck(2, r.only().Token, `{"txpk_ack":{"warn":"TX_POWER","value":20}}`))
	if got := value(t, r.d.tx.warnings.WithLabelValues("TX_POWER")); got != 1 {
		t.Errorf("tx_ack_warnings_total{TX_POWER} = %v, want 1", got)
	}
}

// TestProtocolVersions: a v2 forwarder gets a token and answers with
// TX_ACK; a v1 forwarder gets token 0, never answers, and the item counts
// as sent at once. A TX_ACK from a v1 forwarder matches nothing.
func TestProtocolVersions(t *testing.T) {
	r := newRig(t, nil)
	r.pull(gwmp.Version1)
	r.request(item(5_000_000), rx2(6_000_000))
	resp := r.only()
	if resp.Version != gwmp.Version1 || resp.Token != 0 || len(r.conn.sent) != 0 {
		t.Errorf("v1 PULL_RESP version %d token %#x, want version 1 token 0", resp.Version, resp.Token)
	}
	if got := r.result(); got.code != "NONE" || got.item != 0 {
		t.Errorf("v1 answer %+v, want NONE for item 0 at once", got)
	}
	if n := len(r.d.pending.m); n != 0 {
		t.Errorf("%d PULL_RESPs pending for a v1 forwarder, want 0", n)
	}
	r.datagram(txAck(1, 0, ""))
	if got := r.d.metrics.droppedCopy()[DropUnknownTxToken]; got != 1 {
		t.Errorf("v1 TX_ACK: %d unknown-token drops, want 1", got)
	}

	r = newRig(t, nil)
	r.pull(gwmp.Version2)
	r.request(item(5_000_000))
	resp = r.only()
	if resp.Version != gwmp.Version2 || len(r.got) != 0 || len(r.d.pending.m) != 1 {
		t.Fatalf("v2: version %d, %d answers, %d pending; want v2 awaiting its TX_ACK", resp.Version, len(r.got), len(r.d.pending.m))
	}
	r.datagram(txAck(2, resp.Token+1, "")) // someone else's token
	if len(r.got) != 0 {
		t.Fatal("a TX_ACK with another token answered the downlink")
	}
	r.datagram(txAck(2, resp.Token, ""))
	if got := r.result(); got.code != "NONE" {
		t.Errorf("v2 answer %q, want NONE", got.code)
	}
}

const ms = uint32(1000) // µs

// TestTmstWrap: the counter estimate and the item's timing are compared in
// uint32 arithmetic across the counter's wrap at 2^32 µs.
func TestTmstWrap(t *testing.T) {
	top := uint32(0) // 2^32 as a uint32
	tests := []struct {
		name    string
		counter uint32        // observed
		elapsed time.Duration // local time since
		tmst    uint32        // item
		imme    bool
		want    gwmp.ErrorCode // "" sent
	}{
		{"before the wrap", top - 500*ms, 0, top - 10*ms, false, ""},
		{"item after the wrap", top - 500*ms, 0, 200 * ms, false, ""},
		{"counter wrapped, item after", top - 500*ms, 600 * time.Millisecond, 150 * ms, false, ""},
		{"10 ms ahead", top - 500*ms, 480 * time.Millisecond, top - 10*ms, false, gwmp.TxTooLate},
		{"counter wrapped past the item", top - 500*ms, 600 * time.Millisecond, top - 10*ms, false, gwmp.TxTooLate},
		{"exactly the minimum lead", 1_000, 0, 1_000 + uint32(MinLead/time.Microsecond), false, ""},
		{"1 µs short of the lead", 1_000, 0, 999 + uint32(MinLead/time.Microsecond), false, gwmp.TxTooLate},
		{"lead across the wrap", top - 10*ms, 0, 23 * ms, false, ""},
		{"lead across the wrap, short", top - 10*ms, 0, 22 * ms, false, gwmp.TxTooLate},
		{"too far ahead", 0, 0, uint32(MaxAdvance/time.Microsecond) + 1, false, gwmp.TxTooEarly},
		{"an hour-old tmst looks ahead", 3_600_000_000, 0, 0, false, gwmp.TxTooEarly},
		{"immediate ignores the counter", top - 500*ms, time.Second, top - 10*ms, true, ""},
		{"stale observation: the forwarder decides", top - 500*ms, counterMaxAge + time.Second, top - 10*ms, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.pull(gwmp.Version2)
			r.counterAt(tc.counter)
			r.now = r.now.Add(tc.elapsed)
			it := item(tc.tmst)
			it.Immediately = tc.imme
			r.request(it)
			if tc.want != "" {
				if len(r.conn.sent) != 0 {
					t.Errorf("sent a PULL_RESP, want a refusal before sending")
				}
				if got := r.result(); got.code != string(tc.want) {
					t.Errorf("answer %q, want %s", got.code, tc.want)
				}
				if got := value(t, r.d.tx.refused.WithLabelValues(string(tc.want))); got != 1 {
					t.Errorf("tx_refused_total{%s} = %v, want 1", tc.want, got)
				}
				return
			}
			p := r.only()
			switch {
			case tc.imme && (!p.TXPK.Imme || p.TXPK.Tmst != nil):
				t.Errorf("txpk %+v, want imme without tmst", p.TXPK)
			case !tc.imme && (p.TXPK.Tmst == nil || *p.TXPK.Tmst != tc.tmst):
				t.Errorf("txpk tmst %v, want %d", p.TXPK.Tmst, tc.tmst)
			}
			if len(r.got) != 0 {
				t.Errorf("answered %+v before the TX_ACK", r.got)
			}
		})
	}
}

// TestJITRefusalTriesNext: RX1 can no longer make it, so RX2 goes out; if
// neither can, nothing is sent and the answer is TOO_LATE for the last.
func TestJITRefusalTriesNext(t *testing.T) {
	r := newRig(t, nil)
	r.pull(gwmp.Version2)
	r.counterAt(5_000_000)
	r.now = r.now.Add(990 * time.Millisecond) // counter ≈ 5_990_000
	r.request(item(6_000_000), rx2(7_000_000))
	p := r.only()
	if *p.TXPK.Tmst != 7_000_000 {
		t.Fatalf("sent tmst %d, want RX2 (7000000)", *p.TXPK.Tmst)
	}
	r.datagram(txAck(2, p.Token, ""))
	if got := r.result(); got.code != "NONE" || got.item != 1 {
		t.Errorf("answer %+v, want NONE for item 1", got)
	}

	r = newRig(t, nil)
	r.pull(gwmp.Version2)
	r.counterAt(8_000_000)
	r.request(item(6_000_000), rx2(7_000_000))
	if len(r.conn.sent) != 0 {
		t.Error("sent a PULL_RESP for items in the past")
	}
	if got := r.result(); got.code != "TOO_LATE" || got.item != 1 {
		t.Errorf("answer %+v, want TOO_LATE for item 1", got)
	}
	if got := value(t, r.d.tx.refused.WithLabelValues("TOO_LATE")); got != 2 {
		t.Errorf("tx_refused_total{TOO_LATE} = %v, want 2", got)
	}
}

// TestCounterFollowsRestart: the newest PUSH_DATA sets the counter, even
// when it went backwards (a forwarder restart); within one PUSH_DATA the
// latest rxpk (wrap-aware) counts.
func TestCounterFollowsRestart(t *testing.T) {
	var c counterClock
	at := time.Unix(0, 0)
	push := func(tmsts ...uint32) {
		var b gwmp.PushBody
		for _, x := range tmsts {
			b.RXPK = append(b.RXPK, gwmp.RXPK{Tmst: x})
		}
		c.observe(&b, at)
	}
	push(4_294_967_000, 100, 4_294_960_000) // 100 is after the wrap
	if got, _ := c.estimate(at); got != 100 {
		t.Errorf("counter %d, want 100 (the latest across the wrap)", got)
	}
	push(7) // restart
	if got, _ := c.estimate(at.Add(time.Millisecond)); got != 1007 {
		t.Errorf("counter %d, want 1007", got)
	}
	c.observe(&gwmp.PushBody{Stat: &gwmp.Stat{}}, at.Add(time.Hour)) // stat only: no counter
	if got, ok := c.estimate(at.Add(time.Millisecond)); !ok || got != 1007 {
		t.Errorf("a stat-only PUSH_DATA changed the counter: %d, %v", got, ok)
	}
	if _, ok := c.estimate(at.Add(counterMaxAge + time.Nanosecond)); ok {
		t.Error("an estimate from a stale observation")
	}
}

// value reads a counter.
func value(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
