package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/brocaar/lorawan"
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
	DevEUI    string `json:"devEui"`
	Confirmed bool   `json:"confirmed"`
	FPort     uint8  `json:"fPort"`
	Data      []byte `json:"data"`
}

// HandleCommand queues the downlink of one command/down message. A message
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
	if d, err := r.store.GetDevice(ctx, eui); err == nil && d.Application != dev.Application {
		fail(CommandErrorEnqueue, fmt.Errorf("device %s is not in application %s", eui, dev.Application))
		return
	}
	if _, err := r.Enqueue(ctx, eui, Downlink{FPort: c.FPort, Data: c.Data, Confirmed: c.Confirmed}); err != nil {
		fail(CommandErrorEnqueue, err)
	}
}
