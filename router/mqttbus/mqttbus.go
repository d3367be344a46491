// Package mqttbus adapts hexnet's MQTT client to router.Bus.
package mqttbus

import (
	"context"

	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/router"
)

// Bus is a router.Bus over an MQTT connection.
type Bus struct {
	c *mqttclient.Client
}

var _ router.Bus = (*Bus)(nil)

// New wraps a connected client; the caller keeps ownership and closes it
// after the router's Run has returned.
func New(c *mqttclient.Client) *Bus { return &Bus{c: c} }

// Publish sends one message and, for QoS > 0, waits for the broker's ack.
func (b *Bus) Publish(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error {
	return b.c.Publish(ctx, topic, qos, retained, payload)
}

// Subscribe registers h for topic; the subscription survives reconnects.
func (b *Bus) Subscribe(ctx context.Context, topic string, qos byte, h func(topic string, payload []byte)) error {
	return b.c.Subscribe(ctx, topic, qos, h)
}
