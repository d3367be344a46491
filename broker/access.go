package broker

import (
	"bytes"
	"crypto/subtle"
	"strings"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// access authenticates clients: known users get full access, anonymous
// clients may only read the configured prefixes.
type access struct {
	mqtt.HookBase
	users    map[string]string
	anonRead []string
}

func (a *access) ID() string { return "hexnet-access" }

func (a *access) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck}, []byte{b})
}

func (a *access) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	if len(a.users) == 0 {
		return true
	}
	user := string(pk.Connect.Username)
	if user == "" {
		return len(a.anonRead) > 0
	}
	want, ok := a.users[user]
	return ok && subtle.ConstantTimeCompare([]byte(want), pk.Connect.Password) == 1
}

func (a *access) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	if len(a.users) == 0 || len(cl.Properties.Username) > 0 {
		return true
	}
	if write {
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
