package hotspot

import (
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/hexnet/hexnet/brokerauth"
	"github.com/hexnet/hexnet/identity"
)

// TopicPrefix starts every hotspot topic.
const TopicPrefix = "hexnet/hotspot/"

// Topic leaves under hexnet/hotspot/{address}/.
const (
	LeafUp        = "up"        // names uplinks, which go to the shard topics (UplinkTopic), not under the hotspot
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

// UplinkShards is the number of uplink shard topics.
const UplinkShards = brokerauth.UplinkShards

// UplinkFilter matches every hotspot's uplinks on every shard.
const UplinkFilter = brokerauth.UplinkPrefix + "+/+"

// UplinkShard is the shard of a frame, FNV-1a modulo UplinkShards of the
// bytes that name its device: the DevAddr of a data uplink, the DevEUI of
// a join request, the whole PHYPayload of anything else. Every hotspot's
// copy of a frame lands on one shard, and so does every data frame of one
// device session, so one router instance sees all of them in order.
func UplinkShard(phyPayload []byte) int {
	return ShardOf(shardKey(phyPayload))
}

// ShardOf is the shard of the bytes that name a frame's device, as they
// are on the air (a DevAddr little-endian).
func ShardOf(key []byte) int {
	h := fnv.New32a()
	h.Write(key)
	return int(h.Sum32() % UplinkShards)
}

// LoRaWAN MHDR message types (the top three bits) that shardKey reads.
const (
	mtypeJoinRequest = 0
	mtypeUnconfUp    = 2
	mtypeConfUp      = 4
)

func shardKey(phy []byte) []byte {
	if len(phy) == 0 {
		return phy
	}
	switch phy[0] >> 5 {
	case mtypeJoinRequest:
		if len(phy) >= 17 {
			return phy[9:17] // MHDR, JoinEUI, DevEUI, ...
		}
	case mtypeUnconfUp, mtypeConfUp:
		if len(phy) >= 5 {
			return phy[1:5] // MHDR, DevAddr, ...
		}
	}
	return phy
}

// UplinkTopic is where hotspot addr publishes its signed Uplink of a
// frame: hexnet/up/{UplinkShard(phyPayload)}/{addr}.
func UplinkTopic(addr identity.Address, phyPayload []byte) string {
	return brokerauth.UplinkPrefix + strconv.Itoa(UplinkShard(phyPayload)) + "/" + string(addr)
}

// ShardFilter matches every hotspot's uplinks on one shard:
// hexnet/up/{shard}/+.
func ShardFilter(shard int) string {
	return brokerauth.UplinkPrefix + strconv.Itoa(shard) + "/+"
}

// ParseUplinkTopic reads hexnet/up/{shard}/{address}.
func ParseUplinkTopic(topic string) (shard int, addr identity.Address, ok bool) {
	return brokerauth.ParseUplinkTopic(topic)
}

// UplinksOf matches one hotspot's uplinks on every shard:
// hexnet/up/+/{addr}.
func UplinksOf(addr identity.Address) string {
	return brokerauth.UplinkPrefix + "+/" + string(addr)
}
