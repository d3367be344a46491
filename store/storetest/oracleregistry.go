package storetest

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
)

// byAddress sorts hotspots as ListOnboarded returns them.
func byAddress(hs ...oracle.HotspotInfo) []oracle.HotspotInfo {
	out := slices.Clone(hs)
	slices.SortFunc(out, func(a, b oracle.HotspotInfo) int { return strings.Compare(string(a.Address), string(b.Address)) })
	return out
}

func checkHotspot(t *testing.T, s oracle.Store, want oracle.HotspotInfo) {
	t.Helper()
	got, err := s.GetHotspot(t.Context(), want.Address)
	if err != nil {
		t.Fatalf("GetHotspot(%s): %v", want.Address, err)
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("GetHotspot(%s) (-want +got):\n%s", want.Address, diff)
	}
}

func checkOnboarded(t *testing.T, s oracle.Store, want ...oracle.HotspotInfo) {
	t.Helper()
	got, err := s.ListOnboarded(t.Context())
	if err != nil {
		t.Fatalf("ListOnboarded: %v", err)
	}
	if diff := diff(byAddress(want...), got); diff != "" {
		t.Errorf("ListOnboarded (-want +got):\n%s", diff)
	}
}

// testOnboardGetList: what Onboard stores comes back, except Location,
// which only AssertLocation sets.
func testOnboardGetList(t *testing.T, s oracle.Store) {
	checkOnboarded(t, s)
	a, b, c := onboardInfo(t, 1), onboardInfo(t, 2), onboardInfo(t, 3)
	b.Denied = true
	c.Location = &oracle.Location{Hotspot: c.Address, Cell: 1, Nonce: 1}
	mustOnboard(t, s, a, b, c)
	c.Location = nil
	for _, h := range []oracle.HotspotInfo{a, b, c} {
		checkHotspot(t, s, h)
	}
	checkOnboarded(t, s, a, b, c)
}

func testDuplicateOnboard(t *testing.T, s oracle.Store) {
	h := onboardInfo(t, 1)
	mustOnboard(t, s, h)
	other := h
	other.Owner, other.Envelope = owner(t, 9), []byte("other")
	if err := s.Onboard(t.Context(), other); !wantErr(err, store.ErrConflict) {
		t.Errorf("second Onboard(%s) = %v, want store.ErrConflict", h.Address, err)
	}
	checkHotspot(t, s, h)
}

func testMissingHotspot(t *testing.T, s oracle.Store) {
	mustOnboard(t, s, onboardInfo(t, 1))
	missing := hotspot(t, 2)
	if _, err := s.GetHotspot(t.Context(), missing); !wantErr(err, store.ErrNotFound) {
		t.Errorf("GetHotspot(missing) = %v, want store.ErrNotFound", err)
	}
	if err := s.SetDenied(t.Context(), missing, true); !wantErr(err, store.ErrNotFound) {
		t.Errorf("SetDenied(missing) = %v, want store.ErrNotFound", err)
	}
	if err := s.AssertLocation(t.Context(), locationOf(missing, 1, 7)); !wantErr(err, store.ErrNotFound) {
		t.Errorf("AssertLocation(missing) = %v, want store.ErrNotFound", err)
	}
	if ls, err := s.LocationHistory(t.Context(), missing); err != nil || len(ls) != 0 {
		t.Errorf("LocationHistory(missing) = %v, %v; want none", ls, err)
	}
}

// testAssertLocation: nonces must rise per hotspot; the current location
// is that of the highest nonce; a refused assertion changes nothing.
func testAssertLocation(t *testing.T, s oracle.Store) {
	a, b := onboardInfo(t, 1), onboardInfo(t, 2)
	mustOnboard(t, s, a, b)
	tests := []struct {
		name string
		loc  oracle.Location
		want error
	}{
		{"first, any nonce", locationOf(a.Address, 5, 0x8c1f_0000_0000_0001), nil},
		{"same nonce", locationOf(a.Address, 5, 0x8c1f_0000_0000_0002), store.ErrConflict},
		{"lower nonce", locationOf(a.Address, 3, 0x8c1f_0000_0000_0003), store.ErrConflict},
		{"next nonce", locationOf(a.Address, 6, 0x8c1f_0000_0000_0004), nil},
		{"gap", locationOf(a.Address, 100, 0x8c1f_0000_0000_0005), nil},
		{"other hotspot, nonce 0", locationOf(b.Address, 0, 0x8c1f_0000_0000_0006), nil},
		{"other hotspot, nonce 0 again", locationOf(b.Address, 0, 0x8c1f_0000_0000_0007), store.ErrConflict},
		{"largest nonce", locationOf(b.Address, math.MaxInt64, 0x8c1f_0000_0000_0008), nil},
	}
	var history = map[identity.Address][]oracle.Location{}
	for _, tt := range tests {
		err := s.AssertLocation(t.Context(), tt.loc)
		checkErr(t, tt.name+": AssertLocation", err, tt.want)
		if tt.want == nil {
			history[tt.loc.Hotspot] = append(history[tt.loc.Hotspot], tt.loc)
		}
	}
	for _, h := range []*oracle.HotspotInfo{&a, &b} {
		checkHistory(t, s, h.Address, history[h.Address])
		current := history[h.Address][len(history[h.Address])-1]
		h.Location = &current
		checkHotspot(t, s, *h)
	}
	checkOnboarded(t, s, a, b)
}

func checkHistory(t *testing.T, s oracle.Store, h identity.Address, want []oracle.Location) {
	t.Helper()
	got, err := s.LocationHistory(t.Context(), h)
	if err != nil {
		t.Fatalf("LocationHistory(%s): %v", h, err)
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("LocationHistory(%s) (-want +got):\n%s", h, diff)
	}
}

func testSetDenied(t *testing.T, s oracle.Store) {
	a, b := onboardInfo(t, 1), onboardInfo(t, 2)
	mustOnboard(t, s, a, b)
	for _, denied := range []bool{true, true, false, true} {
		if err := s.SetDenied(t.Context(), a.Address, denied); err != nil {
			t.Fatalf("SetDenied(%t): %v", denied, err)
		}
		a.Denied = denied
		checkHotspot(t, s, a)
	}
	checkHotspot(t, s, b)
}

// testCells: H3 cells round-trip all 64 bits, including values above
// 2^63 that a signed column holds as negative numbers.
func testCells(t *testing.T, s oracle.Store) {
	cells := []uint64{0, 1, 0x8c1f_a2b3_c4d5_ffff, math.MaxInt64, 1 << 63, 1<<63 | 0x8c_2a10_0d2c_2b5f, math.MaxUint64}
	var want []oracle.HotspotInfo
	for i, cell := range cells {
		h := onboardInfo(t, byte(i+1))
		mustOnboard(t, s, h)
		l := locationOf(h.Address, 1, cell)
		mustAssert(t, s, l)
		h.Location = &l
		checkHotspot(t, s, h)
		checkHistory(t, s, h.Address, []oracle.Location{l})
		want = append(want, h)
	}
	checkOnboarded(t, s, want...)
}
