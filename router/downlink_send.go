package router

import (
	"context"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router/dedup"
)

// pendingTTL is how long a downlink's TX ack is awaited before the entry
// is forgotten (a hotspot answers within seconds or not at all).
const pendingTTL = 30 * time.Second

// pendingTxs are the downlinks awaiting a TX ack, by Downlink id.
type pendingTxs struct {
	mu sync.Mutex
	m  map[uint32]*pendingTx
}

func newPendingTxs() *pendingTxs { return &pendingTxs{m: map[uint32]*pendingTx{}} }

// put records p under id and forgets entries older than pendingTTL.
func (t *pendingTxs) put(id uint32, p *pendingTx, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, e := range t.m {
		if now.Sub(e.sentAt) > pendingTTL {
			delete(t.m, k)
		}
	}
	t.m[id] = p
}

// take removes and returns the entry for id.
func (t *pendingTxs) take(id uint32) (*pendingTx, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.m[id]
	delete(t.m, id)
	return p, ok
}

// sendVia publishes p to hotspot c with the windows still reachable
// through it; false when none is or the publish failed.
func (r *Router) sendVia(ctx context.Context, p *pendingTx, c dedup.Copy) bool {
	now := r.clock.Now()
	var items []*hexnetpb.DownlinkItem
	var wins []rxWindow
	for _, w := range p.wins {
		if !w.immediate && p.base.Add(w.delay).Sub(now) < txLead {
			continue
		}
		items = append(items, r.downlinkItem(p.phy, c, w))
		wins = append(wins, w)
	}
	if len(items) == 0 {
		return false
	}
	id := r.nextID.Add(1)
	b, err := proto.Marshal(&hexnetpb.Downlink{Id: id, Items: items})
	if err != nil {
		r.log.Error("encode downlink", "dev_eui", p.dev.DevEUI, "err", err)
		return false
	}
	p.hotspot, p.items, p.sentAt = c.Hotspot, wins, now
	r.txPending.put(id, p, now) // before publishing: the ack may come back at once
	if err := r.bus.Publish(ctx, "hexnet/hotspot/"+string(c.Hotspot)+"/down", 1, false, b); err != nil {
		r.txPending.take(id)
		r.m.dropped.WithLabelValues(dropPublishError).Inc()
		r.log.Error("publish downlink", "dev_eui", p.dev.DevEUI, "hotspot", c.Hotspot, "err", err)
		return false
	}
	r.m.published.WithLabelValues(eventDownlink).Inc()
	r.log.Debug("downlink sent", "dev_eui", p.dev.DevEUI, "id", id, "hotspot", c.Hotspot, "fcnt", p.fcnt, "windows", len(wins))
	return true
}

// downlinkItem is window w of a downlink through hotspot c (whose
// concentrator counter the uplink's tmst is).
func (r *Router) downlinkItem(phy []byte, c dedup.Copy, w rxWindow) *hexnetpb.DownlinkItem {
	it := &hexnetpb.DownlinkItem{
		PhyPayload: phy, FrequencyHz: w.frequency, DataRate: r.downlinkDataRate(w.dr),
		PowerDbm: downlinkPowerDBm, InvertPolarity: true,
	}
	if w.immediate {
		it.Immediately = true
	} else {
		it.Tmst = tmstAfter(c.Tmst, w.delay)
	}
	return it
}

// sendClassC sends the next queued downlink of a class C device at once
// in RX2's parameters, through the hotspots that heard its latest uplink
// (best SNR first). Called with st.mu held.
func (r *Router) sendClassC(ctx context.Context, dev Device, st *devState) {
	if len(st.lastHeard) == 0 {
		return // sent after the next uplink instead
	}
	f := r.frontOrEmpty(ctx, st, dev.DevEUI)
	q := f.next()
	if q == nil {
		return
	}
	w := rxWindow{immediate: true, frequency: uint64(r.plan.RX2.FrequencyHz), dr: r.plan.RX2.DataRate}
	if len(q.Data) > r.maxPayload(w.dr) {
		return // too large for RX2: waits for a class A downlink at a faster rate
	}
	sess, err := r.store.GetSession(ctx, dev.DevEUI)
	if err != nil {
		r.m.storeErrors.WithLabelValues("get_session").Inc()
		r.log.Error("class C downlink: get session", "dev_eui", dev.DevEUI, "err", err)
		return
	}
	d := dataDown{item: q, pending: f.more}
	p := &pendingTx{dev: dev, wins: []rxWindow{w}, next: append([]dedup.Copy(nil), st.lastHeard...), item: q}
	if !r.prepare(ctx, st, &sess, &d, p) {
		return
	}
	r.startTx(ctx, st, p)
}
