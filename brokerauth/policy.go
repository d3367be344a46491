package brokerauth

import (
	"slices"
	"strings"

	"github.com/hexnet/hexnet/identity"
)

// TopicPrefix starts every hotspot topic (the same as hotspot.TopicPrefix;
// a test keeps them equal).
const TopicPrefix = "hexnet/hotspot/"

// UplinkPrefix starts the uplink shard topics hexnet/up/{shard}/{address},
// shard a decimal 0..UplinkShards-1 chosen by the frame
// (hotspot.UplinkTopic), so routers can split the work by frame. A hotspot
// may publish to every shard, under its own address only.
const (
	UplinkPrefix = "hexnet/up/"
	UplinkShards = 64
)

// The leaves under hexnet/hotspot/{own address}/ a hotspot may publish to
// and subscribe to. Nothing else, no wildcards: not even its own "#".
var (
	PublishLeaves   = []string{"ack", "stats", "state", "beacon", "witness"}
	SubscribeLeaves = []string{"down", "challenge"}
)

// MayPublish reports whether the hotspot addr may publish to topic.
func MayPublish(addr identity.Address, topic string) bool {
	if _, by, ok := ParseUplinkTopic(topic); ok {
		return by == addr && addr != ""
	}
	return ownLeafIn(addr, topic, PublishLeaves)
}

// ParseUplinkTopic reads hexnet/up/{shard}/{address}; ok is false for any
// other topic, including shards out of range or not in canonical decimal.
// The address is not checked for validity.
func ParseUplinkTopic(topic string) (shard int, addr identity.Address, ok bool) {
	rest, found := strings.CutPrefix(topic, UplinkPrefix)
	s, a, found2 := strings.Cut(rest, "/")
	if !found || !found2 || s == "" || len(s) > 2 || (len(s) > 1 && s[0] == '0') || a == "" || strings.Contains(a, "/") {
		return 0, "", false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, "", false
		}
		shard = shard*10 + int(c-'0')
	}
	return shard, identity.Address(a), shard < UplinkShards
}

// MaySubscribe reports whether the hotspot addr may subscribe to filter
// (and receive messages published to it).
func MaySubscribe(addr identity.Address, filter string) bool {
	return ownLeafIn(addr, filter, SubscribeLeaves)
}

func ownLeafIn(addr identity.Address, topic string, leaves []string) bool {
	rest, ok := strings.CutPrefix(topic, TopicPrefix+string(addr)+"/")
	return ok && addr != "" && slices.Contains(leaves, rest)
}
