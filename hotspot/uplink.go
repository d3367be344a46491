package hotspot

import (
	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// handlePush turns every CRC-OK LoRa rxpk of a PUSH_DATA into a queued
// Uplink, or a WitnessReport when it is beacon-shaped; the rest are
// counted as drops.
func (d *Daemon) handlePush(p *gwmp.Packet) {
	for i := range p.Push.RXPK {
		r := &p.Push.RXPK[i]
		d.metrics.rxReceived.Add(1)
		j, reason := d.jobOf(r)
		if reason != "" {
			d.metrics.drop(reason)
			d.log.Debug("dropped received packet", "reason", reason, "tmst", r.Tmst, "freq", r.Freq, "stat", r.Stat)
			continue
		}
		d.metrics.rxOK.Add(1)
		d.health.uplink(d.now())
		d.enqueue(j)
	}
}

// jobOf converts one rxpk into the message to publish, or returns why
// there is none. A beacon-shaped frame (beacon.Parse) is witnessed, never
// forwarded to the router: it is no device's frame. The hotspot's own
// beacon, should its radio hear it, is neither.
func (d *Daemon) jobOf(r *gwmp.RXPK) (job, string) {
	payload, reason := receivedPayload(r)
	if reason != "" {
		return job{}, reason
	}
	if b, ok := beacon.Parse(payload); ok {
		if d.challenges.isOwn(b, d.now()) {
			return job{}, DropOwnBeacon
		}
		return job{topic: Topic(d.addr, LeafWitness), qos: 1, kind: identity.KindWitness, msg: d.witnessOf(r, b)}, ""
	}
	return job{topic: UplinkTopic(d.addr, payload), qos: 1, kind: identity.KindUplink, msg: d.uplinkOf(r, payload)}, ""
}

// receivedPayload returns the PHYPayload of a CRC-OK LoRa rxpk, or why
// the rxpk carries none worth publishing.
func receivedPayload(r *gwmp.RXPK) ([]byte, string) {
	switch {
	case r.Stat == gwmp.StatCRCBad:
		return nil, DropCRCBad
	case r.Stat != gwmp.StatCRCOK:
		return nil, DropNoCRC
	case !r.DatR.IsLoRa():
		return nil, DropNotLoRa
	}
	payload, err := r.Payload()
	if err != nil {
		return nil, dropReason(err)
	}
	return payload, ""
}

// uplinkOf builds the Uplink of a received frame.
func (d *Daemon) uplinkOf(r *gwmp.RXPK, payload []byte) *hexnetpb.Uplink {
	rssi, snr, sig := signal(r)
	d.seq++
	up := &hexnetpb.Uplink{
		PhyPayload:     payload,
		FrequencyHz:    gwmp.Hz(r.Freq),
		DataRate:       dataRateOf(r),
		Rssi:           float32(rssi),
		Snr:            float32(snr),
		Tmst:           r.Tmst,
		ReceivedUnixNs: d.now().UnixNano(),
		Channel:        uint32(r.Chan),
		RfChain:        uint32(r.RFCh),
		Seq:            d.seq,
	}
	if r.Time != nil {
		up.GatewayTimeUnixNs = r.Time.UnixNano()
	}
	setRadio(up, r, sig)
	return up
}

// dataRateOf is the rxpk's LoRa data rate.
func dataRateOf(r *gwmp.RXPK) *hexnetpb.DataRate {
	return &hexnetpb.DataRate{
		SpreadingFactor: uint32(r.DatR.SpreadingFactor),
		BandwidthKhz:    uint32(r.DatR.BandwidthKHz),
		CodingRate:      r.Codr,
	}
}

// signal picks the RSSI and SNR to report. hexnet reports the channel RSSI
// — rxpk "rssi", which sx1302 forwarders fill with rssic — because that is
// what LoRaWAN network servers use for ADR and what the witness RSSI rule
// was calibrated on; the sx1302 signal RSSI (rssis) reads lower in noise
// and is not reported by older gateways. Forwarders on the v2 HAL give
// per-antenna values only in "rsig" (top-level rssi/lsnr absent): there the
// antenna with the strongest channel RSSI is used, and returned as sig.
func signal(r *gwmp.RXPK) (rssi, snr float64, sig *gwmp.RSig) {
	if len(r.RSig) == 0 || r.RSSI != 0 || r.LSNR != 0 {
		return r.RSSI, r.LSNR, nil
	}
	best := &r.RSig[0]
	for i := range r.RSig {
		if r.RSig[i].RSSIC > best.RSSIC {
			best = &r.RSig[i]
		}
	}
	return best.RSSIC, best.LSNR, best
}

// setRadio fills board, antenna and fine timestamp, from the rsig entry
// where the top-level fields are absent.
func setRadio(up *hexnetpb.Uplink, r *gwmp.RXPK, sig *gwmp.RSig) {
	if r.Brd != nil {
		up.Board = *r.Brd
	}
	switch {
	case r.Ant != nil:
		up.Antenna = *r.Ant
	case sig != nil:
		up.Antenna = sig.Ant
	}
	switch {
	case r.FTime != nil:
		up.FineTimestampNs = uint64(*r.FTime)
	case sig != nil && sig.FTime != nil:
		up.FineTimestampNs = uint64(*sig.FTime)
	}
}
