package hotspot

import (
	"strings"

	"github.com/hexnet/hexnet/identity"
)

// TopicPrefix starts every hotspot topic.
const TopicPrefix = "hexnet/hotspot/"

// Topic leaves under hexnet/hotspot/{address}/.
const (
	LeafUp        = "up"        // hotspot → router: signed Uplink, QoS 1
	LeafDown      = "down"      // router → hotspot: Downlink, QoS 1
	LeafAck       = "ack"       // hotspot → router: signed TxAck, QoS 1
	LeafStats     = "stats"     // hotspot → all: signed Stats, QoS 0
	LeafState     = "state"     // hotspot → all: signed retained State, last will
	LeafChallenge = "challenge" // oracle → hotspot
	LeafBeacon    = "beacon"    // hotspot → oracle
	LeafWitness   = "witness"   // hotspot → oracle
)

// Topic returns hexnet/hotspot/{addr}/{leaf}, e.g. Topic(addr, LeafUp).
func Topic(addr identity.Address, leaf string) string {
	return TopicPrefix + string(addr) + "/" + leaf
}

// TopicAll returns the filter matching leaf for every hotspot,
// hexnet/hotspot/+/{leaf}.
func TopicAll(leaf string) string {
	return TopicPrefix + "+/" + leaf
}

// ParseTopic splits hexnet/hotspot/{addr}/{leaf}; ok is false for any other
// shape. The address is not checked for validity.
func ParseTopic(topic string) (addr identity.Address, leaf string, ok bool) {
	rest, found := strings.CutPrefix(topic, TopicPrefix)
	if !found {
		return "", "", false
	}
	a, l, found := strings.Cut(rest, "/")
	if !found || a == "" || l == "" || strings.Contains(l, "/") {
		return "", "", false
	}
	return identity.Address(a), l, true
}
