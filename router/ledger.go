package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/router/dedup"
)

// maxBacklogBatches bounds the ledger frames kept while the store fails, in
// units of the flush size; beyond it the oldest frames are dropped (counted).
const maxBacklogBatches = 200

// ledger batches ledger frames and hotspot sightings and writes them every
// interval or every size frames; failed writes stay queued for the next try.
type ledger struct {
	store    Store
	clock    clock.Clock
	log      *slog.Logger
	m        *metrics
	interval time.Duration
	size     int
	kick     chan struct{}

	mu       sync.Mutex
	frames   []LedgerFrame
	hotspots map[identity.Address]time.Time
}

func newLedger(s Store, c clock.Clock, log *slog.Logger, m *metrics, interval time.Duration, size int) *ledger {
	return &ledger{store: s, clock: c, log: log, m: m, interval: interval, size: size,
		kick: make(chan struct{}, 1), hotspots: map[identity.Address]time.Time{}}
}

// ledgerFrame converts a deduplicated frame to its ledger record.
func ledgerFrame(f dedup.Frame, devEUI lorawan.EUI64, addr lorawan.DevAddr, fcnt uint32) LedgerFrame {
	lf := LedgerFrame{ID: f.ID, DevEUI: devEUI, DevAddr: addr, FCnt: fcnt,
		Bytes: len(f.PHYPayload), ReceivedAt: f.FirstSeen, Copies: make([]LedgerCopy, 0, len(f.Copies))}
	for _, c := range f.Copies {
		lf.Copies = append(lf.Copies, LedgerCopy{Hotspot: c.Hotspot, RSSI: c.RSSI, SNR: c.SNR, ReceivedAt: c.ReceivedAt})
	}
	return lf
}

// add queues a frame; a full batch wakes the flusher.
func (l *ledger) add(f LedgerFrame) {
	l.mu.Lock()
	l.frames = append(l.frames, f)
	if over := len(l.frames) - l.size*maxBacklogBatches; over > 0 {
		l.frames = l.frames[over:]
		l.m.dropped.WithLabelValues(dropLedgerOverflow).Add(float64(over))
		l.log.Error("ledger backlog full; oldest frames dropped", "dropped", over)
	}
	full := len(l.frames) >= l.size
	l.mu.Unlock()
	if full {
		l.poke()
	}
}

// touch notes the hotspots of a frame's copies as heard.
func (l *ledger) touch(copies []dedup.Copy) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range copies {
		if c.ReceivedAt.After(l.hotspots[c.Hotspot]) {
			l.hotspots[c.Hotspot] = c.ReceivedAt
		}
	}
}

func (l *ledger) poke() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// run flushes every interval, or sooner when a batch fills, until ctx ends.
// Errors are logged and the data retried on the next flush.
func (l *ledger) run(ctx context.Context) {
	for {
		t := l.clock.AfterFunc(l.interval, l.poke)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-l.kick:
			t.Stop()
		}
		if err := l.flush(ctx); err != nil {
			l.log.Error("ledger flush failed; will retry", "err", err)
		}
	}
}

// flush writes everything queued, a batch at a time. What fails is put
// back in front of what arrived meanwhile.
func (l *ledger) flush(ctx context.Context) error {
	l.mu.Lock()
	frames, hotspots := l.frames, l.hotspots
	l.frames, l.hotspots = nil, map[identity.Address]time.Time{}
	l.mu.Unlock()
	errF := l.writeFrames(ctx, frames)
	errH := l.writeHotspots(ctx, hotspots)
	return errors.Join(errF, errH)
}

func (l *ledger) writeFrames(ctx context.Context, frames []LedgerFrame) error {
	for len(frames) > 0 {
		n := min(len(frames), l.size)
		if err := l.store.RecordFrames(ctx, frames[:n]); err != nil {
			l.m.storeErrors.WithLabelValues("record_frames").Inc()
			l.requeue(frames)
			return fmt.Errorf("record %d ledger frames: %w", len(frames), err)
		}
		l.m.ledgerFrames.Add(float64(n))
		frames = frames[n:]
	}
	return nil
}

func (l *ledger) requeue(frames []LedgerFrame) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.frames = append(frames[:len(frames):len(frames)], l.frames...)
}

// writeHotspots records the sightings with one call at the latest time seen
// (hotspots heard within one flush interval share it).
func (l *ledger) writeHotspots(ctx context.Context, seen map[identity.Address]time.Time) error {
	if len(seen) == 0 {
		return nil
	}
	var at time.Time
	addrs := make([]identity.Address, 0, len(seen))
	for a, t := range seen {
		addrs = append(addrs, a)
		if t.After(at) {
			at = t
		}
	}
	if err := l.store.TouchHotspots(ctx, at, addrs...); err != nil {
		l.m.storeErrors.WithLabelValues("touch_hotspots").Inc()
		l.retouch(seen)
		return fmt.Errorf("touch %d hotspots: %w", len(addrs), err)
	}
	return nil
}

func (l *ledger) retouch(seen map[identity.Address]time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for a, t := range seen {
		if t.After(l.hotspots[a]) {
			l.hotspots[a] = t
		}
	}
}
