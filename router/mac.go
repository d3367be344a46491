package router

import (
	"context"
	"math"
	"time"

	"github.com/brocaar/lorawan"
)

// MAC-layer parameters.
const (
	// DefaultDevStatusInterval is how often a device is asked for its
	// battery and margin (DevStatusReq), as ChirpStack's default device
	// profile does (once a day).
	DefaultDevStatusInterval = 24 * time.Hour
	// adrMaxRefusals stops ADR for a device that refused this many
	// LinkADRReqs in a row (until the router restarts).
	adrMaxRefusals = 3
	// eu868MaxTxPowerIndex is EU868's lowest power: TXPower 7, max EIRP − 14 dB.
	eu868MaxTxPowerIndex = 7
)

// uplinkMACCommands returns the MAC commands of an uplink: FOpts, then an
// FPort 0 FRMPayload (decrypted by decrypt). Garbage is logged and skipped.
func (r *Router) uplinkMACCommands(u *uplink) []lorawan.MACCommand {
	var out []lorawan.MACCommand
	if len(u.mac.FHDR.FOpts) > 0 {
		if _, raw := u.mac.FHDR.FOpts[0].(*lorawan.DataPayload); !raw {
			return appendMACCommands(out, u.mac.FHDR.FOpts) // decoded already
		}
		if err := u.phy.DecodeFOptsToMACCommands(); err != nil {
			r.log.Debug("FOpts MAC commands do not decode", "dev_eui", u.dev.DevEUI, "err", err)
		}
		out = appendMACCommands(out, u.mac.FHDR.FOpts)
	}
	if u.mac.FPort != nil && *u.mac.FPort == 0 {
		out = appendMACCommands(out, u.mac.FRMPayload)
	}
	return out
}

func appendMACCommands(out []lorawan.MACCommand, pls []lorawan.Payload) []lorawan.MACCommand {
	for _, p := range pls {
		if c, ok := p.(*lorawan.MACCommand); ok {
			out = append(out, *c)
		}
	}
	return out
}

// macAnswers handles an uplink's MAC commands and returns the answers the
// downlink carries.
func (r *Router) macAnswers(ctx context.Context, u *uplink, st *devState) []lorawan.MACCommand {
	var out []lorawan.MACCommand
	for _, c := range r.uplinkMACCommands(u) {
		switch c.CID {
		case lorawan.LinkCheckReq:
			out = append(out, r.linkCheckAns(u))
		case lorawan.LinkADRAns:
			r.onLinkADRAns(u, st, c)
		case lorawan.DevStatusAns:
			r.onDevStatusAns(ctx, u, c)
		case lorawan.RekeyInd:
			if ans, ok := rekeyConf(u, c); ok {
				out = append(out, ans)
			}
		case lorawan.DeviceTimeReq:
			out = append(out, deviceTimeAns(u))
		default:
			r.log.Debug("MAC command ignored", "dev_eui", u.dev.DevEUI, "cid", c.CID)
		}
	}
	st.adrSent = nil // answered, or the request was lost: decide afresh
	return out
}

// rekeyConf answers a 1.1 device's RekeyInd, which it sends in every
// uplink after a join until it hears RekeyConf (and after ADR_ACK_LIMIT
// uplinks without one, rejoins): the server's version, the lower of the
// device's and 1.1. A 1.0 device has no RekeyInd; one claiming it is
// ignored.
func rekeyConf(u *uplink, c lorawan.MACCommand) (lorawan.MACCommand, bool) {
	ind, ok := c.Payload.(*lorawan.RekeyIndPayload)
	if !ok || !isLoRaWAN11(u.dev) {
		return lorawan.MACCommand{}, false
	}
	return lorawan.MACCommand{CID: lorawan.RekeyConf, Payload: &lorawan.RekeyConfPayload{
		ServLoRaWANVersion: lorawan.Version{Minor: min(ind.DevLoRaWANVersion.Minor, 1)},
	}}, true
}

// gpsEpoch is GPS time zero; gpsUTCOffset is GPS − UTC since 2017 (no
// leap second has been added since, and none before 2035 will be).
var gpsEpoch = time.Date(1980, 1, 6, 0, 0, 0, 0, time.UTC)

const gpsUTCOffset = 18 * time.Second

// deviceTimeAns answers a DeviceTimeReq with the GPS time at the end of
// the uplink: the time of the first copy the hotspot stamped (from its
// forwarder's GPS), else when the router received the first copy.
func deviceTimeAns(u *uplink) lorawan.MACCommand {
	at := u.frame.FirstSeen
	for _, c := range u.frame.Copies {
		if !c.GatewayTime.IsZero() {
			at = c.GatewayTime
			break
		}
	}
	return lorawan.MACCommand{CID: lorawan.DeviceTimeAns, Payload: &lorawan.DeviceTimeAnsPayload{
		TimeSinceGPSEpoch: at.Sub(gpsEpoch) + gpsUTCOffset,
	}}
}

// linkCheckAns answers a LinkCheckReq: the margin of the best copy above
// the data rate's demodulation floor, and how many hotspots heard it.
func (r *Router) linkCheckAns(u *uplink) lorawan.MACCommand {
	best := bestCopy(u.frame.Copies)
	margin := float64(best.SNR) - requiredSNR(int(best.SpreadFactor))
	return lorawan.MACCommand{CID: lorawan.LinkCheckAns, Payload: &lorawan.LinkCheckAnsPayload{
		Margin: uint8(min(max(math.Floor(margin), 0), 254)),
		GwCnt:  uint8(min(len(u.frame.Copies), 255)),
	}}
}

// onLinkADRAns applies the settings of an accepted LinkADRReq.
func (r *Router) onLinkADRAns(u *uplink, st *devState, c lorawan.MACCommand) {
	ans, ok := c.Payload.(*lorawan.LinkADRAnsPayload)
	if !ok || st.adrSent == nil {
		return
	}
	if !ans.ChannelMaskACK || !ans.DataRateACK || !ans.PowerACK {
		st.adrRefusals++
		r.log.Debug("LinkADRReq refused", "dev_eui", u.dev.DevEUI, "answer", *ans, "refusals", st.adrRefusals)
		return
	}
	st.adrRefusals = 0
	st.txPower, st.nbTrans = st.adrSent.txPower, st.adrSent.nbTrans
	r.log.Debug("ADR settings accepted", "dev_eui", u.dev.DevEUI, "dr", st.adrSent.dr, "tx_power", st.txPower, "nb_trans", st.nbTrans)
}

// onDevStatusAns publishes the device's battery and margin.
func (r *Router) onDevStatusAns(ctx context.Context, u *uplink, c lorawan.MACCommand) {
	ans, ok := c.Payload.(*lorawan.DevStatusAnsPayload)
	if !ok {
		return
	}
	ev := StatusEvent{
		DeduplicationID: u.frame.ID.String(), Time: r.clock.Now().UTC(), DeviceInfo: deviceInfo(u.dev),
		Margin: int32(ans.Margin), ExternalPowerSource: ans.Battery == 0, BatteryLevelUnavailable: ans.Battery == 255,
	}
	if ans.Battery > 0 && ans.Battery < 255 {
		ev.BatteryLevel = float32(math.Round(float64(ans.Battery)/254*10000) / 100)
	}
	r.emit(ctx, u.dev, eventStatus, ev)
}

// macRequests are the commands the network server asks of the device
// after this uplink: LinkADRReq when ADR moves, DevStatusReq when due.
func (r *Router) macRequests(u *uplink, st *devState, now time.Time) []lorawan.MACCommand {
	var out []lorawan.MACCommand
	if c, ok := r.adrRequest(u, st); ok {
		out = append(out, c)
	}
	if r.devStatusInterval > 0 && now.Sub(st.statusAt) >= r.devStatusInterval {
		st.statusAt = now
		out = append(out, lorawan.MACCommand{CID: lorawan.DevStatusReq})
	}
	return out
}

// adrRequest runs ADR for a device that asks for it and returns the
// LinkADRReq when the settings change.
func (r *Router) adrRequest(u *uplink, st *devState) (lorawan.MACCommand, bool) {
	if !u.mac.FHDR.FCtrl.ADR || st.adrRefusals >= adrMaxRefusals {
		return lorawan.MACCommand{}, false
	}
	best := bestCopy(u.frame.Copies)
	dr, ok := r.dataRateIndex(best)
	if !ok {
		return lorawan.MACCommand{}, false
	}
	cur := adrSettings{dr: dr, txPower: st.txPower, nbTrans: max(st.nbTrans, 1)}
	next := adrDecide(adrInput{
		dr: dr, maxDR: r.maxADRDataRate, txPower: st.txPower, maxTxPower: eu868MaxTxPowerIndex,
		nbTrans: cur.nbTrans, requiredSNR: requiredSNR(int(best.SpreadFactor)), history: st.history,
	})
	if next == cur {
		return lorawan.MACCommand{}, false
	}
	st.adrSent = &next
	return lorawan.MACCommand{CID: lorawan.LinkADRReq, Payload: &lorawan.LinkADRReqPayload{
		DataRate: uint8(next.dr), TXPower: uint8(next.txPower), ChMask: eu868ChMask(),
		// ChMaskCntl 6: every channel the device has defined stays on
		// (EU868); the mask also names the three default channels for
		// devices that read it.
		Redundancy: lorawan.Redundancy{ChMaskCntl: 6, NbRep: uint8(next.nbTrans)},
	}}, true
}

// eu868ChMask enables the three default EU868 channels.
func eu868ChMask() lorawan.ChMask {
	var m lorawan.ChMask
	m[0], m[1], m[2] = true, true, true
	return m
}
