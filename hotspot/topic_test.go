package hotspot

import (
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
)

func TestTopic(t *testing.T) {
	addr := identity.Address("Abc123")
	if got, want := Topic(addr, LeafUp), "hexnet/hotspot/Abc123/up"; got != want {
		t.Errorf("Topic = %q, want %q", got, want)
	}
	if got, want := TopicAll(LeafAck), "hexnet/hotspot/+/ack"; got != want {
		t.Errorf("TopicAll = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		topic string
		addr  identity.Address
		leaf  string
		ok    bool
	}{
		{"hexnet/hotspot/Abc123/up", "Abc123", "up", true},
		{"hexnet/hotspot/Abc123/up/x", "", "", false},
		{"hexnet/hotspot//up", "", "", false},
		{"hexnet/hotspot/Abc123", "", "", false},
		{"hexnet/app/x/up", "", "", false},
	} {
		a, l, ok := ParseTopic(tc.topic)
		if a != tc.addr || l != tc.leaf || ok != tc.ok {
			t.Errorf("ParseTopic(%q) = %q, %q, %v", tc.topic, a, l, ok)
		}
	}
}

func fixedClock() time.Time { return time.Unix(1700000000, 0) }

func TestUplinkShardFollowsTheDevice(t *testing.T) {
	data := func(mtype byte, devAddr [4]byte, fcnt byte) []byte {
		return append([]byte{mtype << 5}, append(devAddr[:], 0, fcnt, 0, 1, 2, 3, 4, 5, 6)...)
	}
	join := func(devEUI byte, nonce byte) []byte {
		p := make([]byte, 23)
		p[9], p[17] = devEUI, nonce
		return p
	}
	a := [4]byte{1, 2, 3, 4}
	if UplinkShard(data(2, a, 1)) != UplinkShard(data(4, a, 2)) {
		t.Error("a device's unconfirmed and confirmed frames are on different shards")
	}
	if UplinkShard(join(7, 1)) != UplinkShard(join(7, 2)) {
		t.Error("a device's join requests are on different shards")
	}
	seen := map[int]bool{}
	for i := range 4096 {
		seen[UplinkShard(data(2, [4]byte{byte(i), byte(i >> 8), 0, 0}, 0))] = true
	}
	if len(seen) != UplinkShards {
		t.Errorf("4096 DevAddrs used %d of %d shards", len(seen), UplinkShards)
	}
	for _, phy := range [][]byte{nil, {}, {0x40}, {0xe0, 1, 2}} {
		if s := UplinkShard(phy); s < 0 || s >= UplinkShards {
			t.Errorf("UplinkShard(%x) = %d", phy, s)
		}
	}
	addr := identity.Address("Abc123")
	topic := UplinkTopic(addr, data(2, a, 1))
	shard, got, ok := ParseUplinkTopic(topic)
	if !ok || got != addr || shard != UplinkShard(data(2, a, 1)) {
		t.Errorf("ParseUplinkTopic(%q) = %d, %q, %v", topic, shard, got, ok)
	}
	if ShardFilter(5) != "hexnet/up/5/+" || UplinksOf(addr) != "hexnet/up/+/Abc123" {
		t.Errorf("filters: %q %q", ShardFilter(5), UplinksOf(addr))
	}
}
