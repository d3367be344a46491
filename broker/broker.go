// Package broker runs hexnet's embedded MQTT broker (mochi-mqtt) for the
// all-in-one devnet, tests and benchmarks. Production deployments use any
// MQTT 3.1.1/5 broker instead.
package broker

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/hexnet/hexnet/brokerauth"
)

// Options configure the embedded broker.
type Options struct {
	// Listen is the TCP address, e.g. "127.0.0.1:0" for a free port.
	Listen string
	// Users may connect with these username/password pairs and read and
	// write every topic. When empty, every client has full access.
	Users map[string]string
	// AnonymousRead lists topic prefixes (e.g. "hexnet/app/") that clients
	// without credentials may subscribe to; they may never publish.
	AnonymousRead []string
	// HotspotAuth, when set, lets hotspots log in as themselves: username
	// the hotspot's address, password a brokerauth token signed by its key
	// (checked by this verifier). Such a client may publish and subscribe
	// only under its own hexnet/hotspot/{address}/ (brokerauth.MayPublish,
	// MaySubscribe). Setting it turns access control on even without Users.
	HotspotAuth *brokerauth.Verifier
	Logger      *slog.Logger
}

// Broker is a running embedded broker.
type Broker struct {
	srv  *mqtt.Server
	addr net.Addr
	ln   net.Listener
}

// Start listens and serves until Close.
func Start(o Options) (*Broker, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := mqtt.New(&mqtt.Options{
		Capabilities:           capabilities(),
		Logger:                 log.With("component", "broker"),
		InlineClient:           true,
		SysTopicResendInterval: 60,
	})
	acc := &access{users: o.Users, anonRead: o.AnonymousRead, hotspots: o.HotspotAuth, log: log.With("component", "broker-access")}
	if err := srv.AddHook(acc, nil); err != nil {
		return nil, fmt.Errorf("broker access hook: %w", err)
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("broker listen %s: %w (pick a free address, or 127.0.0.1:0)", o.Listen, err)
	}
	if err := srv.AddListener(listeners.NewNet("tcp", ln)); err != nil {
		ln.Close()
		return nil, fmt.Errorf("broker listener: %w", err)
	}
	if err := srv.Serve(); err != nil {
		ln.Close()
		return nil, fmt.Errorf("broker serve: %w", err)
	}
	return &Broker{srv: srv, addr: ln.Addr(), ln: ln}, nil
}

// capabilities raise mochi's per-client quotas so that QoS 1 traffic is
// never dropped under load: by default a client with 8,192 unacknowledged
// messages or 8,192 pending writes loses further messages silently.
func capabilities() *mqtt.Capabilities {
	c := mqtt.NewDefaultServerCapabilities()
	c.MaximumInflight = 65535
	c.ReceiveMaximum = 65535
	c.MaximumClientWritesPending = 1 << 17
	c.MaximumMessageExpiryInterval = 0
	return c
}

// Addr is the listening address, host:port.
func (b *Broker) Addr() string { return b.addr.String() }

// URL is the address in the form clients take: tcp://host:port.
func (b *Broker) URL() string { return "tcp://" + b.addr.String() }

// Dropped reports how many messages the broker has dropped (should stay 0).
func (b *Broker) Dropped() int64 {
	return b.srv.Info.MessagesDropped + b.srv.Info.InflightDropped
}

// Publish sends a message from inside the process (bypassing access checks).
func (b *Broker) Publish(topic string, payload []byte, retain bool, qos byte) error {
	return b.srv.Publish(topic, payload, retain, qos)
}

// Close stops the broker and disconnects every client.
func (b *Broker) Close() error {
	// Stop accepting first: mochi-mqtt v2.7.9 can deadlock in Close when a
	// client is being attached at that moment (its client list is
	// read-locked twice while the attach waits to write-lock it).
	b.ln.Close()
	done := make(chan error, 1)
	go func() { done <- b.srv.Close() }()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	case <-time.After(closeTimeout):
		return errCloseStuck
	}
}

// closeTimeout bounds Close: past it the broker's goroutines are abandoned
// rather than hanging the process that closes it.
const closeTimeout = 5 * time.Second

var errCloseStuck = errors.New("broker: close did not finish in 5s; its goroutines were abandoned")
