// Package authtest is the conformance suite of hexnet's broker policy: run
// against every broker hexnet supports (the embedded one with tokens,
// Mosquitto with the generated password and ACL files), it shows that a
// hotspot publishes under its own id and cannot publish or listen as
// another hotspot.
package authtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hexnet/hexnet/brokerauth"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
)

// Target is a running broker and how to log in to it.
type Target struct {
	URL string
	// Service is an account with full access (the router's).
	ServiceUser, ServicePassword string
	// HotspotPassword is the fixed password of a hotspot, or "" when
	// hotspots log in with brokerauth tokens.
	HotspotPassword func(identity.Address) string
	// Hotspots are the keys the target knows (at least two).
	Hotspots []*identity.Key
}

// quiet is how long a message that must not arrive is waited for.
const quiet = 500 * time.Millisecond

// inbox collects deliveries by topic.
type inbox struct {
	mu  sync.Mutex
	got map[string][]string
	ch  chan struct{}
}

func newInbox() *inbox { return &inbox{got: map[string][]string{}, ch: make(chan struct{}, 1)} }

func (in *inbox) handle(topic string, p []byte) {
	in.mu.Lock()
	in.got[topic] = append(in.got[topic], string(p))
	in.mu.Unlock()
	select {
	case in.ch <- struct{}{}:
	default:
	}
}

func (in *inbox) has(topic, payload string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, p := range in.got[topic] {
		if p == payload {
			return true
		}
	}
	return false
}

// wait reports whether payload arrived on topic within d.
func (in *inbox) wait(topic, payload string, d time.Duration) bool {
	deadline := time.After(d)
	for !in.has(topic, payload) {
		select {
		case <-in.ch:
		case <-deadline:
			return false
		}
	}
	return true
}

// Run runs the suite against tg.
func Run(t *testing.T, tg Target) {
	t.Helper()
	if len(tg.Hotspots) < 2 {
		t.Fatal("authtest: the target needs two hotspot keys")
	}
	a, b := tg.Hotspots[0], tg.Hotspots[1]
	s := &suite{t: t, tg: tg, a: a, b: b}
	s.router = s.connect("authtest-router", tg.ServiceUser, tg.ServicePassword)
	s.routerIn = newInbox()
	s.mustSubscribe(s.router, hotspot.UplinkFilter, s.routerIn)
	s.mustSubscribe(s.router, hotspot.TopicAll(hotspot.LeafState), s.routerIn)
	s.hotA, s.hotB = s.dial(a), s.dial(b)
	s.bIn = newInbox()
	s.mustSubscribe(s.hotB, hotspot.Topic(b.Address(), hotspot.LeafDown), s.bIn)

	t.Run("publishes uplinks to the shard topics", s.ownUplink)
	t.Run("cannot publish as another hotspot", s.forgedUplink)
	t.Run("cannot send another hotspot commands", s.forgedDownlink)
	t.Run("cannot read another hotspot's commands", s.eavesdrop)
	t.Run("cannot log in as another hotspot", s.impersonate)
	t.Run("anonymous clients cannot publish hotspot traffic", s.anonymous)
}

type suite struct {
	t          *testing.T
	tg         Target
	a, b       *identity.Key
	router     *mqttclient.Client
	routerIn   *inbox
	hotA, hotB *mqttclient.Client
	bIn        *inbox
}

func (s *suite) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 3*time.Second)
}

func (s *suite) connect(id, user, pass string) *mqttclient.Client {
	s.t.Helper()
	c, err := s.tryConnect(id, user, pass)
	if err != nil {
		s.t.Fatalf("connect %s as %q: %v", id, user, err)
	}
	return c
}

func (s *suite) tryConnect(id, user, pass string) (*mqttclient.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: s.tg.URL, ClientID: id, Username: user, Password: pass})
	if err == nil {
		s.t.Cleanup(c.Close)
	}
	return c, err
}

// credentials are what key logs in with on this target.
func (s *suite) credentials(key *identity.Key) (string, string) {
	if s.tg.HotspotPassword != nil {
		return string(key.Address()), s.tg.HotspotPassword(key.Address())
	}
	tok, err := brokerauth.Issue(key, time.Now(), 0)
	if err != nil {
		s.t.Fatal(err)
	}
	return string(key.Address()), tok
}

// dial connects key the way hotspotd does.
func (s *suite) dial(key *identity.Key) *mqttclient.Client {
	s.t.Helper()
	ctx, cancel := s.ctx()
	defer cancel()
	o := hotspot.DialOptions{Key: key, Broker: s.tg.URL, Version: "authtest"}
	if s.tg.HotspotPassword != nil {
		o.Password = s.tg.HotspotPassword(key.Address())
	}
	c, err := hotspot.DialWith(ctx, o)
	if err != nil {
		s.t.Fatalf("hotspot %s: %v", key.Address(), err)
	}
	s.t.Cleanup(c.Close)
	return c
}

func (s *suite) subscribe(c *mqttclient.Client, filter string, in *inbox) error {
	s.t.Helper()
	ctx, cancel := s.ctx()
	defer cancel()
	return c.Subscribe(ctx, filter, 1, in.handle)
}

func (s *suite) mustSubscribe(c *mqttclient.Client, filter string, in *inbox) {
	s.t.Helper()
	if err := s.subscribe(c, filter, in); err != nil {
		s.t.Fatal(err)
	}
}

// publish sends and ignores the outcome: a broker may refuse, drop
// silently (Mosquitto) or disconnect the client (mochi, MQTT 3.1.1).
func publish(c *mqttclient.Client, topic, payload string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = c.Publish(ctx, topic, 1, false, []byte(payload))
}

func (s *suite) ownUplink(t *testing.T) {
	topic := hotspot.UplinkTopic(s.a.Address(), []byte("own frame"))
	ctx, cancel := s.ctx()
	defer cancel()
	if err := s.hotA.Publish(ctx, topic, 1, false, []byte("own")); err != nil {
		t.Fatal(err)
	}
	if !s.routerIn.wait(topic, "own", 3*time.Second) {
		t.Fatalf("the router did not receive the hotspot's own uplink on %s", topic)
	}
}

func (s *suite) forgedUplink(t *testing.T) {
	for i, topic := range []string{hotspot.UplinkTopic(s.b.Address(), []byte("forged")), hotspot.Topic(s.b.Address(), hotspot.LeafState)} {
		user, pass := s.credentials(s.a)
		attacker := s.connect(fmt.Sprintf("authtest-forger-%d", i), user, pass)
		publish(attacker, topic, "forged")
		if s.routerIn.wait(topic, "forged", quiet) {
			t.Errorf("hotspot A published on %s", topic)
		}
	}
}

func (s *suite) forgedDownlink(t *testing.T) {
	user, pass := s.credentials(s.a)
	attacker := s.connect("authtest-commander", user, pass)
	topic := hotspot.Topic(s.b.Address(), hotspot.LeafDown)
	publish(attacker, topic, "forged")
	if s.bIn.wait(topic, "forged", quiet) {
		t.Errorf("hotspot B received a command hotspot A published on %s", topic)
	}
}

func (s *suite) eavesdrop(t *testing.T) {
	user, pass := s.credentials(s.a)
	spy := s.connect("authtest-spy", user, pass)
	spyIn := newInbox()
	topic := hotspot.Topic(s.b.Address(), hotspot.LeafDown)
	subErr := s.subscribe(spy, topic, spyIn)
	wild := s.subscribe(spy, hotspot.TopicAll(hotspot.LeafDown), spyIn)
	ctx, cancel := s.ctx()
	defer cancel()
	if err := s.router.Publish(ctx, topic, 1, false, []byte("command")); err != nil {
		t.Fatal(err)
	}
	if !s.bIn.wait(topic, "command", 3*time.Second) {
		t.Fatalf("hotspot B did not receive its own command")
	}
	if spyIn.wait(topic, "command", quiet) {
		t.Errorf("hotspot A read hotspot B's command (subscribe errors: %v, %v)", subErr, wild)
	}
	t.Logf("subscribe to B's down: %v; to +/down: %v", subErr, wild)
}

func (s *suite) impersonate(t *testing.T) {
	_, pass := s.credentials(s.a)
	err := Login(LoginOptions{URL: s.tg.URL, ClientID: "authtest-impostor", Username: string(s.b.Address()), Password: pass})
	if !errors.Is(err, ErrRefused) {
		t.Errorf("hotspot A's credentials as hotspot B: %v, want ErrRefused", err)
	}
}

func (s *suite) anonymous(t *testing.T) {
	anon, err := s.tryConnect("authtest-anonymous", "", "")
	if err != nil {
		t.Logf("anonymous connection refused: %v", err)
		return
	}
	topic := hotspot.UplinkTopic(s.a.Address(), []byte("anonymous"))
	publish(anon, topic, "anonymous")
	if s.routerIn.wait(topic, "anonymous", quiet) {
		t.Errorf("an anonymous client published on %s", topic)
	}
}
