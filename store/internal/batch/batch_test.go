package batch

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/router"
)

func TestFrames(t *testing.T) {
	a := router.LedgerCopy{Hotspot: "a", RSSI: -100}
	a2 := router.LedgerCopy{Hotspot: "a", RSSI: -50}
	b := router.LedgerCopy{Hotspot: "b"}
	in := []router.LedgerFrame{
		{ID: [16]byte{2}, FCnt: 1, Copies: []router.LedgerCopy{a, b, a2}},
		{ID: [16]byte{1}, FCnt: 2},
		{ID: [16]byte{2}, FCnt: 3, Copies: []router.LedgerCopy{b}},
	}
	want := []router.LedgerFrame{
		{ID: [16]byte{1}, FCnt: 2, Copies: []router.LedgerCopy{}},
		{ID: [16]byte{2}, FCnt: 1, Copies: []router.LedgerCopy{a, b}},
	}
	if diff := cmp.Diff(want, Frames(in)); diff != "" {
		t.Errorf("Frames (-want +got):\n%s", diff)
	}
	if len(in[0].Copies) != 3 {
		t.Errorf("Frames modified its input: %v", in[0].Copies)
	}
}

func TestAddresses(t *testing.T) {
	in := []identity.Address{"c", "a", "c", "b", "a"}
	want := []identity.Address{"a", "b", "c"}
	if diff := cmp.Diff(want, Addresses(in)); diff != "" {
		t.Errorf("Addresses (-want +got):\n%s", diff)
	}
	if in[0] != "c" {
		t.Errorf("Addresses modified its input: %v", in)
	}
}
