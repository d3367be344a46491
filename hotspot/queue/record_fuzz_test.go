package queue

import (
	"bytes"
	"testing"
	"time"
)

// FuzzRecord: the decoder never panics, and whatever it accepts encodes
// back to the same bytes.
func FuzzRecord(f *testing.F) {
	f.Add(appendRecord(nil, &Record{Topic: "hexnet/hotspot/a/up", QoS: 1, Payload: []byte("sealed"), Appended: time.Unix(1, 2)}))
	f.Add(appendRecord(nil, &Record{Topic: "", Retained: true, Appended: time.Unix(0, 0)}))
	f.Add([]byte{0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := decodeRecord(b)
		if err != nil {
			return
		}
		if n > len(b) {
			t.Fatalf("decoded %d bytes of %d", n, len(b))
		}
		if again := appendRecord(nil, &r); !bytes.Equal(again, b[:n]) {
			t.Fatalf("re-encoded %x, read %x", again, b[:n])
		}
		scanRecords(b, 0)
	})
}
