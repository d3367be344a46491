package router

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/store"
)

// txAckTopic is where hotspots publish TX acks. Every router instance
// subscribes without a share group: only the instance that sent a
// downlink knows its id, the others ignore the ack.
const txAckTopic = "hexnet/hotspot/+/ack"

// txAckTimeout bounds the work one TX ack starts (a retry, events).
const txAckTimeout = 5 * time.Second

// txNone is the code of a transmitted downlink.
const txNone = "NONE"

// HandleTxAck takes one MQTT message from hexnet/hotspot/{id}/ack: a
// signed TxAck answering a Downlink this router sent to that hotspot. A
// transmitted downlink gives a txack event and moves its payload on
// (unconfirmed: out of the queue; confirmed: awaiting the device's ACK); a
// refused one goes to the next-best hotspot while a window can still be
// reached, and otherwise its payload waits for the next uplink. It is the
// Bus subscription handler and is exported for tests.
func (r *Router) HandleTxAck(topic string, payload []byte) {
	if r.gwmpTxAck(topic, payload) {
		return // a GWMP route's downlink (worker.go)
	}
	id, ok := hotspotFromAckTopic(topic)
	if !ok {
		return
	}
	var ack hexnetpb.TxAck
	signer, err := identity.OpenBytes(payload, identity.KindTxAck, &ack)
	if err != nil || signer != id {
		r.log.Debug("TX ack ignored: bad envelope or signer", "hotspot", id, "err", err)
		return
	}
	p, ok := r.txPending.take(ack.GetId())
	if !ok {
		return // another instance's downlink, or a join accept
	}
	if p.hotspot != id {
		r.log.Debug("TX ack from a hotspot the downlink was not sent to", "hotspot", id, "id", ack.GetId())
		return
	}
	code := ack.GetError()
	if code == "" {
		code = txNone
	}
	r.dm.txAcks.WithLabelValues(code).Inc()
	ctx, cancel := context.WithTimeout(context.Background(), txAckTimeout)
	defer cancel()
	st := r.states.get(p.dev.DevEUI)
	st.mu.Lock()
	defer st.mu.Unlock()
	if code == txNone {
		r.txDone(ctx, st, p, int(ack.GetItem()), ack.GetId())
		return
	}
	r.log.Debug("downlink refused by hotspot; trying the next", "dev_eui", p.dev.DevEUI, "hotspot", id, "error", code)
	if !r.sendNext(ctx, p) {
		r.txFailed(st, p, code)
	}
}

// txDone settles a transmitted downlink. Called with st.mu held.
func (r *Router) txDone(ctx context.Context, st *devState, p *pendingTx, item int, id uint32) {
	r.dm.result.WithLabelValues(dlTransmitted).Inc()
	if p.ackFCnt != nil {
		r.acks.clear(p.dev.DevEUI, *p.ackFCnt)
	}
	ev := TxAckEvent{DownlinkID: id, Time: r.clock.Now().UTC(), DeviceInfo: deviceInfo(p.dev), FCntDown: p.fcnt, GatewayID: string(p.hotspot)}
	if item >= 0 && item < len(p.items) {
		w := p.items[item]
		dr := r.downlinkDataRate(w.dr)
		ev.TxInfo = TxInfo{Frequency: w.frequency, Modulation: Modulation{LoRa: &LoRaModulation{
			Bandwidth: dr.GetBandwidthKhz() * 1000, SpreadingFactor: dr.GetSpreadingFactor(), CodeRate: codeRate(dr.GetCodingRate()),
		}}}
	}
	if q := p.item; q != nil {
		ev.QueueItemID = q.id.String()
		r.transmitted(ctx, st, p.dev, q, p.fcnt)
	}
	r.emit(ctx, p.dev, eventTxAck, ev)
	if p.dev.Class == "C" {
		r.sendClassC(ctx, p.dev, st)
	}
}

// transmitted records that queue item q went on air with frame counter
// fcnt: a confirmed item now awaits the device's ACK (its attempts and
// fcnt in the store), an unconfirmed one leaves the queue. An item flushed
// meanwhile is ignored. Called with st.mu held.
func (r *Router) transmitted(ctx context.Context, st *devState, dev Device, q *queued, fcnt uint32) {
	st.settled(q.id)
	if !q.Confirmed {
		r.remove(ctx, dev.DevEUI, q)
		return
	}
	err := r.store.RecordDownlinkTx(ctx, q.id, fcnt, r.clock.Now().UTC())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		r.m.storeErrors.WithLabelValues("record_downlink_tx").Inc()
		r.log.Error("record downlink transmission; the queue misses this attempt", "dev_eui", dev.DevEUI, "queue_item_id", q.id, "err", err)
	}
}

// hotspotFromAckTopic extracts {id} from hexnet/hotspot/{id}/ack.
func hotspotFromAckTopic(topic string) (identity.Address, bool) {
	rest, ok := strings.CutPrefix(topic, "hexnet/hotspot/")
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, "/ack")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return identity.Address(id), true
}
