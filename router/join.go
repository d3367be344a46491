package router

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/brocaar/lorawan"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router/dedup"
	"github.com/hexnet/hexnet/store"
)

// Join-accept and downlink parameters (EU868).
const (
	joinRX1DROffset  = 0 // RX1 uses the uplink's data rate
	joinRX2DataRate  = 0 // DR0, SF12BW125: the EU868 default
	joinRXDelay      = 1 // seconds, for data downlinks after the join
	downlinkPowerDBm = 14
	devAddrAttempts  = 8 // tries to find a DevAddr no session uses
)

// handleJoin answers a join request: device lookup, MIC, DevNonce, new
// session, join accept to the best hotspot, join event to the application.
func (r *Router) handleJoin(ctx context.Context, j job) {
	jr := j.phy.MACPayload.(*lorawan.JoinRequestPayload) // guaranteed by UnmarshalBinary
	dev, ok := r.joinDevice(ctx, j, jr)
	if !ok {
		return
	}
	p := profileOf(dev.MACVersion)
	jn, ok := r.claimDevNonce(ctx, j, dev, p, jr.DevNonce)
	if !ok {
		return
	}
	sess, accept, err := r.activate(ctx, dev, p, jr, jn)
	if err != nil {
		r.storeFailed("activate", err, j)
		return
	}
	r.answerJoin(ctx, j, dev, sess, accept)
}

// joinDevice finds the OTAA device a join request names and checks its MIC.
func (r *Router) joinDevice(ctx context.Context, j job, jr *lorawan.JoinRequestPayload) (Device, bool) {
	dev, err := r.store.GetDevice(ctx, jr.DevEUI)
	switch {
	case errors.Is(err, store.ErrNotFound):
		r.drop(dropUnknownDevEUI, "dev_eui", jr.DevEUI, "dedup_id", j.frame.ID)
		return Device{}, false
	case err != nil:
		r.storeFailed("get_device", err, j)
		return Device{}, false
	case !dev.OTAA:
		r.drop(dropNotOTAA, "dev_eui", jr.DevEUI, "dedup_id", j.frame.ID)
		return Device{}, false
	case dev.JoinEUI != jr.JoinEUI:
		r.drop(dropJoinEUI, "dev_eui", jr.DevEUI, "join_eui", jr.JoinEUI, "dedup_id", j.frame.ID)
		return Device{}, false
	}
	if ok, err := j.phy.ValidateUplinkJoinMIC(joinRequestKey(dev, profileOf(dev.MACVersion))); err != nil || !ok {
		r.drop(dropJoinMIC, "dev_eui", jr.DevEUI, "dedup_id", j.frame.ID)
		return Device{}, false
	}
	return dev, true
}

// activate creates and saves the device's new session and returns it with
// the encrypted join-accept PHYPayload.
func (r *Router) activate(ctx context.Context, dev Device, p macProfile, jr *lorawan.JoinRequestPayload, jn lorawan.JoinNonce) (Session, []byte, error) {
	addr, err := r.allocDevAddr(ctx)
	if err != nil {
		return Session{}, nil, err
	}
	s, err := deriveSession(dev, p, jr, jn, r.netID)
	if err != nil {
		return Session{}, nil, err
	}
	accept, err := joinAccept(dev, p, jr, jn, r.netID, addr, eu868CFList())
	if err != nil {
		return Session{}, nil, err
	}
	s.DevAddr, s.UpdatedAt = addr, r.clock.Now()
	if err := r.store.SaveSession(ctx, s); err != nil {
		return Session{}, nil, fmt.Errorf("save session: %w", err)
	}
	return s, accept, nil
}

// allocDevAddr picks a random DevAddr inside the NetID's address block that
// no session uses; after devAddrAttempts collisions it shares one (the MIC
// tells sessions on one DevAddr apart).
func (r *Router) allocDevAddr(ctx context.Context) (lorawan.DevAddr, error) {
	var a lorawan.DevAddr
	for range devAddrAttempts {
		if _, err := rand.Read(a[:]); err != nil {
			return a, fmt.Errorf("random DevAddr: %w", err)
		}
		a.SetAddrPrefix(r.netID)
		used, err := r.store.SessionsByDevAddr(ctx, a)
		if err != nil {
			return a, fmt.Errorf("check DevAddr %s: %w", a, err)
		}
		if len(used) == 0 {
			return a, nil
		}
	}
	r.log.Warn("DevAddr space crowded; sharing an address", "dev_addr", a, "net_id", r.netID)
	return a, nil
}

// randomJoinNonce draws a 24-bit JoinNonce (AppNonce in 1.0.x), for
// 1.0.0–1.0.3 devices.
func randomJoinNonce() (lorawan.JoinNonce, error) {
	var b [4]byte
	if _, err := rand.Read(b[1:]); err != nil {
		return 0, fmt.Errorf("random JoinNonce: %w", err)
	}
	return lorawan.JoinNonce(binary.BigEndian.Uint32(b[:])), nil
}

// answerJoin sends the join accept and the join event and records the frame.
func (r *Router) answerJoin(ctx context.Context, j job, dev Device, s Session, accept []byte) {
	hotspot, dl := r.joinDownlink(j.frame, accept)
	b, err := proto.Marshal(dl)
	if err != nil {
		r.log.Error("encode downlink", "dev_eui", dev.DevEUI, "err", err)
		return
	}
	r.publish(ctx, eventDownlink, "hexnet/hotspot/"+string(hotspot)+"/down", b, j)
	if ev, err := marshalEvent(r.joinEvent(j.frame, dev, s.DevAddr)); err == nil {
		r.publish(ctx, eventJoin, eventTopic(dev, eventJoin), ev, j)
	}
	r.m.joinsAccepted.Inc()
	r.log.Debug("join accepted", "dev_eui", dev.DevEUI, "dev_addr", s.DevAddr, "hotspot", hotspot)
	r.ledger.add(ledgerFrame(j.frame, dev.DevEUI, s.DevAddr, 0))
}

// joinDownlink schedules the join accept through the copy with the best
// SNR: RX1 JoinAcceptDelay1 after the uplink on its frequency and data rate
// (EU868, RX1DROffset 0), then RX2 on the band's RX2 defaults.
func (r *Router) joinDownlink(f dedup.Frame, phy []byte) (hotspotAddr string, dl *hexnetpb.Downlink) {
	best := bestCopy(f.Copies)
	def := r.band.GetDefaults()
	rx1 := &hexnetpb.DownlinkItem{
		PhyPayload:     phy,
		FrequencyHz:    best.FrequencyHz,
		DataRate:       &hexnetpb.DataRate{SpreadingFactor: best.SpreadFactor, BandwidthKhz: best.BandwidthKHz, CodingRate: "4/5"},
		PowerDbm:       downlinkPowerDBm,
		Tmst:           tmstAfter(best.Tmst, def.JoinAcceptDelay1),
		InvertPolarity: true,
	}
	rx2 := &hexnetpb.DownlinkItem{
		PhyPayload:     phy,
		FrequencyHz:    uint64(def.RX2Frequency),
		DataRate:       r.downlinkDataRate(def.RX2DataRate),
		PowerDbm:       downlinkPowerDBm,
		Tmst:           tmstAfter(best.Tmst, def.JoinAcceptDelay2),
		InvertPolarity: true,
	}
	return string(best.Hotspot), &hexnetpb.Downlink{Id: r.nextID.Add(1), Items: []*hexnetpb.DownlinkItem{rx1, rx2}}
}

// tmstAfter adds d to a concentrator timestamp; uint32 arithmetic wraps like
// the concentrator's counter does.
func tmstAfter(tmst uint32, d time.Duration) uint32 {
	return tmst + uint32(d/time.Microsecond)
}

// downlinkDataRate is the wire data rate of an EU868 data-rate index.
func (r *Router) downlinkDataRate(dr int) *hexnetpb.DataRate {
	d, err := r.band.GetDataRate(dr)
	if err != nil { // the band's own defaults always resolve
		d.SpreadFactor, d.Bandwidth = 12, 125
	}
	return &hexnetpb.DataRate{SpreadingFactor: uint32(d.SpreadFactor), BandwidthKhz: uint32(d.Bandwidth), CodingRate: "4/5"}
}

// bestCopy is the copy with the highest SNR (the first of equals).
func bestCopy(copies []dedup.Copy) dedup.Copy {
	best := copies[0]
	for _, c := range copies[1:] {
		if c.SNR > best.SNR {
			best = c
		}
	}
	return best
}
