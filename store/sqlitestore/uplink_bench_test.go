package sqlitestore_test

import (
	"encoding/binary"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

// benchDevices is how many devices the uplink benchmarks spread frames over.
const benchDevices = 100

var benchAt = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// BenchmarkUplink measures the store's part of one data uplink, as
// router.handleData does it: the sessions of the frame's DevAddr, the
// device of each, then the session saved with its new frame counter.
func BenchmarkUplink(b *testing.B) {
	b.Run("file", func(b *testing.B) {
		benchmarkUplink(b, benchStore(b, filepath.Join(b.TempDir(), "hexnet.db")))
	})
	b.Run("memory", func(b *testing.B) {
		benchmarkUplink(b, benchStore(b, sqlitestore.Memory))
	})
	b.Run("file-parallel", func(b *testing.B) {
		s := benchStore(b, filepath.Join(b.TempDir(), "hexnet.db"))
		var n atomic.Uint64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				uplink(b, s, n.Add(1))
			}
		})
	})
}

func benchmarkUplink(b *testing.B, s *sqlitestore.Store) {
	b.ReportAllocs()
	b.ResetTimer()
	var n uint64
	for b.Loop() {
		n++
		uplink(b, s, n)
	}
}

// uplink is frame n of the benchmark: device n % benchDevices sends it.
func uplink(b *testing.B, s *sqlitestore.Store, n uint64) {
	ctx := b.Context()
	sessions, err := s.SessionsByDevAddr(ctx, benchAddr(byte(n%benchDevices)))
	if err != nil || len(sessions) != 1 {
		b.Fatalf("SessionsByDevAddr = %d sessions, %v; want 1", len(sessions), err)
	}
	sess := sessions[0]
	if _, err := s.GetDevice(ctx, sess.DevEUI); err != nil {
		b.Fatal(err)
	}
	sess.FCntUp++
	sess.UpdatedAt = benchAt.Add(time.Duration(n) * time.Millisecond)
	if err := s.SaveSession(ctx, sess); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSpendCredits measures charging one frame, as the router does for
// an organisation that pays for its traffic.
func BenchmarkSpendCredits(b *testing.B) {
	s := benchStore(b, filepath.Join(b.TempDir(), "hexnet.db"))
	if _, err := s.AddCredits(b.Context(), "org", 1<<60, benchAt); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var frame [16]byte
	var n uint64
	for b.Loop() {
		n++
		binary.BigEndian.PutUint64(frame[8:], n)
		if _, err := s.SpendCredits(b.Context(), "org", 1, frame, benchAt); err != nil {
			b.Fatal(err)
		}
	}
}

// benchStore is a store at path with an organisation, an application and
// benchDevices devices, each with a session on a DevAddr of its own.
func benchStore(b *testing.B, path string) *sqlitestore.Store {
	b.Helper()
	s := openTest(b, path)
	ctx := b.Context()
	if err := s.CreateOrganisation(ctx, router.Organisation{ID: "org", Name: "Org", CreatedAt: benchAt}); err != nil {
		b.Fatal(err)
	}
	app := router.Application{ID: "app", Organisation: "org", Name: "App", CreatedAt: benchAt}
	if err := s.CreateApplication(ctx, app); err != nil {
		b.Fatal(err)
	}
	for i := range benchDevices {
		eui := lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0, 0, byte(i)}
		d := router.Device{DevEUI: eui, Application: "app", Name: "sensor", MACVersion: "1.0.3", OTAA: true, CreatedAt: benchAt}
		if err := s.CreateDevice(ctx, d); err != nil {
			b.Fatal(err)
		}
		sess := router.Session{DevEUI: eui, DevAddr: benchAddr(byte(i)), UpdatedAt: benchAt}
		if err := s.SaveSession(ctx, sess); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func benchAddr(n byte) lorawan.DevAddr { return lorawan.DevAddr{0x26, 0x01, 0, n} }
