package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// testHotspotRewards: a hotspot's manifest entries across the latest
// closed epochs, newest first, skipping epochs without one and the open
// epoch.
func testHotspotRewards(t *testing.T, s oracle.Store) {
	h1, h2 := hotspot(t, 1), hotspot(t, 2)
	mustOpen(t, s, epochOf(1), epochOf(2), epochOf(3), epochOf(4))
	mustClose(t, s, closed(epochOf(1), 1), []oracle.ManifestEntry{entryOf(t, 1, 100), entryOf(t, 2, 7)}, nil)
	mustClose(t, s, closed(epochOf(2), 2), []oracle.ManifestEntry{entryOf(t, 2, 9)}, nil)
	mustClose(t, s, closed(epochOf(3), 3), []oracle.ManifestEntry{entryOf(t, 1, 300)}, nil)
	if err := s.MarkPaid(t.Context(), 3); err != nil {
		t.Fatal(err)
	}
	reward := func(n uint64, st oracle.EpochStatus, e oracle.ManifestEntry) oracle.HotspotReward {
		return oracle.HotspotReward{Epoch: n, Status: st, Entry: e}
	}
	tests := []struct {
		h     identity.Address
		limit int
		want  []oracle.HotspotReward
	}{
		{h1, 10, []oracle.HotspotReward{reward(3, oracle.EpochPaid, entryOf(t, 1, 300)), reward(1, oracle.EpochClosed, entryOf(t, 1, 100))}},
		{h1, 1, []oracle.HotspotReward{reward(3, oracle.EpochPaid, entryOf(t, 1, 300))}},
		{h1, 2, []oracle.HotspotReward{reward(3, oracle.EpochPaid, entryOf(t, 1, 300))}}, // epochs 3 and 2
		{h2, 10, []oracle.HotspotReward{reward(2, oracle.EpochClosed, entryOf(t, 2, 9)), reward(1, oracle.EpochClosed, entryOf(t, 2, 7))}},
		{hotspot(t, 3), 10, nil},
		{h1, 0, nil},
	}
	for _, tt := range tests {
		got, err := s.HotspotRewards(t.Context(), tt.h, tt.limit)
		if err != nil {
			t.Fatalf("HotspotRewards(%s, %d): %v", tt.h, tt.limit, err)
		}
		if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b []oracle.HotspotReward) bool {
			return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b)
		})); diff != "" {
			t.Errorf("HotspotRewards(%s, %d) (-want +got):\n%s", tt.h, tt.limit, diff)
		}
	}
}
