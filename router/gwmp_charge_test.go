package router_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/router/dedup"
	"github.com/hexnet/hexnet/router/gwmproute/nstest"
)

var gwmpJoinEUI = lorawan.EUI64{0xaa, 2}

// gwmpChargeHarness is a credit harness whose organisation "acme" holds
// balance DC and owns a GWMP route to ns buying maxCopies copies of
// addrA's data frames and of gwmpJoinEUI's joins. Every ledger frame is
// written at once.
func gwmpChargeHarness(t *testing.T, balance int64, maxCopies int) (*harness, abpDevice, *nstest.Server) {
	t.Helper()
	ns := nstest.New(t)
	flushEach := func(o *router.Options) { o.FlushFrames = 1 }
	h, d := creditHarnessWith(t, balance, []func(*router.Options){flushEach}, router.Route{
		ID: "ext", NetID: lorawan.NetID{0, 0, 0x13}, Destination: router.DestinationGWMP, GWMPAddress: ns.Addr(),
		DevAddrRanges: []router.DevAddrRange{{First: addrA, Last: addrA}},
		EUIPairs:      []router.EUIPair{{JoinEUI: gwmpJoinEUI}},
		MaxCopies:     maxCopies, CreatedAt: t0,
	})
	h.bus.take()
	return h, d, ns
}

// ledgerCopies waits until the ledger holds want copies in all and returns
// them per hotspot.
func ledgerCopies(t *testing.T, h *harness, want int64) map[identity.Address]router.Traffic {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		traffic, err := h.st.TrafficBetween(context.Background(), t0.Add(-24*time.Hour), t0.Add(24*time.Hour))
		must(t, err)
		var n int64
		got := map[identity.Address]router.Traffic{}
		for _, tr := range traffic {
			n += tr.Copies
			got[tr.Hotspot] = tr
		}
		if n == want || time.Now().After(deadline) {
			return got
		}
	}
}

func creditEntries(t *testing.T, h *harness) []router.CreditEntry {
	t.Helper()
	entries, err := h.st.ListCreditEntries(context.Background(), "acme", 10)
	must(t, err)
	return entries
}

// TestGWMPChargeMaxCopies: a routed uplink heard by 3 hotspots through a
// route buying 2 copies costs the route's organisation 2 copies' price,
// forwards those 2 and puts them in the ledger.
func TestGWMPChargeMaxCopies(t *testing.T) {
	h, d, ns := gwmpChargeHarness(t, 100, 2)
	phy := dataFrame(t, addrA, 10, 1, make([]byte, 30), d.sess.FNwkSIntKey, d.sess.AppSKey, false) // 43 bytes: 2 DC a copy
	h.hear(t, phy)

	if push := ns.Next(gwmp.PushData); len(push.Push.RXPK) != 2 {
		t.Fatalf("PUSH_DATA has %d rxpk, want the 2 bought copies", len(push.Push.RXPK))
	}
	if got := balance(t, h); got != 96 {
		t.Errorf("balance %d, want 96 (100 - 2 copies × 2 DC)", got)
	}
	if e := creditEntries(t, h); len(e) != 2 || e[0].AmountDC != -4 || e[0].Frame == ([16]byte{}) {
		t.Errorf("credit entries %+v, want the funding and -4 DC for the frame", e)
	}
	// The first two copies to arrive, as for the built-in network server.
	want := map[identity.Address]router.Traffic{}
	for _, k := range h.hotspots[:2] {
		want[k.Address()] = router.Traffic{Hotspot: k.Address(), Copies: 1, Bytes: int64(len(phy)), DataCredits: 2}
	}
	if diff := cmp.Diff(want, ledgerCopies(t, h, 2)); diff != "" {
		t.Errorf("ledger traffic (-want +got):\n%s", diff)
	}
	for _, m := range h.bus.take() {
		if strings.Contains(m.Topic, "/event/") {
			t.Errorf("built-in network server handled a GWMP route's frame: %s", m.Topic)
		}
	}
}

// TestGWMPChargeNoCredits: an organisation whose balance cannot pay gets
// nothing forwarded; the frame is counted as a no_credits drop, neither
// charged nor ledgered, and funding brings the traffic back.
func TestGWMPChargeNoCredits(t *testing.T) {
	h, d, ns := gwmpChargeHarness(t, 0, 0)
	h.hear(t, dataFrame(t, addrA, 10, 1, []byte("hi"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	ns.NoPush(300 * time.Millisecond)
	if got := h.dropped("no_credits"); got != 1 {
		t.Errorf("dropped{no_credits} = %v, want 1", got)
	}
	if e := creditEntries(t, h); len(e) != 0 {
		t.Errorf("credit entries %+v, want none", e)
	}
	if msgs := h.bus.take(); len(msgs) != 0 {
		t.Errorf("published %v, want nothing (a route has no event topic)", msgs)
	}

	_, err := h.st.AddCredits(context.Background(), "acme", 10, t0)
	must(t, err)
	h.hear(t, dataFrame(t, addrA, 11, 1, []byte("hi"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	if push := ns.Next(gwmp.PushData); len(push.Push.RXPK) != 3 {
		t.Fatalf("after funding: PUSH_DATA has %d rxpk, want 3", len(push.Push.RXPK))
	}
	if got := balance(t, h); got != 7 {
		t.Errorf("balance %d, want 7 (10 - 3 copies × 1 DC)", got)
	}
	// Only the paid frame: one copy per hotspot.
	for a, tr := range ledgerCopies(t, h, 3) {
		if tr.Copies != 1 {
			t.Errorf("hotspot %s has %d ledger copies, want 1", a, tr.Copies)
		}
	}
}

// TestGWMPChargeJoinFree: a join request sent through a GWMP route is
// forwarded (its max copies) and ledgered without charge, even when the
// organisation has no credits.
func TestGWMPChargeJoinFree(t *testing.T) {
	h, _, ns := gwmpChargeHarness(t, 0, 2)
	h.hear(t, joinRequest(t, gwmpJoinEUI, lorawan.EUI64{1, 2, 3}, 7, testSKey))
	if push := ns.Next(gwmp.PushData); len(push.Push.RXPK) != 2 {
		t.Fatalf("join PUSH_DATA has %d rxpk, want 2", len(push.Push.RXPK))
	}
	if got := h.dropped("no_credits"); got != 0 {
		t.Errorf("dropped{no_credits} = %v, want 0", got)
	}
	if e := creditEntries(t, h); len(e) != 0 {
		t.Errorf("credit entries %+v, want none: joins are free", e)
	}
	if got := ledgerCopies(t, h, 2); len(got) != 2 {
		t.Errorf("ledger traffic %+v, want the 2 forwarded copies", got)
	}
}

func TestGWMPChargeRoute(t *testing.T) {
	copies := []dedup.Copy{{Hotspot: "a"}, {Hotspot: "b"}, {Hotspot: "c"}}
	f := dedup.Frame{PHYPayload: make([]byte, 25), Copies: copies} // 2 DC a copy
	for _, tt := range []struct {
		name      string
		maxCopies int
		balance   int64
		want      router.Purchase
	}{
		{"max copies 2", 2, 10, router.Purchase{Organisation: "acme", Copies: copies[:2], DC: 4, Balance: 6}},
		{"max copies 0 buys every copy", 0, 10, router.Purchase{Organisation: "acme", Copies: copies, DC: 6, Balance: 4}},
		{"balance short", 0, 5, router.Purchase{Organisation: "acme", DC: 6, Balance: 5, Exhausted: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := &creditsStub{balance: tt.balance}
			rt := router.Route{ID: "ext", Organisation: "acme", MaxCopies: tt.maxCopies, Destination: router.DestinationGWMP}
			got, err := router.ChargeRoute(context.Background(), st, rt, f, t0)
			must(t, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("purchase (-want +got):\n%s", diff)
			}
		})
	}
}

// creditsStub is one organisation's balance.
type creditsStub struct {
	router.Credits
	balance int64
}

func (s *creditsStub) SpendCredits(_ context.Context, _ string, dc int64, _ [16]byte, _ time.Time) (int64, error) {
	if s.balance < dc {
		return s.balance, router.ErrNoCredits
	}
	s.balance -= dc
	return s.balance, nil
}
