package router_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/router/dedup"
)

func TestCreditDCPerCopy(t *testing.T) {
	for _, tt := range []struct {
		bytes int
		want  int64
	}{{0, 1}, {1, 1}, {24, 1}, {25, 2}, {48, 2}, {49, 3}, {255, 11}} {
		if got := router.DCPerCopy(tt.bytes); got != tt.want {
			t.Errorf("DCPerCopy(%d) = %d, want %d", tt.bytes, got, tt.want)
		}
	}
}

func TestCreditPurchaseCopies(t *testing.T) {
	d := router.Device{DevEUI: lorawan.EUI64{7}, JoinEUI: lorawan.EUI64{1}}
	s := router.Session{DevAddr: lorawan.DevAddr{0x26, 1, 2, 3}}
	copies := []dedup.Copy{{Hotspot: "a"}, {Hotspot: "b"}, {Hotspot: "c"}}
	inRange := []router.DevAddrRange{{First: lorawan.DevAddr{0x26, 0, 0, 0}, Last: lorawan.DevAddr{0x26, 0xff, 0xff, 0xff}}}
	tests := []struct {
		name   string
		routes []router.Route
		want   int
	}{
		{"no route buys every copy", nil, 3},
		{"DevAddr range, max 2", []router.Route{{DevAddrRanges: inRange, MaxCopies: 2, Destination: router.DestinationBuiltin}}, 2},
		{"EUI pair, max 1", []router.Route{{EUIPairs: []router.EUIPair{{JoinEUI: lorawan.EUI64{1}}}, MaxCopies: 1, Destination: router.DestinationBuiltin}}, 1},
		{"max 0 buys every copy", []router.Route{{DevAddrRanges: inRange, Destination: router.DestinationBuiltin}}, 3},
		{"GWMP routes do not meter the built-in server", []router.Route{{DevAddrRanges: inRange, MaxCopies: 1, Destination: router.DestinationGWMP}}, 3},
		{"a route that does not match", []router.Route{{EUIPairs: []router.EUIPair{{JoinEUI: lorawan.EUI64{9}}}, MaxCopies: 1, Destination: router.DestinationBuiltin}}, 3},
	}
	for _, tt := range tests {
		if got := router.PurchaseCopies(tt.routes, d, s, copies); len(got) != tt.want || got[0].Hotspot != "a" {
			t.Errorf("%s: bought %v, want the first %d", tt.name, got, tt.want)
		}
	}
}

// creditHarness is a router whose test application belongs to an
// organisation holding balance DC.
func creditHarness(t *testing.T, balance int64, routes ...router.Route) (*harness, abpDevice) {
	t.Helper()
	return creditHarnessWith(t, balance, nil, routes...)
}

// creditHarnessWith is creditHarness with router options.
func creditHarnessWith(t *testing.T, balance int64, opts []func(*router.Options), routes ...router.Route) (*harness, abpDevice) {
	t.Helper()
	ctx := context.Background()
	h := newHarness(t, newTestStore(t), opts...)
	must(t, h.st.CreateOrganisation(ctx, router.Organisation{ID: "acme", Name: "Acme", CreatedAt: t0}))
	must(t, h.st.CreateApplication(ctx, router.Application{ID: testApp, Organisation: "acme", CreatedAt: t0}))
	if balance > 0 {
		_, err := h.st.AddCredits(ctx, "acme", balance, t0)
		must(t, err)
	}
	for _, rt := range routes {
		rt.Organisation = "acme"
		must(t, h.st.CreateRoute(ctx, rt))
	}
	d := newABP(1, addrA, 10)
	h.provision(t, d)
	return h, d
}

// events returns the published events of one type (the topic's last part).
func events(h *harness, typ string) []message {
	var out []message
	for _, m := range h.bus.take() {
		if strings.HasSuffix(m.Topic, "/event/"+typ) {
			out = append(out, m)
		}
	}
	return out
}

func balance(t *testing.T, h *harness) int64 {
	t.Helper()
	o, err := h.st.GetOrganisation(context.Background(), "acme")
	must(t, err)
	return o.BalanceDC
}

// TestCreditChargedPerCopy: every purchased copy costs
// ceil(max(bytes, 24)/24) DC; a route's max copies limits what is bought
// and what the application sees.
func TestCreditChargedPerCopy(t *testing.T) {
	route := router.Route{ID: "two", NetID: testNet, MaxCopies: 2, Destination: router.DestinationBuiltin,
		DevAddrRanges: []router.DevAddrRange{{First: addrA, Last: addrA}}}
	for _, tt := range []struct {
		name       string
		routes     []router.Route
		payload    int // bytes of FRMPayload; the PHYPayload adds 13
		wantCopies int
		wantDC     int64
	}{
		{"3 copies of a 18-byte frame", nil, 5, 3, 3},
		{"3 copies of a 43-byte frame", nil, 30, 3, 6},
		{"max copies 2", []router.Route{route}, 5, 2, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, d := creditHarness(t, 100, tt.routes...)
			h.hear(t, dataFrame(t, addrA, 10, 5, make([]byte, tt.payload), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
			ups := events(h, "up")
			if len(ups) != 1 {
				t.Fatalf("%d up events, want 1", len(ups))
			}
			var ev router.UplinkEvent
			must(t, json.Unmarshal(ups[0].Payload, &ev))
			if len(ev.RxInfo) != tt.wantCopies {
				t.Errorf("up event has %d copies, want the %d purchased", len(ev.RxInfo), tt.wantCopies)
			}
			if got := balance(t, h); got != 100-tt.wantDC {
				t.Errorf("balance %d, want %d", got, 100-tt.wantDC)
			}
			entries, err := h.st.ListCreditEntries(context.Background(), "acme", 1)
			must(t, err)
			if len(entries) != 1 || entries[0].AmountDC != -tt.wantDC || entries[0].Frame != [16]byte(uuid.MustParse(ev.DeduplicationID)) {
				t.Errorf("newest credit entry %+v, want -%d DC for frame %s", entries, tt.wantDC, ev.DeduplicationID)
			}
		})
	}
}

// TestCreditExhausted: a frame the balance does not cover is dropped with
// reason no_credits, the application gets an error event, nothing is
// charged; funding the organisation brings the traffic back.
func TestCreditExhausted(t *testing.T) {
	h, d := creditHarness(t, 2)
	h.hear(t, dataFrame(t, addrA, 10, 5, []byte("hello"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	msgs := h.bus.take()
	if len(msgs) != 1 || !strings.HasSuffix(msgs[0].Topic, "/device/"+d.dev.DevEUI.String()+"/event/error") {
		t.Fatalf("published %v, want one error event", msgs)
	}
	var ev struct {
		Level, Code string
		DeviceInfo  router.DeviceInfo
		Context     map[string]string
	}
	must(t, json.Unmarshal(msgs[0].Payload, &ev))
	if ev.Level != "ERROR" || ev.Code != router.ErrorCodeNoCredits || ev.DeviceInfo.ApplicationID != testApp ||
		ev.Context["organisation"] != "acme" || ev.Context["cost_dc"] != "3" || ev.Context["balance_dc"] != "2" {
		t.Errorf("error event %s", msgs[0].Payload)
	}
	if got := h.dropped("no_credits"); got != 1 {
		t.Errorf("dropped{no_credits} = %v, want 1", got)
	}
	if got := balance(t, h); got != 2 {
		t.Errorf("balance after the drop %d, want 2 (nothing charged)", got)
	}
	_, err := h.st.AddCredits(context.Background(), "acme", 10, t0)
	must(t, err)
	h.hear(t, dataFrame(t, addrA, 11, 5, []byte("again"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	if ups := events(h, "up"); len(ups) != 1 {
		t.Errorf("after funding: %d up events, want 1", len(ups))
	}
	if got := balance(t, h); got != 9 {
		t.Errorf("balance after funding 10 and one 3-copy frame: %d, want 9", got)
	}
}

// TestCreditUnmetered: an application without a record (the devnet's) is
// delivered without charge.
func TestCreditUnmetered(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	d := newABP(1, addrA, 10)
	h.provision(t, d)
	h.hear(t, dataFrame(t, addrA, 10, 5, []byte("free"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	if ups := events(h, "up"); len(ups) != 1 {
		t.Errorf("%d up events, want 1", len(ups))
	}
}
