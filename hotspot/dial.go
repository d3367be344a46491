package hotspot

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hexnet/hexnet/brokerauth"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// DialOptions configure a hotspot's broker connection.
type DialOptions struct {
	Key    *identity.Key
	Broker string // tcp://HOST:PORT
	// Username and Password choose the credentials. By default (both
	// empty) the hotspot logs in as itself: username its address,
	// password a fresh brokerauth token at every connection attempt,
	// which the embedded broker verifies and a broker that allows
	// anonymous clients without a password file ignores. Password alone
	// keeps the address as username with a fixed password (a Mosquitto
	// password file written by hexnet broker mosquitto-config). Username
	// set means another account altogether (the devnet's internal user).
	Username string
	Password string
	Logger   *slog.Logger
	Version  string
	// Background returns at once and connects in the background, so a
	// hotspot with a durable queue serves its packet forwarder while the
	// broker is unreachable (after a reboot, say).
	Background bool
}

// credentials returns the username/password source for o (see DialOptions).
func (o DialOptions) credentials() func() (string, string) {
	switch {
	case o.Username != "":
		return func() (string, string) { return o.Username, o.Password }
	case o.Password != "":
		return func() (string, string) { return string(o.Key.Address()), o.Password }
	}
	return brokerauth.Credentials(o.Key, nil)
}

// Dial connects a hotspot logged in as itself (address and token); see DialWith.
func Dial(ctx context.Context, key *identity.Key, brokerURL string, log *slog.Logger, version string) (*mqttclient.Client, error) {
	return DialWith(ctx, DialOptions{Key: key, Broker: brokerURL, Logger: log, Version: version})
}

// DialWith connects a hotspot to the broker: client id = the hotspot's
// address, a signed retained QoS 1 last will State{online: false} on its
// state topic, and a signed retained State{online: true} published after
// every (re)connect. The will's time is the time of DialWith. Stop with
// Hangup, not Close, so that the retained state turns offline.
func DialWith(ctx context.Context, o DialOptions) (*mqttclient.Client, error) {
	log, key, version := o.Logger, o.Key, o.Version
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	addr := key.Address()
	will, err := key.SealBytes(identity.KindState, &hexnetpb.State{Online: false, TimeUnixNs: time.Now().UnixNano(), Version: version})
	if err != nil {
		return nil, fmt.Errorf("hotspot: seal last will: %w", err)
	}
	var client atomic.Pointer[mqttclient.Client]
	ready := make(chan struct{})
	announce := func() {
		go func() {
			<-ready // the first connection may come up before Connect returns
			publishOnline(client.Load(), key, version, log)
		}()
	}
	cl, err := mqttclient.Connect(ctx, mqttclient.Options{
		Broker:      o.Broker,
		ClientID:    string(addr),
		Credentials: o.credentials(),
		Will:        &mqttclient.Will{Topic: Topic(addr, LeafState), Payload: will, QoS: 1, Retained: true},
		OnConnect:   announce,
		Logger:      log,
		Background:  o.Background,
	})
	if err != nil {
		return nil, fmt.Errorf("hotspot: %w", err)
	}
	client.Store(cl)
	close(ready)
	if o.Background {
		return cl, nil // online is announced when the link comes up
	}
	if err := sendOnline(ctx, cl, key, version); err != nil {
		cl.Close()
		return nil, err
	}
	return cl, nil
}

// publishOnline announces the hotspot after a reconnect; it runs in its own
// goroutine so the client's connect handler never waits on the broker.
func publishOnline(cl *mqttclient.Client, key *identity.Key, version string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), PublishTimeout)
	defer cancel()
	if err := sendOnline(ctx, cl, key, version); err != nil {
		log.Warn("could not announce hotspot online after reconnect", "err", err)
	}
}

// Hangup publishes the signed retained State{online: false} and then
// disconnects. Call it instead of Close when the hotspot stops: the broker
// sends the last will only when a connection drops, so a clean disconnect
// alone would leave the hotspot online for every later subscriber. ctx
// bounds the publish (at shutdown, not the context that just ended); the
// client is closed even when the publish fails.
func Hangup(ctx context.Context, cl *mqttclient.Client, key *identity.Key, version string) error {
	defer cl.Close()
	return sendState(ctx, cl, key, version, false)
}

func sendOnline(ctx context.Context, cl *mqttclient.Client, key *identity.Key, version string) error {
	return sendState(ctx, cl, key, version, true)
}

// sendState publishes the hotspot's signed retained State.
func sendState(ctx context.Context, cl *mqttclient.Client, key *identity.Key, version string, online bool) error {
	state, err := key.SealBytes(identity.KindState, &hexnetpb.State{Online: online, TimeUnixNs: time.Now().UnixNano(), Version: version})
	if err != nil {
		return fmt.Errorf("hotspot: seal state: %w", err)
	}
	if err := cl.Publish(ctx, Topic(key.Address(), LeafState), 1, true, state); err != nil {
		return fmt.Errorf("hotspot: announce online=%t: %w", online, err)
	}
	return nil
}
