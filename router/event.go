package router

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/brocaar/lorawan/band"

	"github.com/hexnet/hexnet/router/dedup"
)

// Application events, shaped like ChirpStack v4's integration events
// (JSON field names as ChirpStack's protobuf JSON mapping writes them), so
// existing ChirpStack consumers can read them.

// DeviceInfo identifies the device an event is about.
type DeviceInfo struct {
	TenantID      string `json:"tenantId,omitempty"`
	ApplicationID string `json:"applicationId"`
	DeviceName    string `json:"deviceName"`
	DevEUI        string `json:"devEui"`
}

// RxInfo is one hotspot's reception of the frame.
type RxInfo struct {
	GatewayID string     `json:"gatewayId"` // hotspot address
	RSSI      int32      `json:"rssi"`      // dBm
	SNR       float32    `json:"snr"`       // dB
	Context   []byte     `json:"context,omitempty"`
	Time      *time.Time `json:"time,omitempty"`   // gateway time, when it had one
	NsTime    *time.Time `json:"nsTime,omitempty"` // router time of arrival
}

// LoRaModulation are the LoRa parameters of a transmission.
type LoRaModulation struct {
	Bandwidth       uint32 `json:"bandwidth"` // Hz
	SpreadingFactor uint32 `json:"spreadingFactor"`
	CodeRate        string `json:"codeRate"` // "CR_4_5"
}

// Modulation holds the modulation of a transmission; only LoRa for now.
type Modulation struct {
	LoRa *LoRaModulation `json:"lora,omitempty"`
}

// TxInfo describes how the device transmitted.
type TxInfo struct {
	Frequency  uint64     `json:"frequency"` // Hz
	Modulation Modulation `json:"modulation"`
}

// UplinkEvent is published on hexnet/app/{app}/device/{devEUI}/event/up.
type UplinkEvent struct {
	DeduplicationID string     `json:"deduplicationId"`
	Time            time.Time  `json:"time"`
	DeviceInfo      DeviceInfo `json:"deviceInfo"`
	DevAddr         string     `json:"devAddr"`
	ADR             bool       `json:"adr"`
	DR              *int       `json:"dr,omitempty"`
	FCnt            uint32     `json:"fCnt"`
	FPort           uint8      `json:"fPort"`
	Confirmed       bool       `json:"confirmed"`
	Data            []byte     `json:"data,omitempty"` // base64 in JSON
	RxInfo          []RxInfo   `json:"rxInfo"`
	TxInfo          TxInfo     `json:"txInfo"`
	// Object is the payload decoded by the application's codec (Cayenne
	// LPP: {"temperatureSensor": {"3": 27.2}, ...}); absent without one.
	Object map[string]any `json:"object,omitempty"`
}

// JoinEvent is published on hexnet/app/{app}/device/{devEUI}/event/join.
type JoinEvent struct {
	DeduplicationID string     `json:"deduplicationId"`
	Time            time.Time  `json:"time"`
	DeviceInfo      DeviceInfo `json:"deviceInfo"`
	DevAddr         string     `json:"devAddr"`
}

// eventTopic is hexnet/app/{app}/device/{devEUI}/event/{typ}.
func eventTopic(d Device, typ string) string {
	return fmt.Sprintf("hexnet/app/%s/device/%s/event/%s", d.Application, d.DevEUI, typ)
}

func marshalEvent(ev any) ([]byte, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	return b, nil
}

func deviceInfo(d Device) DeviceInfo {
	return DeviceInfo{ApplicationID: d.Application, DeviceName: d.Name, DevEUI: d.DevEUI.String()}
}

// upEvent builds the up event of an authenticated, decrypted uplink.
func (r *Router) upEvent(u *uplink) UplinkEvent {
	ev := UplinkEvent{
		DeduplicationID: u.frame.ID.String(),
		Time:            u.frame.FirstSeen.UTC(),
		DeviceInfo:      deviceInfo(u.dev),
		DevAddr:         u.sess.DevAddr.String(),
		ADR:             u.mac.FHDR.FCtrl.ADR,
		FCnt:            u.fcnt,
		Confirmed:       u.phy.MHDR.MType == lorawan.ConfirmedDataUp,
		Data:            u.data,
		RxInfo:          rxInfo(u.frame.Copies),
		TxInfo:          txInfo(u.frame.Copies[0]),
	}
	if u.mac.FPort != nil {
		ev.FPort = *u.mac.FPort
	}
	if dr, ok := r.dataRateIndex(u.frame.Copies[0]); ok {
		ev.DR = &dr
	}
	return ev
}

func (r *Router) joinEvent(f dedup.Frame, d Device, addr lorawan.DevAddr) JoinEvent {
	return JoinEvent{
		DeduplicationID: f.ID.String(),
		Time:            f.FirstSeen.UTC(),
		DeviceInfo:      deviceInfo(d),
		DevAddr:         addr.String(),
	}
}

// rxInfo lists the copies in arrival order. The context is the copy's
// concentrator tmst (4 bytes, big endian), as ChirpStack's UDP bridge does.
func rxInfo(copies []dedup.Copy) []RxInfo {
	out := make([]RxInfo, 0, len(copies))
	for _, c := range copies {
		ri := RxInfo{
			GatewayID: string(c.Hotspot),
			RSSI:      int32(c.RSSI),
			SNR:       c.SNR,
			Context:   binary.BigEndian.AppendUint32(nil, c.Tmst),
			NsTime:    timePtr(c.ReceivedAt),
		}
		ri.Time = timePtr(c.GatewayTime)
		out = append(out, ri)
	}
	return out
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func txInfo(c dedup.Copy) TxInfo {
	return TxInfo{
		Frequency: c.FrequencyHz,
		Modulation: Modulation{LoRa: &LoRaModulation{
			Bandwidth:       c.BandwidthKHz * 1000,
			SpreadingFactor: c.SpreadFactor,
			CodeRate:        codeRate(c.CodingRate),
		}},
	}
}

// codeRate turns the forwarder's "4/5" into ChirpStack's "CR_4_5".
func codeRate(cr string) string {
	if cr == "" {
		return "CR_4_5"
	}
	return "CR_" + strings.ReplaceAll(cr, "/", "_")
}

// dataRateIndex is the EU868 uplink data-rate index of a copy's modulation.
func (r *Router) dataRateIndex(c dedup.Copy) (int, bool) {
	dr, err := r.band.GetDataRateIndex(true, band.DataRate{
		Modulation:   band.LoRaModulation,
		SpreadFactor: int(c.SpreadFactor),
		Bandwidth:    int(c.BandwidthKHz),
	})
	return dr, err == nil
}
