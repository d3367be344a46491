package api

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hexnet/hexnet/identity"
)

func TestWitnessCache(t *testing.T) {
	c := newWitnessCache(2)
	var calls atomic.Int32
	release := make(chan struct{})
	compute := func(_ context.Context, epoch uint64) (map[identity.Address]witnessTally, error) {
		calls.Add(1)
		<-release
		return map[identity.Address]witnessTally{"x": {valid: int(epoch)}}, nil
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.get(context.Background(), 3, compute)
			if err != nil || got["x"].valid != 3 {
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
	fail := func(context.Context, uint64) (map[identity.Address]witnessTally, error) { return nil, boom }
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

func TestWitnessTally(t *testing.T) {
	var tl witnessTally
	for _, r := range []float32{-110, -95.5, -120} {
		tl = tl.add(r)
	}
	if tl.valid != 3 || tl.bestRSSI != -95.5 {
		t.Errorf("tally %+v", tl)
	}
}
