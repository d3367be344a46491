package mqttclient

import (
	"testing"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// TestStoreHandsOutCopies: Paho marks a stored publish DUP on reconnect;
// it must do so on its own copy, not on the packet a writer may be encoding.
func TestStoreHandsOutCopies(t *testing.T) {
	s := copyingStore{paho.NewMemoryStore()}
	s.Open()
	defer s.Close()
	pub := packets.NewControlPacket(packets.Publish).(*packets.PublishPacket)
	pub.Qos, pub.MessageID, pub.Payload = 1, 7, []byte("x")
	s.Put("o.7", pub)
	pub.RemainingLength = 99 // the writer encoding the packet it was handed
	got := s.Get("o.7").(*packets.PublishPacket)
	if got.RemainingLength == 99 {
		t.Error("the store kept the packet it was given, not a copy")
	}
	got.Dup = true
	if again := s.Get("o.7").(*packets.PublishPacket); again.Dup || pub.Dup {
		t.Error("a change to the packet Get returned reached the stored one")
	}
	if got.MessageID != 7 || string(got.Payload) != "x" {
		t.Errorf("copy = %+v", got)
	}
}
