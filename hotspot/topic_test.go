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
