package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hexnet/hexnet/router"
)

// farFuture closes ranges that should hold everything recorded.
var farFuture = base.Add(365 * 24 * time.Hour)

func mustRecord(t *testing.T, s router.Store, frames ...router.LedgerFrame) {
	t.Helper()
	if err := s.RecordFrames(t.Context(), frames); err != nil {
		t.Fatalf("RecordFrames(%d frames): %v", len(frames), err)
	}
}

func checkTraffic(t *testing.T, s router.Store, from, to time.Time, want []router.Traffic) {
	t.Helper()
	got, err := s.TrafficBetween(t.Context(), from, to)
	if err != nil {
		t.Fatalf("TrafficBetween: %v", err)
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("TrafficBetween(%v, %v) (-want +got):\n%s", from, to, diff)
	}
}

// sorted orders traffic by hotspot address, as stores return it.
func sorted(ts ...router.Traffic) []router.Traffic {
	out := append([]router.Traffic(nil), ts...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Hotspot < out[i].Hotspot {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func testTraffic(t *testing.T, s router.Store) {
	h1, h2, h3 := hotspot(t, 1), hotspot(t, 2), hotspot(t, 3)
	mustRecord(t, s) // nothing to record is fine
	mustRecord(t, s,
		frame(1, 20, base, h1, h2, h3),
		frame(2, 51, base.Add(time.Second), h2),
		frame(3, 12, base.Add(2*time.Second)), // no copies
	)
	mustRecord(t, s, frame(4, 100, base.Add(3*time.Second), h1, h1, h2)) // h1 twice: one copy
	checkTraffic(t, s, base, farFuture, sorted(
		router.Traffic{Hotspot: h1, Copies: 2, Bytes: 120, DataCredits: 1 + 5},
		router.Traffic{Hotspot: h2, Copies: 3, Bytes: 171, DataCredits: 1 + 3 + 5},
		router.Traffic{Hotspot: h3, Copies: 1, Bytes: 20, DataCredits: 1},
	))
	checkTraffic(t, s, farFuture, farFuture.Add(time.Hour), nil)
}

func testRecordIdempotent(t *testing.T, s router.Store) {
	h1, h2 := hotspot(t, 1), hotspot(t, 2)
	f := frame(1, 30, base, h1)
	replay := frame(1, 999, base, h1, h2) // same ID, different content: skipped whole
	mustRecord(t, s, f, f)
	mustRecord(t, s, replay, frame(2, 10, base, h2))
	mustRecord(t, s, f)
	checkTraffic(t, s, base, farFuture, sorted(
		router.Traffic{Hotspot: h1, Copies: 1, Bytes: 30, DataCredits: 2},
		router.Traffic{Hotspot: h2, Copies: 1, Bytes: 10, DataCredits: 1},
	))
}

// testTrafficBoundaries checks [from, to): a frame at from counts, one at
// to does not, and frames a microsecond inside either edge count.
func testTrafficBoundaries(t *testing.T, s router.Store) {
	h := hotspot(t, 1)
	from := base.Truncate(time.Microsecond)
	to := from.Add(time.Hour)
	mustRecord(t, s,
		frame(1, 1, from.Add(-time.Microsecond), h),
		frame(2, 2, from, h),
		frame(3, 4, from.Add(time.Microsecond), h),
		frame(4, 8, to.Add(-time.Microsecond), h),
		frame(5, 16, to, h),
		frame(6, 32, to.Add(time.Microsecond), h),
	)
	tests := []struct {
		from, to time.Time
		bytes    int64
	}{
		{from, to, 2 + 4 + 8},
		{from.Add(-time.Microsecond), to.Add(time.Microsecond), 1 + 2 + 4 + 8 + 16},
		{from, from, 0},
		{to, from, 0},
		{from.Add(time.Microsecond), to, 4 + 8},
	}
	for _, tt := range tests {
		var want []router.Traffic
		if tt.bytes > 0 {
			n := int64(bitCount(tt.bytes)) // every frame here is under 24 bytes: 1 DC a copy
			want = []router.Traffic{{Hotspot: h, Copies: n, Bytes: tt.bytes, DataCredits: n}}
		}
		checkTraffic(t, s, tt.from, tt.to, want)
	}
}

func bitCount(v int64) int {
	n := 0
	for ; v > 0; v >>= 1 {
		n += int(v & 1)
	}
	return n
}

// testConcurrentRecord has writers record overlapping frame sets at once;
// every frame must count once, whoever wins.
func testConcurrentRecord(t *testing.T, s router.Store) {
	const writers, perWriter, overlap = 6, 40, 20
	hs := []router.Traffic{{Hotspot: hotspot(t, 1)}, {Hotspot: hotspot(t, 2)}, {Hotspot: hotspot(t, 3)}}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- recordRange(t, s, w*(perWriter-overlap), perWriter, hs)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	frames := int64((writers-1)*(perWriter-overlap) + perWriter)
	for i := range hs {
		hs[i].Copies, hs[i].Bytes, hs[i].DataCredits = frames, frames*10, frames
	}
	checkTraffic(t, s, base, farFuture, sorted(hs...))
}

// recordRange records frames first..first+n-1 in batches of 10.
func recordRange(t *testing.T, s router.Store, first, n int, hs []router.Traffic) error {
	var batch []router.LedgerFrame
	for id := first; id < first+n; id++ {
		at := base.Add(time.Duration(id) * time.Millisecond)
		batch = append(batch, frame(uint16(id), 10, at, hs[0].Hotspot, hs[1].Hotspot, hs[2].Hotspot))
		if len(batch) == 10 || id == first+n-1 {
			if err := s.RecordFrames(t.Context(), batch); err != nil {
				return fmt.Errorf("RecordFrames from %d: %w", first, err)
			}
			batch = nil
		}
	}
	return nil
}
