package api

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestIndexCache(t *testing.T) {
	c := newIndexCache(2)
	var calls atomic.Int32
	release := make(chan struct{})
	built := &index{}
	compute := func(context.Context) (*index, error) {
		calls.Add(1)
		<-release
		return built, nil
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.get(context.Background(), 3, compute)
			if err != nil || got != built {
				t.Errorf("get: %v, %v", got, err)
			}
		}()
	}
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("computed %d times for concurrent requests, want 1", n)
	}

	boom := errors.New("boom")
	fail := func(context.Context) (*index, error) { return nil, boom }
	if _, err := c.get(context.Background(), 4, fail); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if _, err := c.get(context.Background(), 4, compute); err != nil {
		t.Errorf("a failure was cached: %v", err)
	}
	c.get(context.Background(), 5, compute) // evicts 3, the oldest
	if _, ok := c.entries[3]; ok || len(c.entries) != 2 {
		t.Errorf("entries after eviction: %v", c.entries)
	}
}

// TestIndexCacheOutlivesCancel: the first request going away does not
// fail the computation that the others wait for.
func TestIndexCacheOutlivesCancel(t *testing.T) {
	c := newIndexCache(2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := c.get(ctx, 1, func(ctx context.Context) (*index, error) { return &index{}, ctx.Err() })
	if err != nil || got == nil {
		t.Errorf("get with a cancelled request: %v, %v", got, err)
	}
}

func TestWitnessTally(t *testing.T) {
	var tl witnessTally
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, r := range []float32{-110, -95.5, -120} {
		tl = tl.add(r, t0.Add(time.Duration(2-i)*time.Minute))
	}
	if tl.valid != 3 || tl.bestRSSI != -95.5 || len(tl.rssi) != 3 || !tl.last.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("tally %+v", tl)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float32
		want float32
	}{
		{[]float32{-100}, -100},
		{[]float32{-90, -110, -100}, -100},
		{[]float32{-90, -100, -110, -120}, -105},
	} {
		if got := median(tc.in); got == nil || *got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if median(nil) != nil {
		t.Error("median of nothing is not nil")
	}
}
