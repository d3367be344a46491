package broker

import (
	"bytes"
	"crypto/subtle"
	"log/slog"
	"strings"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/hexnet/hexnet/brokerauth"
	"github.com/hexnet/hexnet/identity"
)

// access authenticates clients: known users get full access, hotspots
// (username their address, password a brokerauth token) their own topics,
// anonymous clients may only read the configured prefixes.
type access struct {
	mqtt.HookBase
	users    map[string]string
	anonRead []string
	hotspots *brokerauth.Verifier // nil: hotspots cannot log in as themselves
	log      *slog.Logger
}

func (a *access) ID() string { return "hexnet-access" }

func (a *access) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck}, []byte{b})
}

// open reports whether access control is off: no users and no hotspot
// verifier means every client may do everything.
func (a *access) open() bool { return len(a.users) == 0 && a.hotspots == nil }

func (a *access) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	if a.open() {
		return true
	}
	user := string(pk.Connect.Username)
	if want, ok := a.users[user]; ok && user != "" {
		return subtle.ConstantTimeCompare([]byte(want), pk.Connect.Password) == 1
	}
	if addr, ok := a.hotspot(user); ok {
		return a.admitHotspot(addr, pk.Connect)
	}
	if user != "" || len(a.anonRead) == 0 {
		a.log.Info("refused client: unknown user", "user", user, "client", pk.Connect.ClientIdentifier)
		return false
	}
	// An anonymous client must not take a hotspot's client id: MQTT hands
	// the session to the newest connection, which would cut the hotspot off.
	return !identity.Address(pk.Connect.ClientIdentifier).Valid()
}

// hotspot reports whether user names a hotspot that logs in with a token.
func (a *access) hotspot(user string) (identity.Address, bool) {
	addr := identity.Address(user)
	return addr, a.hotspots != nil && addr.Valid()
}

// admitHotspot checks the token, that the client id is the hotspot's own
// address (or another non-address id) and that its last will, which mochi
// publishes without an ACL check, stays within its own topics.
func (a *access) admitHotspot(addr identity.Address, c packets.ConnectParams) bool {
	log := a.log.With("hotspot", addr, "client", c.ClientIdentifier)
	if err := a.hotspots.Verify(addr, string(c.Password)); err != nil {
		log.Info("refused hotspot: bad token", "err", err)
		return false
	}
	if id := identity.Address(c.ClientIdentifier); id != addr && id.Valid() {
		log.Info("refused hotspot: client id is another hotspot's address")
		return false
	}
	if c.WillFlag && !brokerauth.MayPublish(addr, c.WillTopic) {
		log.Info("refused hotspot: last will outside its own topics", "topic", c.WillTopic)
		return false
	}
	return true
}

func (a *access) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	if a.open() {
		return true
	}
	user := string(cl.Properties.Username)
	if _, ok := a.users[user]; ok && user != "" {
		return true
	}
	if addr, ok := a.hotspot(user); ok {
		if write {
			return brokerauth.MayPublish(addr, topic)
		}
		return brokerauth.MaySubscribe(addr, topic)
	}
	if write || user != "" {
		return false
	}
	return anonymousMayRead(a.anonRead, topic)
}

// anonymousMayRead reports whether a topic or subscription filter lies
// entirely under one of the prefixes. Shared-subscription filters are judged
// by the filter they share.
func anonymousMayRead(prefixes []string, filter string) bool {
	if strings.HasPrefix(strings.ToLower(filter), "$share/") {
		parts := strings.SplitN(filter, "/", 3)
		if len(parts) < 3 {
			return false
		}
		filter = parts[2]
	}
	for _, p := range prefixes {
		if strings.HasPrefix(filter, p) {
			return true
		}
	}
	return false
}
