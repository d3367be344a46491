package storetest

import (
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/router"
)

func checkHotspots(t *testing.T, s router.Store, step string, want []router.Hotspot) {
	t.Helper()
	got, err := s.ListHotspots(t.Context())
	if err != nil {
		t.Fatalf("%s: ListHotspots: %v", step, err)
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("%s: ListHotspots (-want +got):\n%s", step, diff)
	}
}

func mustTouch(t *testing.T, s router.Store, at time.Time, hs ...router.Hotspot) {
	t.Helper()
	var addrs []identity.Address
	for _, h := range hs {
		addrs = append(addrs, h.Address)
	}
	if err := s.TouchHotspots(t.Context(), at, addrs...); err != nil {
		t.Fatalf("TouchHotspots: %v", err)
	}
}

// testTouchHotspots: first touch sets both times; later touches move
// last_seen forward only; an out-of-order earlier touch moves first_seen
// back only; a hotspot named twice in one call is one hotspot.
func testTouchHotspots(t *testing.T, s router.Store) {
	t0, t1, t2 := base, base.Add(time.Minute), base.Add(2*time.Minute)
	a, b := router.Hotspot{Address: hotspot(t, 1)}, router.Hotspot{Address: hotspot(t, 2)}
	if a.Address > b.Address {
		a, b = b, a
	}
	at := func(h router.Hotspot, first, last time.Time) router.Hotspot {
		return router.Hotspot{Address: h.Address, FirstSeen: stored(first), LastSeen: stored(last)}
	}
	mustTouch(t, s, t1, b, b)
	checkHotspots(t, s, "first touch", []router.Hotspot{at(b, t1, t1)})
	mustTouch(t, s, t2, a, b)
	checkHotspots(t, s, "later touch", []router.Hotspot{at(a, t2, t2), at(b, t1, t2)})
	mustTouch(t, s, t0, b)
	checkHotspots(t, s, "earlier touch", []router.Hotspot{at(a, t2, t2), at(b, t0, t2)})
	mustTouch(t, s, t1, a)
	checkHotspots(t, s, "touch between", []router.Hotspot{at(a, t1, t2), at(b, t0, t2)})
	mustTouch(t, s, t2)
	checkHotspots(t, s, "touch nobody", []router.Hotspot{at(a, t1, t2), at(b, t0, t2)})
}

func testNoHotspots(t *testing.T, s router.Store) {
	checkHotspots(t, s, "empty store", nil)
	mustTouch(t, s, base)
	checkHotspots(t, s, "touch nobody", nil)
}
