package hotspot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// TxAck error codes the hotspot itself reports, besides the forwarder's own
// (gwmp.TxNone, gwmp.TxTooLate, ...).
const (
	// ErrNoForwarder: no PULL_DATA has arrived yet, so there is nowhere to
	// send the downlink.
	ErrNoForwarder = "NO_FORWARDER"
	// ErrInvalidDownlink: the downlink has no items, or an item cannot be
	// expressed as a txpk (no data rate, payload over 255 bytes).
	ErrInvalidDownlink = "INVALID_DOWNLINK"
	// ErrSendFailed: the PULL_RESP could not be written to the socket.
	ErrSendFailed = "SEND_FAILED"
	// ErrNoTxAck: the forwarder sent no TX_ACK within TxAckTimeout.
	ErrNoTxAck = "NO_TX_ACK"
	// ErrBusy: too many PULL_RESPs are awaiting their TX_ACK.
	ErrBusy = "BUSY"
	// ErrBadTxAck: the forwarder's TX_ACK carried an error that is not a
	// code (see ackCode).
	ErrBadTxAck = "BAD_TX_ACK"
)

// Refusals before sending use the forwarder's own codes (gwmp.TxTooLate,
// gwmp.TxTooEarly; see counterClock.judge), so the router handles them
// alike wherever they arise.

// txPath is the downlink path's state besides the pending table: the
// concentrator counter estimate, the power cap and their counters.
type txPath struct {
	clock    counterClock
	power    powerCap
	refused  *prometheus.CounterVec // items refused before sending, by code
	clamped  prometheus.Counter     // items whose power was capped
	warnings *prometheus.CounterVec // TX_ACK warnings, by code
}

// newTxPath checks the region options and registers the path's metrics.
func newTxPath(o Options) (*txPath, error) {
	power, err := newPowerCap(o.Region, o.AntennaGainDBi)
	if err != nil {
		return nil, err
	}
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "hexnet", Subsystem: "hotspot", Name: name, Help: help}
	}
	t := &txPath{
		power:    power,
		refused:  prometheus.NewCounterVec(opts("tx_refused_total", "Downlink items refused before sending (the forwarder could no longer, or not yet, queue them), by code."), []string{"error"}),
		clamped:  prometheus.NewCounter(opts("tx_power_capped_total", "Downlink items whose power was lowered to the region's maximum EIRP minus the antenna gain.")),
		warnings: prometheus.NewCounterVec(opts("tx_ack_warnings_total", "TX_ACKs reporting an adjustment by the forwarder, by warning."), []string{"warn"}),
	}
	if o.Registerer == nil {
		return t, nil
	}
	for _, c := range []prometheus.Collector{t.refused, t.clamped, t.warnings} {
		if err := o.Registerer.Register(c); err != nil {
			return nil, fmt.Errorf("register hotspot downlink metrics: %w", err)
		}
	}
	return t, nil
}

var errInvalidDownlink = errors.New("invalid downlink item")

// onDownlink receives a Downlink from the broker and sends its first item.
func (d *Daemon) onDownlink(_ string, payload []byte) {
	var dl hexnetpb.Downlink
	if err := proto.Unmarshal(payload, &dl); err != nil {
		d.metrics.drop(DropBadDownlink)
		d.log.Debug("dropped downlink", "reason", DropBadDownlink, "err", err)
		return
	}
	d.metrics.downlinks.Inc()
	d.metrics.txReceived.Add(1)
	d.sendItem(&txRequest{dl: &dl}, 0)
}

// txRequest is a transmission on its way through the packet forwarder: a
// router's Downlink, or one the hotspot originates itself (its beacon).
// report, when set, receives the final answer in place of a TxAck on the
// ack topic.
type txRequest struct {
	dl     *hexnetpb.Downlink
	report func(txResult)
}

// txResult is the final answer to a txRequest.
type txResult struct {
	item int
	code string    // the forwarder's TX_ACK code, or one of the Err* codes
	at   time.Time // hotspot clock at the answer
}

// sendItem sends the request's items from i on until one is handed to the
// forwarder or refused for good. An item refused before sending for a
// retryable reason (its timing: TOO_LATE, TOO_EARLY) gives way to the next;
// the last item's refusal is the final answer.
func (d *Daemon) sendItem(req *txRequest, i int) {
	items := req.dl.GetItems()
	if i >= len(items) {
		d.finish(req, i, ErrInvalidDownlink)
		return
	}
	for ; i < len(items); i++ {
		code := d.trySend(req, i)
		if code == "" {
			return // awaiting the TX_ACK
		}
		if !code.Retryable() || i+1 == len(items) {
			d.finish(req, i, string(code))
			return
		}
		d.log.Debug("downlink item refused before sending; trying the next", "id", req.dl.GetId(), "item", i, "error", code)
	}
}

// trySend checks item i of the request and writes its PULL_RESP. It
// returns "" while a TX_ACK is awaited, otherwise the item's answer: NONE
// for a protocol v1 forwarder (which never acknowledges), or why it was not
// sent.
func (d *Daemon) trySend(req *txRequest, i int) gwmp.ErrorCode {
	it := req.dl.GetItems()[i]
	fwd, ok := d.fwd.get()
	if !ok {
		return ErrNoForwarder
	}
	txpk, err := txpkOf(it)
	if err != nil {
		d.log.Debug("invalid downlink", "id", req.dl.GetId(), "item", i, "err", err)
		return ErrInvalidDownlink
	}
	if code := d.tx.clock.judge(it, d.now()); code != "" {
		d.tx.refused.WithLabelValues(string(code)).Inc()
		return code
	}
	d.capPower(it, txpk)
	return d.sendTXPK(fwd, req, i, txpk)
}

// capPower lowers the item's power to the region's limit, in the txpk and
// in the item (so that a beacon report states the power really used).
func (d *Daemon) capPower(it *hexnetpb.DownlinkItem, txpk *gwmp.TXPK) {
	p, clamped := d.tx.power.clamp(it.GetPowerDbm())
	if !clamped {
		return
	}
	d.tx.clamped.Inc()
	d.log.Debug("transmit power capped", "asked_dbm", it.GetPowerDbm(), "dbm", p)
	it.PowerDbm, txpk.Powe = p, int16(p)
}

// sendTXPK writes the PULL_RESP. In protocol v2 it remembers the token for
// the TX_ACK and returns ""; a v1 forwarder never answers, so the item
// counts as sent (NONE) at once.
func (d *Daemon) sendTXPK(fwd forwarder, req *txRequest, i int, txpk *gwmp.TXPK) gwmp.ErrorCode {
	p := &gwmp.Packet{Version: fwd.version, Type: gwmp.PullResp, TXPK: txpk}
	if fwd.version == gwmp.Version2 {
		tok, ok := d.pending.add(pendingTx{req: req, item: i, deadline: d.now().Add(TxAckTimeout)})
		if !ok {
			return ErrBusy
		}
		p.Token = tok
	}
	raw, err := gwmp.Encode(p)
	if err == nil {
		err = d.send(raw, fwd.addr)
	}
	if err != nil {
		if fwd.version == gwmp.Version2 {
			d.pending.take(p.Token)
		}
		d.log.Warn("could not send downlink to the packet forwarder", "id", req.dl.GetId(), "item", i, "err", err)
		return ErrSendFailed
	}
	if fwd.version == gwmp.Version1 {
		return gwmp.TxNone
	}
	return ""
}

// txpkOf converts a downlink item to the forwarder's txpk.
func txpkOf(it *hexnetpb.DownlinkItem) (*gwmp.TXPK, error) {
	if err := checkItem(it); err != nil {
		return nil, err
	}
	dr := it.GetDataRate()
	codr := dr.GetCodingRate()
	if codr == "" {
		codr = "4/5"
	}
	t := &gwmp.TXPK{
		Imme: it.GetImmediately(),
		Freq: gwmp.MHz(it.GetFrequencyHz()),
		Powe: int16(it.GetPowerDbm()),
		Modu: gwmp.ModuLoRa,
		DatR: gwmp.LoRa(int(dr.GetSpreadingFactor()), int(dr.GetBandwidthKhz())),
		Codr: codr,
		IPol: it.GetInvertPolarity(),
	}
	if !t.Imme {
		tmst := it.GetTmst()
		t.Tmst = &tmst
	}
	t.SetPayload(it.GetPhyPayload())
	return t, nil
}

// checkItem refuses what no concentrator can send: sizes, data rates,
// frequencies and powers outside LoRa's ranges.
func checkItem(it *hexnetpb.DownlinkItem) error {
	dr := it.GetDataRate()
	switch {
	case dr == nil:
		return fmt.Errorf("%w: no data rate", errInvalidDownlink)
	case len(it.GetPhyPayload()) == 0 || len(it.GetPhyPayload()) > gwmp.MaxPayload:
		return fmt.Errorf("%w: payload of %d bytes", errInvalidDownlink, len(it.GetPhyPayload()))
	case dr.GetSpreadingFactor() < 5 || dr.GetSpreadingFactor() > 12:
		return fmt.Errorf("%w: spreading factor %d", errInvalidDownlink, dr.GetSpreadingFactor())
	case dr.GetBandwidthKhz() != 125 && dr.GetBandwidthKhz() != 250 && dr.GetBandwidthKhz() != 500:
		return fmt.Errorf("%w: bandwidth %d kHz", errInvalidDownlink, dr.GetBandwidthKhz())
	case it.GetFrequencyHz() < 100_000_000 || it.GetFrequencyHz() > 1_100_000_000:
		return fmt.Errorf("%w: frequency %d Hz", errInvalidDownlink, it.GetFrequencyHz())
	case it.GetPowerDbm() < -10 || it.GetPowerDbm() > 36:
		return fmt.Errorf("%w: power %d dBm", errInvalidDownlink, it.GetPowerDbm())
	}
	return nil
}

// handleTxAck matches a TX_ACK to its PULL_RESP; a retryable error moves on
// to the downlink's next item, anything else is the final answer. A bare
// TX_ACK, or one with error NONE or only a warning, means sent.
func (d *Daemon) handleTxAck(p *gwmp.Packet) {
	pt, ok := d.pending.take(p.Token)
	if !ok {
		d.metrics.drop(DropUnknownTxToken)
		d.log.Debug("dropped TX_ACK", "reason", DropUnknownTxToken, "token", p.Token)
		return
	}
	if p.TxAck != nil && p.TxAck.Warn != "" {
		d.tx.warnings.WithLabelValues(string(ackCode(p.TxAck.Warn))).Inc()
		d.log.Debug("packet forwarder adjusted the downlink", "id", pt.req.dl.GetId(), "warn", p.TxAck.Warn, "value", p.TxAck.Value)
	}
	code := ackCode(p.TxError())
	if code.Retryable() && pt.item+1 < len(pt.req.dl.GetItems()) {
		d.log.Debug("downlink item refused; trying the next", "id", pt.req.dl.GetId(), "item", pt.item, "error", code)
		d.sendItem(pt.req, pt.item+1)
		return
	}
	d.finish(pt.req, pt.item, string(code))
}

// ackCode passes on the forwarder's code when it looks like one (upper
// case, digits, '_', at most 32 characters: every lora_pkt_fwd code and
// room for forks' own) and ErrBadTxAck otherwise, so that a misbehaving
// forwarder cannot put arbitrary text into the signed acks and metrics.
func ackCode(c gwmp.ErrorCode) gwmp.ErrorCode {
	if len(c) == 0 || len(c) > 32 {
		return ErrBadTxAck
	}
	for _, r := range c {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' {
			return ErrBadTxAck
		}
	}
	return c
}

// finish hands the final answer of a request to its report function, or
// for a router's downlink publishes it as a TxAck.
func (d *Daemon) finish(req *txRequest, item int, code string) {
	if req.report != nil {
		req.report(txResult{item: item, code: code, at: d.now()})
		return
	}
	d.ack(req.dl.GetId(), item, code)
}

// ack queues the final TxAck of a downlink.
func (d *Daemon) ack(id uint32, item int, code string) {
	d.metrics.txAcks.WithLabelValues(code).Inc()
	if code == string(gwmp.TxNone) {
		d.metrics.txEmitted.Add(1)
	}
	msg := &hexnetpb.TxAck{Id: id, Error: code, Item: uint32(item), TimeUnixNs: d.now().UnixNano()}
	d.enqueue(job{topic: Topic(d.addr, LeafAck), qos: 1, kind: identity.KindTxAck, msg: msg})
}

// sweepLoop finishes, once a second, PULL_RESPs whose TX_ACK is overdue,
// and forgets challenges that have expired.
func (d *Daemon) sweepLoop(ctx context.Context) {
	clock.Every(ctx, time.Second, func() {
		now := d.now()
		for _, pt := range d.pending.expire(now) {
			d.finish(pt.req, pt.item, ErrNoTxAck)
		}
		d.challenges.forget(now)
	})
}
