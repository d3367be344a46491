package brokerauth_test

import (
	"testing"

	"github.com/hexnet/hexnet/brokerauth"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
)

const (
	a = identity.Address("4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T")
	b = identity.Address("8qbHbw2BbbTHBW1sbeqakYXVKRQM8Ne7pLK7m6CVfeR")
)

// TestPolicyMatchesHotspotTopics keeps the ACL in step with the topics
// hotspotd actually uses.
func TestPolicyMatchesHotspotTopics(t *testing.T) {
	if brokerauth.TopicPrefix != hotspot.TopicPrefix {
		t.Fatalf("TopicPrefix %q, hotspot uses %q", brokerauth.TopicPrefix, hotspot.TopicPrefix)
	}
	for _, leaf := range []string{hotspot.LeafAck, hotspot.LeafStats, hotspot.LeafState, hotspot.LeafBeacon, hotspot.LeafWitness} {
		if !brokerauth.MayPublish(a, hotspot.Topic(a, leaf)) {
			t.Errorf("hotspot may not publish to its own %s", leaf)
		}
	}
	for i := range 1000 {
		if topic := hotspot.UplinkTopic(a, []byte{0x40, byte(i), byte(i >> 8), 3, 4, 5}); !brokerauth.MayPublish(a, topic) {
			t.Fatalf("hotspot may not publish its uplink to %s", topic)
		}
	}
	for _, leaf := range []string{hotspot.LeafDown, hotspot.LeafChallenge} {
		if !brokerauth.MaySubscribe(a, hotspot.Topic(a, leaf)) {
			t.Errorf("hotspot may not subscribe to its own %s", leaf)
		}
	}
}

func TestPolicyRefuses(t *testing.T) {
	publish := []string{
		hotspot.Topic(b, hotspot.LeafUp),
		hotspot.Topic(b, hotspot.LeafState),
		hotspot.Topic(a, hotspot.LeafDown),
		hotspot.Topic(a, hotspot.LeafChallenge),
		hotspot.Topic(a, "up/extra"),
		"hexnet/hotspot/" + string(a),
		"hexnet/hotspot//up",
		"hexnet/app/x/device/1/event/up",
		"$share/g/" + hotspot.Topic(a, hotspot.LeafUp),
		hotspot.Topic(a, hotspot.LeafUp), // uplinks go to the shard topics
		"hexnet/up/1/" + string(b),       // another hotspot's uplink
		"hexnet/up/64/" + string(a), "hexnet/up/01/" + string(a), "hexnet/up/-1/" + string(a), "hexnet/up//" + string(a),
		"hexnet/up/+/" + string(a), "hexnet/up/1/" + string(a) + "/x", "hexnet/up/100/" + string(a), "hexnet/up/1", "hexnet/up/1/",
	}
	for _, topic := range publish {
		if brokerauth.MayPublish(a, topic) {
			t.Errorf("MayPublish(%q) = true", topic)
		}
	}
	subscribe := []string{
		hotspot.Topic(b, hotspot.LeafDown),
		hotspot.TopicAll(hotspot.LeafDown),
		"hexnet/hotspot/" + string(a) + "/#",
		"hexnet/hotspot/" + string(a) + "/+",
		"#",
		hotspot.Topic(a, hotspot.LeafUp),
		"$share/g/" + hotspot.Topic(a, hotspot.LeafDown),
	}
	for _, filter := range subscribe {
		if brokerauth.MaySubscribe(a, filter) {
			t.Errorf("MaySubscribe(%q) = true", filter)
		}
	}
	if brokerauth.MayPublish("", "hexnet/hotspot//up") {
		t.Error("empty address may publish")
	}
}
