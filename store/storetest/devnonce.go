package storetest

import (
	"testing"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
)

func testJoinHistory(t *testing.T, s router.Store) {
	d1, d2 := device(1, "app"), device(2, "app")
	mustCreate(t, s, d1, d2)
	check := func(step string, dev lorawan.EUI64, want router.JoinHistory) {
		t.Helper()
		got, err := s.JoinHistory(t.Context(), dev)
		if err != nil {
			t.Fatalf("%s: JoinHistory(%s): %v", step, dev, err)
		}
		if got != want {
			t.Errorf("%s: JoinHistory(%s) = %+v, want %+v", step, dev, got, want)
		}
	}
	check("never joined", d1.DevEUI, router.JoinHistory{})
	check("unknown device", devEUI(9), router.JoinHistory{})
	for _, n := range []lorawan.DevNonce{3, 65535, 7} {
		mustUseNonce(t, s, d1, n)
	}
	mustUseNonce(t, s, d2, 1)
	check("three nonces", d1.DevEUI, router.JoinHistory{Joins: 3, MaxDevNonce: 65535})
	check("other device", d2.DevEUI, router.JoinHistory{Joins: 1, MaxDevNonce: 1})
}
