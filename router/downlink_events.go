package router

import (
	"context"
	"time"
)

// Downlink event types (hexnet/app/{app}/device/{devEUI}/event/{type}).
const (
	eventAck    = "ack"
	eventTxAck  = "txack"
	eventStatus = "status"
	eventError  = "error"
)

// AckEvent reports whether the device acknowledged a confirmed downlink
// (ChirpStack's AckEvent).
type AckEvent struct {
	DeduplicationID string     `json:"deduplicationId,omitempty"` // the uplink that carried the ACK
	Time            time.Time  `json:"time"`
	DeviceInfo      DeviceInfo `json:"deviceInfo"`
	QueueItemID     string     `json:"queueItemId"`
	Acknowledged    bool       `json:"acknowledged"`
	FCntDown        uint32     `json:"fCntDown"`
}

// TxAckEvent reports that a hotspot accepted a downlink for transmission
// (ChirpStack's TxAckEvent).
type TxAckEvent struct {
	DownlinkID  uint32     `json:"downlinkId"`
	Time        time.Time  `json:"time"`
	DeviceInfo  DeviceInfo `json:"deviceInfo"`
	QueueItemID string     `json:"queueItemId,omitempty"` // empty for MAC-only or ACK-only frames
	FCntDown    uint32     `json:"fCntDown"`
	GatewayID   string     `json:"gatewayId"` // hotspot address
	TxInfo      TxInfo     `json:"txInfo"`
}

// StatusEvent carries a DevStatusAns (ChirpStack's StatusEvent).
type StatusEvent struct {
	DeduplicationID         string     `json:"deduplicationId"`
	Time                    time.Time  `json:"time"`
	DeviceInfo              DeviceInfo `json:"deviceInfo"`
	Margin                  int32      `json:"margin"` // dB, the device's demodulation margin
	ExternalPowerSource     bool       `json:"externalPowerSource"`
	BatteryLevelUnavailable bool       `json:"batteryLevelUnavailable"`
	BatteryLevel            float32    `json:"batteryLevel"` // percent
}

// DownlinkErrorEvent reports a downlink the router gave up on, shaped
// like ChirpStack's LogEvent (level ERROR).
type DownlinkErrorEvent struct {
	Time        time.Time         `json:"time"`
	DeviceInfo  DeviceInfo        `json:"deviceInfo"`
	Level       string            `json:"level"` // "ERROR"
	Code        string            `json:"code"`  // DownlinkErrorCode*
	Description string            `json:"description"`
	Context     map[string]string `json:"context,omitempty"`
}

// Codes of DownlinkErrorEvent.
const (
	// DownlinkErrorNoAck: a confirmed downlink was sent 1+confirmedRetries
	// times and never acknowledged; it left the queue.
	DownlinkErrorNoAck = "DOWNLINK_NOT_ACKNOWLEDGED"
	// DownlinkErrorTooLarge: a queued payload is larger than the device's
	// slowest data rate carries; it left the queue.
	DownlinkErrorTooLarge = "DOWNLINK_PAYLOAD_SIZE"
)

// emit publishes an application event for dev; failures are counted and
// logged by publish.
func (r *Router) emit(ctx context.Context, dev Device, typ string, ev any) {
	b, err := marshalEvent(ev)
	if err != nil {
		r.log.Error("encode event", "type", typ, "dev_eui", dev.DevEUI, "err", err)
		return
	}
	r.toWebhook(ctx, eventTopic(dev, typ), b)
	if err := r.bus.Publish(ctx, eventTopic(dev, typ), 1, false, b); err != nil {
		r.m.dropped.WithLabelValues(dropPublishError).Inc()
		r.log.Error("publish failed", "type", typ, "dev_eui", dev.DevEUI, "err", err)
		return
	}
	r.m.published.WithLabelValues(typ).Inc()
}

func (r *Router) emitAck(ctx context.Context, dev Device, dedupID string, q *queued, acked bool) {
	r.emit(ctx, dev, eventAck, AckEvent{
		DeduplicationID: dedupID, Time: r.clock.Now().UTC(), DeviceInfo: deviceInfo(dev),
		QueueItemID: q.id.String(), Acknowledged: acked, FCntDown: q.fcnt,
	})
}

func (r *Router) emitError(ctx context.Context, dev Device, code, desc string, q *queued) {
	ev := DownlinkErrorEvent{Time: r.clock.Now().UTC(), DeviceInfo: deviceInfo(dev), Level: "ERROR", Code: code, Description: desc}
	if q != nil {
		ev.Context = map[string]string{"queue_item_id": q.id.String()}
	}
	r.emit(ctx, dev, eventError, ev)
}
