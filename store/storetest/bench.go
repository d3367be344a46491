package storetest

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/hexnet/hexnet/router"
)

// Shape of the frames BenchmarkRecordFrames records.
const (
	BenchBatch  = 100 // frames per RecordFrames call
	BenchCopies = 3   // hotspot copies per frame
)

// BenchmarkRecordFrames measures RecordFrames on s with batches of
// BenchBatch new frames of BenchCopies copies each; it reports frames/s.
func BenchmarkRecordFrames(b *testing.B, s router.Store) {
	hs := benchHotspots(b)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if err := s.RecordFrames(b.Context(), benchBatch(n, hs)); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n*BenchBatch)/b.Elapsed().Seconds(), "frames/s")
}

func benchHotspots(b *testing.B) []router.LedgerCopy {
	out := make([]router.LedgerCopy, BenchCopies)
	for i := range out {
		out[i] = router.LedgerCopy{Hotspot: hotspot(b, byte(i+1)), RSSI: -100, SNR: 5}
	}
	return out
}

// benchBatch makes batch number n: frame IDs never repeat across batches.
func benchBatch(n int, copies []router.LedgerCopy) []router.LedgerFrame {
	at := base.Add(time.Duration(n) * time.Second)
	frames := make([]router.LedgerFrame, BenchBatch)
	for i := range frames {
		f := &frames[i]
		binary.BigEndian.PutUint64(f.ID[:8], uint64(n))
		binary.BigEndian.PutUint64(f.ID[8:], uint64(i))
		f.DevEUI, f.FCnt, f.Bytes, f.ReceivedAt = devEUI(byte(i)), uint32(n), 24, at
		f.Copies = make([]router.LedgerCopy, len(copies))
		for j, c := range copies {
			c.ReceivedAt = at
			f.Copies[j] = c
		}
	}
	return frames
}
