package oracle

import (
	"time"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/poc"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// pocHotspot is the verifier's view of a registered hotspot, with its
// cell centre computed once.
func pocHotspot(h HotspotInfo) poc.Hotspot {
	p := poc.Hotspot{Address: h.Address, Owner: h.Owner, Denied: h.Denied}
	if l := h.Location; l != nil {
		p.Asserted, p.Cell, p.Region = true, geo.Cell(l.Cell), l.Region
		p.GainDBi, p.ElevationM = float64(l.GainDBiX10)/10, float64(l.ElevationM)
	}
	return p.Located()
}

func dataRateProto(d poc.DataRate) *hexnetpb.DataRate {
	return &hexnetpb.DataRate{SpreadingFactor: uint32(d.SpreadingFactor), BandwidthKhz: uint32(d.BandwidthHz / 1000), CodingRate: "4/5"}
}

func dataRateOf(d *hexnetpb.DataRate) poc.DataRate {
	return poc.DataRate{SpreadingFactor: int(d.GetSpreadingFactor()), BandwidthHz: int(d.GetBandwidthKhz()) * 1000}
}

func challengeProto(c poc.Challenge, pub []byte) *hexnetpb.Challenge {
	return &hexnetpb.Challenge{
		Round: c.Round, Entropy: c.Entropy, Challengee: pub, BeaconPayload: c.Payload, FrequencyHz: c.FrequencyHz,
		DataRate: dataRateProto(c.DataRate), PowerDbm: int32(c.PowerDBm),
		IssuedUnixNs: c.IssuedAt.UnixNano(), ExpiresUnixNs: c.ExpiresAt.UnixNano(),
	}
}

func challengeOf(m *hexnetpb.Challenge) poc.Challenge {
	return poc.Challenge{
		Round: m.GetRound(), Entropy: m.GetEntropy(), Challengee: identity.AddressOf(m.GetChallengee()),
		Payload: m.GetBeaconPayload(), FrequencyHz: m.GetFrequencyHz(), DataRate: dataRateOf(m.GetDataRate()),
		PowerDBm: int(m.GetPowerDbm()), IssuedAt: time.Unix(0, m.GetIssuedUnixNs()), ExpiresAt: time.Unix(0, m.GetExpiresUnixNs()),
	}
}
