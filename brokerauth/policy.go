package brokerauth

import (
	"slices"
	"strings"

	"github.com/hexnet/hexnet/identity"
)

// TopicPrefix starts every hotspot topic (the same as hotspot.TopicPrefix;
// a test keeps them equal).
const TopicPrefix = "hexnet/hotspot/"

// The leaves under hexnet/hotspot/{own address}/ a hotspot may publish to
// and subscribe to. Nothing else, no wildcards: not even its own "#".
var (
	PublishLeaves   = []string{"up", "ack", "stats", "state", "beacon", "witness"}
	SubscribeLeaves = []string{"down", "challenge"}
)

// MayPublish reports whether the hotspot addr may publish to topic.
func MayPublish(addr identity.Address, topic string) bool {
	return ownLeafIn(addr, topic, PublishLeaves)
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
