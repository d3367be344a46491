package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"
)

// commandTopic is where applications queue downlinks over MQTT:
// hexnet/app/{app}/device/{devEUI}/command/down.
const commandTopic = "hexnet/app/+/device/+/command/down"

// dropBadCommand counts downlink commands that could not be queued.
const dropBadCommand = "bad_command"

// Codes of the error event answering a downlink command that failed.
const (
	CommandErrorBadJSON = "DOWNLINK_COMMAND_INVALID"
	CommandErrorEnqueue = "DOWNLINK_COMMAND_REJECTED"
)

// DownlinkCommand is the JSON of a command/down message, as ChirpStack's
// MQTT integration takes it. Data is base64 in JSON.
type DownlinkCommand struct {
	// ID names the queue item; "" lets the router choose one. An instance
	// of a cluster forwarding an API request to the device's instance sets
	// it, so the id it answered with is the one queued.
	ID        string `json:"id,omitempty"`
	DevEUI    string `json:"devEui"`
	Confirmed bool   `json:"confirmed"`
	FPort     uint8  `json:"fPort"`
	Data      []byte `json:"data"`
}

// HandleCommand queues the downlink of one command/down message. In a
// cluster every instance receives it and the one consuming the device's
// uplink shard queues it, since that one will hear the device. A message
// it cannot queue (bad JSON, a devEui other than the topic's, a bad port or
// payload, an unknown device, a full queue) is counted and answered with
// an error event on the device's topic.
func (r *Router) HandleCommand(topic string, payload []byte) {
	ctx := context.Background()
	parts := strings.Split(topic, "/")
	var eui lorawan.EUI64
	if len(parts) != 7 || parts[0] != "hexnet" || parts[1] != "app" || parts[3] != "device" ||
		parts[5] != "command" || parts[6] != "down" || eui.UnmarshalText([]byte(parts[4])) != nil {
		r.m.dropped.WithLabelValues(dropBadCommand).Inc()
		r.log.Warn("downlink command on a bad topic", "topic", topic)
		return
	}
	if !r.ownsDevice(ctx, eui) {
		return // another instance of the cluster consumes this device's uplinks and queues its downlinks
	}
	dev := Device{DevEUI: eui, Application: parts[2]}
	fail := func(code string, err error) {
		r.m.dropped.WithLabelValues(dropBadCommand).Inc()
		r.log.Warn("downlink command rejected", "topic", topic, "err", err)
		r.emit(ctx, dev, eventError, DownlinkErrorEvent{
			Time: r.clock.Now().UTC(), DeviceInfo: deviceInfo(dev), Level: "ERROR",
			Code: code, Description: err.Error(),
		})
	}
	var c DownlinkCommand
	if err := json.Unmarshal(payload, &c); err != nil {
		fail(CommandErrorBadJSON, fmt.Errorf("decode command: %w", err))
		return
	}
	if c.DevEUI != "" {
		var ce lorawan.EUI64
		if err := ce.UnmarshalText([]byte(c.DevEUI)); err != nil || ce != eui {
			fail(CommandErrorBadJSON, errors.New("devEui does not match the topic"))
			return
		}
	}
	id := uuid.New()
	if c.ID != "" {
		var err error
		if id, err = uuid.Parse(c.ID); err != nil {
			fail(CommandErrorBadJSON, fmt.Errorf("id %q is not a UUID", c.ID))
			return
		}
	}
	if d, err := r.store.GetDevice(ctx, eui); err == nil && d.Application != dev.Application {
		fail(CommandErrorEnqueue, fmt.Errorf("device %s is not in application %s", eui, dev.Application))
		return
	}
	if _, err := r.enqueueChecked(ctx, eui, id, Downlink{FPort: c.FPort, Data: c.Data, Confirmed: c.Confirmed}); err != nil {
		fail(CommandErrorEnqueue, err)
	}
}

// forwardCommand publishes d as a command/down message for the device's
// instance.
func (r *Router) forwardCommand(ctx context.Context, dev Device, id uuid.UUID, d Downlink) error {
	payload, err := json.Marshal(DownlinkCommand{ID: id.String(), DevEUI: dev.DevEUI.String(), Confirmed: d.Confirmed, FPort: d.FPort, Data: d.Data})
	if err != nil {
		return err
	}
	topic := "hexnet/app/" + dev.Application + "/device/" + dev.DevEUI.String() + "/command/down"
	if err := r.bus.Publish(ctx, topic, 1, false, payload); err != nil {
		return fmt.Errorf("router: forward the downlink to the device's router instance: %w", err)
	}
	return nil
}
