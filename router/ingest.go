package router

import (
	"errors"
	"hash/fnv"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router/dedup"
)

// PHYPayload size limits: MHDR + MIC at least; LoRa carries at most 255.
const (
	minPHYPayload = 5
	maxPHYPayload = 255
)

// HandleUplink takes one MQTT message from hexnet/up/{shard}/{id}: it
// verifies the hotspot's signature, that the signer is {id} and that the
// frame belongs on {shard}, then hands the copy to deduplication. It does no I/O and returns quickly; it is the
// Bus subscription handler and is exported for tests, benchmarks and fuzzing.
func (r *Router) HandleUplink(topic string, payload []byte) {
	r.m.copiesReceived.Inc()
	id, up, ok := r.verify(topic, payload)
	if !ok {
		return
	}
	if !r.acquire() {
		r.drop(dropShutdown, "hotspot", id)
		return
	}
	res := r.dedup.Add(up.GetPhyPayload(), r.copyOf(id, up))
	if res != dedup.Opened { // only a new frame keeps its token
		r.release()
	}
	switch res {
	case dedup.Duplicate:
		r.drop(dropDuplicateCopy, "hotspot", id)
	case dedup.Late:
		r.drop(dropLateCopy, "hotspot", id)
	}
}

// verify opens the signed envelope, checks that the signer is the topic's
// hotspot, that the PHYPayload has a plausible size and that the topic is
// its frame's shard (a copy on another shard could reach another router
// instance and be delivered twice); it counts and logs what fails.
func (r *Router) verify(topic string, payload []byte) (identity.Address, *hexnetpb.Uplink, bool) {
	shard, id, ok := hotspot.ParseUplinkTopic(topic)
	if !ok {
		r.drop(dropBadTopic, "topic", topic)
		return "", nil, false
	}
	var up hexnetpb.Uplink
	signer, err := identity.OpenBytesWith(payload, identity.KindUplink, &up, r.keys.Verify)
	if err != nil {
		r.drop(openFailure(err), "hotspot", id, "err", err)
		return "", nil, false
	}
	if signer != id {
		r.drop(dropSignerMismatch, "hotspot", id, "signer", signer)
		return "", nil, false
	}
	if n := len(up.GetPhyPayload()); n < minPHYPayload || n > maxPHYPayload {
		r.drop(dropBadPHYPayload, "hotspot", id, "bytes", n)
		return "", nil, false
	}
	if want := hotspot.UplinkShard(up.GetPhyPayload()); shard != want {
		r.drop(dropWrongShard, "hotspot", id, "shard", shard, "frame_shard", want)
		return "", nil, false
	}
	return id, &up, true
}

// openFailure maps an identity.Open error to a drop reason.
func openFailure(err error) string {
	switch {
	case errors.Is(err, identity.ErrWrongKind):
		return dropWrongKind
	case errors.Is(err, identity.ErrBadSignature), errors.Is(err, identity.ErrBadSigner):
		return dropBadSignature
	default:
		return dropBadEnvelope
	}
}

// copyOf converts a wire uplink into dedup's copy metadata.
func (r *Router) copyOf(hotspot identity.Address, up *hexnetpb.Uplink) dedup.Copy {
	c := dedup.Copy{
		Hotspot:      hotspot,
		RSSI:         up.GetRssi(),
		SNR:          up.GetSnr(),
		Tmst:         up.GetTmst(),
		FrequencyHz:  up.GetFrequencyHz(),
		SpreadFactor: up.GetDataRate().GetSpreadingFactor(),
		BandwidthKHz: up.GetDataRate().GetBandwidthKhz(),
		CodingRate:   up.GetDataRate().GetCodingRate(),
		ReceivedAt:   r.clock.Now(),
	}
	if ns := up.GetGatewayTimeUnixNs(); ns > 0 {
		c.GatewayTime = time.Unix(0, ns).UTC()
	}
	return c
}

// job is one deduplicated, parsed frame waiting for a worker.
type job struct {
	frame     dedup.Frame
	phy       lorawan.PHYPayload
	emittedAt time.Time
}

// onFrame receives each deduplicated frame (on the dedup timer's
// goroutine), parses it and queues it for its shard's worker, blocking while
// that queue is full.
func (r *Router) onFrame(f dedup.Frame) {
	r.m.framesDeduped.Inc()
	r.m.copiesPerFrame.Observe(float64(len(f.Copies)))
	r.ledger.touch(f.Copies)
	j := job{frame: f, emittedAt: r.clock.Now()}
	if err := j.phy.UnmarshalBinary(f.PHYPayload); err != nil {
		r.drop(dropBadPHYPayload, "dedup_id", f.ID, "err", err)
		r.release()
		return
	}
	r.enqueue(shardKey(&j.phy), j)
}

// shardKey picks what keeps a device's frames on one worker: DevAddr for
// data frames, DevEUI for joins.
func shardKey(p *lorawan.PHYPayload) []byte {
	switch pl := p.MACPayload.(type) {
	case *lorawan.MACPayload:
		return pl.FHDR.DevAddr[:]
	case *lorawan.JoinRequestPayload:
		return pl.DevEUI[:]
	}
	return nil
}

func (r *Router) enqueue(key []byte, j job) {
	h := fnv.New32a()
	h.Write(key)
	ch := r.shards[h.Sum32()%uint32(len(r.shards))]
	r.pending.Add(1)
	select {
	case <-r.done:
		r.finish()
		r.drop(dropShutdown, "dedup_id", j.frame.ID)
		return
	default:
	}
	select {
	case ch <- j:
	case <-r.done:
		r.finish()
		r.drop(dropShutdown, "dedup_id", j.frame.ID)
	}
}
