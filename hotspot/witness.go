package hotspot

import (
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// witnessOf builds the WitnessReport of a received beacon: its payload
// (the PHYPayload without MHDR) and the radio's measurements, with the
// same RSSI choice as uplinks (see signal). The sequence number is shared
// with uplinks: one counter of what the hotspot published from its radio.
func (d *Daemon) witnessOf(r *gwmp.RXPK, payload []byte) *hexnetpb.WitnessReport {
	rssi, snr, _ := signal(r)
	d.seq++
	w := &hexnetpb.WitnessReport{
		Payload:        payload,
		Rssi:           float32(rssi),
		Snr:            float32(snr),
		FrequencyHz:    gwmp.Hz(r.Freq),
		DataRate:       dataRateOf(r),
		ReceivedUnixNs: d.now().UnixNano(),
		Tmst:           r.Tmst,
		Seq:            d.seq,
	}
	if r.Time != nil {
		w.GatewayTimeUnixNs = r.Time.UnixNano()
	}
	return w
}
