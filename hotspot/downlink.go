package hotspot

import (
	"context"
	"errors"
	"fmt"
	"time"

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
)

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

// sendItem sends item i of the request as a PULL_RESP, or finishes the
// request with the reason it cannot.
func (d *Daemon) sendItem(req *txRequest, i int) {
	dl := req.dl
	if i >= len(dl.GetItems()) {
		d.finish(req, i, ErrInvalidDownlink)
		return
	}
	fwd, ok := d.fwd.get()
	if !ok {
		d.finish(req, i, ErrNoForwarder)
		return
	}
	txpk, err := txpkOf(dl.GetItems()[i])
	if err != nil {
		d.log.Debug("invalid downlink", "id", dl.GetId(), "item", i, "err", err)
		d.finish(req, i, ErrInvalidDownlink)
		return
	}
	d.sendTXPK(fwd, req, i, txpk)
}

// sendTXPK writes the PULL_RESP. In protocol v2 it remembers the token for
// the TX_ACK; a v1 forwarder never answers, so the request is finished as
// sent (NONE) at once.
func (d *Daemon) sendTXPK(fwd forwarder, req *txRequest, i int, txpk *gwmp.TXPK) {
	p := &gwmp.Packet{Version: fwd.version, Type: gwmp.PullResp, TXPK: txpk}
	if fwd.version == gwmp.Version2 {
		tok, ok := d.pending.add(pendingTx{req: req, item: i, deadline: d.now().Add(TxAckTimeout)})
		if !ok {
			d.finish(req, i, ErrBusy)
			return
		}
		p.Token = tok
	}
	raw, err := gwmp.Encode(p)
	if err == nil {
		err = d.send(raw, fwd.addr)
	}
	if err != nil {
		d.pending.take(p.Token)
		d.log.Warn("could not send downlink to the packet forwarder", "id", req.dl.GetId(), "item", i, "err", err)
		d.finish(req, i, ErrSendFailed)
		return
	}
	if fwd.version == gwmp.Version1 {
		d.finish(req, i, string(gwmp.TxNone))
	}
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
// to the downlink's next item, anything else is the final answer.
func (d *Daemon) handleTxAck(p *gwmp.Packet) {
	pt, ok := d.pending.take(p.Token)
	if !ok {
		d.metrics.drop(DropUnknownTxToken)
		d.log.Debug("dropped TX_ACK", "reason", DropUnknownTxToken, "token", p.Token)
		return
	}
	code := p.TxError()
	if code.Retryable() && pt.item+1 < len(pt.req.dl.GetItems()) {
		d.log.Debug("downlink item refused; trying the next", "id", pt.req.dl.GetId(), "item", pt.item, "error", code)
		d.sendItem(pt.req, pt.item+1)
		return
	}
	d.finish(pt.req, pt.item, string(code))
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
