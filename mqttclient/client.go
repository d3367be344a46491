// Package mqttclient is hexnet's thin layer over the Eclipse Paho MQTT client:
// connect with a last will, restore subscriptions after every reconnect,
// publish with a context, and hand messages to plain callbacks.
package mqttclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// Will is the message the broker publishes when the client vanishes.
type Will struct {
	Topic    string
	Payload  []byte
	QoS      byte
	Retained bool
}

// Options configure a connection.
type Options struct {
	Broker   string // tcp://host:port
	ClientID string
	Username string
	Password string
	// Credentials, when set, is called before every connection attempt and
	// replaces Username and Password (for short-lived tokens).
	Credentials func() (username, password string)
	Will        *Will
	// OnConnect runs after every (re)connect, after subscriptions are restored.
	OnConnect func()
	// OnConnectionLost runs when the link drops.
	OnConnectionLost func(error)
	Logger           *slog.Logger
	// Background makes Connect return at once: the first connection is
	// made, and retried, in the background (OnConnect runs when it is up).
	// Subscriptions made before then are sent on connect.
	Background bool
	// Persistent keeps the session on the broker while the client is away
	// (clean session off): its subscriptions stay, and the broker queues
	// its QoS 1 messages until it comes back with the same ClientID.
	Persistent bool
	// OnMessage receives messages that match no subscription made by this
	// client, such as those a persistent session's broker delivers on
	// connect, before Subscribe has been called again. nil drops them.
	OnMessage Handler
}

// Handler receives one message.
type Handler = func(topic string, payload []byte)

// Client is a connected MQTT client.
type Client struct {
	c      paho.Client
	log    *slog.Logger
	mu     sync.Mutex
	subs   map[string]subscription
	closed bool
}

type subscription struct {
	qos     byte
	handler Handler
}

// Connect dials the broker and waits until the first connection succeeds or
// ctx ends; afterwards the client reconnects by itself.
func Connect(ctx context.Context, o Options) (*Client, error) {
	if o.Broker == "" {
		return nil, errors.New("mqtt: no broker address (set --mqtt tcp://HOST:PORT)")
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	cl := &Client{log: log, subs: map[string]subscription{}}
	po := paho.NewClientOptions().
		AddBroker(o.Broker).
		SetClientID(o.ClientID).
		SetUsername(o.Username).
		SetPassword(o.Password).
		SetCleanSession(!o.Persistent).
		SetStore(copyingStore{paho.NewMemoryStore()}).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(500 * time.Millisecond).
		SetMaxReconnectInterval(10 * time.Second).
		SetKeepAlive(30 * time.Second).
		SetOrderMatters(false).
		SetOnConnectHandler(func(paho.Client) { cl.onConnect(o.OnConnect) }).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			log.Warn("mqtt connection lost; reconnecting", "broker", o.Broker, "err", err)
			if o.OnConnectionLost != nil {
				o.OnConnectionLost(err)
			}
		})
	if o.Credentials != nil {
		po.SetCredentialsProvider(o.Credentials)
	}
	if o.OnMessage != nil {
		po.SetDefaultPublishHandler(wrap(o.OnMessage))
	}
	if o.Will != nil {
		po.SetBinaryWill(o.Will.Topic, o.Will.Payload, o.Will.QoS, o.Will.Retained)
	}
	cl.c = paho.NewClient(po)
	tok := cl.c.Connect()
	if o.Background {
		return cl, nil
	}
	if err := wait(ctx, tok); err != nil {
		cl.c.Disconnect(0)
		return nil, fmt.Errorf("mqtt connect %s: %w", o.Broker, err)
	}
	return cl, nil
}

func (cl *Client) onConnect(then func()) {
	cl.mu.Lock()
	subs := make(map[string]subscription, len(cl.subs))
	for k, v := range cl.subs {
		subs[k] = v
	}
	cl.mu.Unlock()
	for topic, s := range subs {
		tok := cl.c.Subscribe(topic, s.qos, wrap(s.handler))
		go func(topic string) {
			if tok.Wait(); tok.Error() != nil {
				cl.log.Error("mqtt resubscribe failed", "topic", topic, "err", tok.Error())
			}
		}(topic)
	}
	if then != nil {
		then()
	}
}

// copyingStore is Paho's memory store keeping PUBLISH packets of its own.
// Paho stores the very packet it hands to the connection's writer, which
// sets its length while encoding it; on reconnect it reads the stored
// packet back and sets DUP while the lost connection's writer may still be
// encoding: data races (paho.mqtt.golang v1.5.1, client.resume) that the
// race detector caught in hotspotd's outage tests. Put stores a copy (it
// runs before the packet is handed to a writer) and Get hands out a copy,
// so no packet is ever both stored and written.
type copyingStore struct{ paho.Store }

func (s copyingStore) Put(key string, p packets.ControlPacket) { s.Store.Put(key, copyPublish(p)) }

func (s copyingStore) Get(key string) packets.ControlPacket { return copyPublish(s.Store.Get(key)) }

// copyPublish copies a PUBLISH packet (its header and fields; the payload
// bytes are never written to); other packets are returned as they are.
func copyPublish(p packets.ControlPacket) packets.ControlPacket {
	if pub, ok := p.(*packets.PublishPacket); ok {
		c := *pub
		return &c
	}
	return p
}

func wrap(h Handler) paho.MessageHandler {
	return func(_ paho.Client, m paho.Message) { h(m.Topic(), m.Payload()) }
}

// Publish sends one message and, for QoS > 0, waits for the broker's
// acknowledgement or ctx.
func (cl *Client) Publish(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error {
	if err := wait(ctx, cl.c.Publish(topic, qos, retained, payload)); err != nil {
		return fmt.Errorf("mqtt publish %s: %w", topic, err)
	}
	return nil
}

// PublishAsync sends one message and returns at once; done (if not nil) is
// called with the outcome once the broker has acknowledged it.
func (cl *Client) PublishAsync(topic string, qos byte, retained bool, payload []byte, done func(error)) {
	tok := cl.c.Publish(topic, qos, retained, payload)
	if done == nil {
		return
	}
	go func() {
		tok.Wait()
		done(tok.Error())
	}()
}

// Subscribe registers handler for topic (wildcards and $share/ allowed) and
// keeps the subscription across reconnects.
func (cl *Client) Subscribe(ctx context.Context, topic string, qos byte, handler Handler) error {
	cl.mu.Lock()
	cl.subs[topic] = subscription{qos: qos, handler: handler}
	cl.mu.Unlock()
	if !cl.c.IsConnectionOpen() {
		return nil // sent by onConnect when the link comes up
	}
	for attempt := 0; ; attempt++ {
		tok := cl.c.Subscribe(topic, qos, wrap(handler))
		if err := wait(ctx, tok); err != nil {
			return fmt.Errorf("mqtt subscribe %s: %w", topic, err)
		}
		err := refused(tok, topic)
		if !errors.Is(err, errIDInUse) || attempt == 20 {
			return err
		}
		// mochi-mqtt checks a SUBSCRIBE's packet id against the ids of its
		// own messages in flight to us (retained messages it is
		// delivering) and refuses with 0x91; the id is free again soon.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
}

var errIDInUse = errors.New("packet identifier in use")

// refused turns a SUBACK failure code (0x80 and up) into an error: MQTT
// 3.1.1 brokers refuse a filter that way, and Paho does not report it.
func refused(tok paho.Token, topic string) error {
	st, ok := tok.(*paho.SubscribeToken)
	if !ok {
		return nil
	}
	for filter, code := range st.Result() {
		if code == 0x91 {
			return fmt.Errorf("mqtt subscribe %s: %w", topic, errIDInUse)
		}
		if code >= 0x80 {
			return fmt.Errorf("mqtt subscribe %s: the broker refused filter %s (code %#x): check the broker's ACL", topic, filter, code)
		}
	}
	return nil
}

// Connected reports whether the link is up now.
func (cl *Client) Connected() bool { return cl.c.IsConnectionOpen() }

// Close disconnects cleanly (no last will), waiting up to 250 ms for
// in-flight work.
func (cl *Client) Close() {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.closed {
		return
	}
	cl.closed = true
	cl.c.Disconnect(250)
}

func wait(ctx context.Context, tok paho.Token) error {
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctx.Err()
	}
}
