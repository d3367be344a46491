package router

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/router/dedup"
)

// ledgerStore records ledger writes and fails them while fail is set; the
// rest of Store is left nil (the ledger never calls it).
type ledgerStore struct {
	Store
	fail     atomic.Bool
	mu       sync.Mutex
	frames   map[[16]byte]LedgerFrame
	hotspots map[identity.Address]time.Time
}

var errDown = errors.New("store down")

func (s *ledgerStore) RecordFrames(_ context.Context, fs []LedgerFrame) error {
	if s.fail.Load() {
		return errDown
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frames == nil {
		s.frames = map[[16]byte]LedgerFrame{}
	}
	for _, f := range fs {
		s.frames[f.ID] = f
	}
	return nil
}

func (s *ledgerStore) TouchHotspots(_ context.Context, at time.Time, addrs ...identity.Address) error {
	if s.fail.Load() {
		return errDown
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hotspots == nil {
		s.hotspots = map[identity.Address]time.Time{}
	}
	for _, a := range addrs {
		s.hotspots[a] = at
	}
	return nil
}

func TestLedgerRetriesAfterStoreError(t *testing.T) {
	ctx := context.Background()
	st := &ledgerStore{}
	m := newMetrics(func() float64 { return 0 })
	l := newLedger(st, clock.NewFake(t0), slog.New(slog.DiscardHandler), m, time.Second, 2)
	frame := func(i byte) dedup.Frame {
		return dedup.Frame{ID: uuid.UUID{i}, PHYPayload: make([]byte, 20), FirstSeen: t0,
			Copies: []dedup.Copy{{Hotspot: "hs", RSSI: -100, SNR: 1, ReceivedAt: t0}}}
	}
	st.fail.Store(true)
	for i := range byte(5) {
		f := frame(i + 1)
		l.touch(f.Copies)
		l.add(ledgerFrame(f, lorawan.EUI64{1}, lorawan.DevAddr{2}, uint32(i)))
	}
	if err := l.flush(ctx); !errors.Is(err, errDown) {
		t.Fatalf("flush with the store down = %v, want %v", err, errDown)
	}
	l.add(ledgerFrame(frame(6), lorawan.EUI64{1}, lorawan.DevAddr{2}, 6))
	st.fail.Store(false)
	must(t, l.flush(ctx))
	if len(st.frames) != 6 {
		t.Errorf("recorded %d frames, want 6", len(st.frames))
	}
	if at, ok := st.hotspots["hs"]; len(st.hotspots) != 1 || !ok || !at.Equal(t0) {
		t.Errorf("hotspots touched = %v, want hs at %v", st.hotspots, t0)
	}
	if got := counterValue(m.ledgerFrames); got != 6 {
		t.Errorf("ledger frames recorded = %v, want 6", got)
	}
}

func TestLedgerBacklogBounded(t *testing.T) {
	m := newMetrics(func() float64 { return 0 })
	l := newLedger(&ledgerStore{}, clock.NewFake(t0), slog.New(slog.DiscardHandler), m, time.Second, 1)
	for i := range maxBacklogBatches + 3 {
		l.add(LedgerFrame{ID: uuid.UUID{byte(i), byte(i >> 8)}})
	}
	if len(l.frames) != maxBacklogBatches {
		t.Errorf("backlog = %d frames, want %d", len(l.frames), maxBacklogBatches)
	}
	if got := counterValue(m.dropped.WithLabelValues(dropLedgerOverflow)); got != 3 {
		t.Errorf("overflow drops = %v, want 3", got)
	}
}
