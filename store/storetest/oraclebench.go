package storetest

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// Shape of the reports BenchmarkAddReports adds.
const (
	BenchReports     = 100_000 // witness reports per AddReports call
	BenchReporters   = 1_000   // distinct hotspots signing them
	benchEnvelope    = 200     // bytes: a signed witness envelope
	benchPayloadSize = 24      // bytes: a beacon payload
)

// BenchmarkAddReports measures AddReports on s with batches of
// BenchReports new witness reports; it reports reports/s.
func BenchmarkAddReports(b *testing.B, s oracle.Store) {
	hs := make([]identity.Address, BenchReporters)
	for i := range hs {
		hs[i] = hotspot(b, byte(i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		b.StopTimer()
		batch := benchReports(n, hs)
		b.StartTimer()
		added, err := s.AddReports(b.Context(), batch)
		if err != nil || added != BenchReports {
			b.Fatalf("AddReports = %d, %v; want %d new", added, err, BenchReports)
		}
		n++
	}
	b.ReportMetric(float64(n*BenchReports)/b.Elapsed().Seconds(), "reports/s")
}

// benchReports makes batch number n of one epoch: IDs never repeat across
// batches and, being hashes, arrive in random order as real ones do.
func benchReports(n int, hs []identity.Address) []oracle.Report {
	rs := make([]oracle.Report, BenchReports)
	envelope := make([]byte, benchEnvelope)
	for i := range rs {
		var seq [16]byte
		binary.BigEndian.PutUint64(seq[:8], uint64(n))
		binary.BigEndian.PutUint64(seq[8:], uint64(i))
		rs[i] = oracle.Report{
			ID:         sha256.Sum256(seq[:]),
			Kind:       oracle.KindWitness,
			Hotspot:    hs[i%len(hs)],
			Epoch:      1,
			Payload:    envelope[:benchPayloadSize],
			ReceivedAt: at.Add(time.Duration(n*BenchReports+i) * time.Millisecond),
			Envelope:   envelope,
		}
	}
	return rs
}
