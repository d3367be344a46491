package broker

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hexnet/hexnet/brokerauth"
	"github.com/hexnet/hexnet/brokerauth/authtest"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
)

func hotspotKeys(t *testing.T, n int) []*identity.Key {
	t.Helper()
	keys := make([]*identity.Key, n)
	for i := range keys {
		seed := make([]byte, 32)
		seed[0], seed[1] = 0xb0, byte(i)
		k, err := identity.FromSeed(seed)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
	}
	return keys
}

// TestHotspotCannotActAsAnother runs the broker policy suite on the
// embedded broker with token authentication.
func TestHotspotCannotActAsAnother(t *testing.T) {
	b := startBroker(t, Options{
		Users:         map[string]string{"router": "s3cret"},
		AnonymousRead: []string{"hexnet/app/"},
		HotspotAuth:   &brokerauth.Verifier{},
	})
	authtest.Run(t, authtest.Target{
		URL: b.URL(), ServiceUser: "router", ServicePassword: "s3cret", Hotspots: hotspotKeys(t, 2),
	})
}

// TestHotspotTokenRefused: bad tokens, stolen client ids and foreign last
// wills keep a hotspot out.
func TestHotspotTokenRefused(t *testing.T) {
	now := time.Now()
	b := startBroker(t, Options{HotspotAuth: &brokerauth.Verifier{}, AnonymousRead: []string{"hexnet/app/"}})
	keys := hotspotKeys(t, 2)
	a, other := keys[0], keys[1]
	expired, err := brokerauth.Issue(a, now.Add(-3*time.Hour), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := brokerauth.Issue(a, now, 0)
	addr := string(a.Address())
	cases := []struct {
		name           string
		id, user, pass string
		will           string
	}{
		{"expired token", "x1", addr, expired, ""},
		{"no password", "x2", addr, "", ""},
		{"garbage", "x3", addr, "not-a-token", ""},
		{"another hotspot's client id", string(other.Address()), addr, good, ""},
		{"last will on another hotspot's state", "x4", addr, good, hotspot.Topic(other.Address(), hotspot.LeafState)},
		{"anonymous with a hotspot's client id", addr, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := authtest.Login(authtest.LoginOptions{URL: b.URL(), ClientID: c.id, Username: c.user, Password: c.pass, WillTopic: c.will})
			if !errors.Is(err, authtest.ErrRefused) {
				t.Errorf("login: %v, want ErrRefused", err)
			}
		})
	}
	t.Run("valid token", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		cl, err := hotspot.Dial(ctx, a, b.URL(), nil, "test")
		if err != nil {
			t.Fatal(err)
		}
		cl.Close()
	})
}

// TestHotspotReconnectsWithFreshToken: tokens expire, so every reconnect
// must carry a new one. The broker's clock jumps two hours ahead after the
// first connection; only a fresh token gets back in.
func TestHotspotReconnectsWithFreshToken(t *testing.T) {
	key := hotspotKeys(t, 1)[0]
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	b := startBroker(t, Options{HotspotAuth: &brokerauth.Verifier{Now: clock}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	connects := make(chan struct{}, 4)
	cl, err := mqttclient.Connect(ctx, mqttclient.Options{
		Broker: b.URL(), ClientID: string(key.Address()),
		Credentials: brokerauth.Credentials(key, clock),
		OnConnect:   func() { connects <- struct{}{} },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	<-connects
	offset.Store(int64(2 * time.Hour)) // the first token has expired
	// Force a reconnect: a second connection with the same client id takes
	// the session over.
	u, p := brokerauth.Credentials(key, clock)()
	kick, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: b.URL(), ClientID: u, Username: u, Password: p})
	if err != nil {
		t.Fatal(err)
	}
	kick.Close()
	select {
	case <-connects:
	case <-ctx.Done():
		t.Fatal("the hotspot did not reconnect with a fresh token")
	}
}
