package router_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/router/api"
	"github.com/hexnet/hexnet/router/dedup"
)

// TestCacheUpdatedDevice: a device renamed through a management API that
// writes through the router's cache is seen by the router's next uplink
// at once, though the device was cached; one renamed in the store behind
// the cache waits for the TTL.
func TestCacheUpdatedDevice(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	a := newABP(1, addrA, 0)
	b := newABP(2, addrB, 0)
	h.provision(t, a, b)
	fcnt := map[string]uint32{}
	name := func(d abpDevice) string {
		t.Helper()
		h.clk.Advance(dedup.DefaultGrace + 1)
		h.hear(t, dataFrame(t, d.sess.DevAddr, fcnt[d.dev.Name], 1, []byte("x"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
		fcnt[d.dev.Name]++
		return upName(t, h.bus.take())
	}
	if got := name(a); got != a.dev.Name {
		t.Fatalf("first uplink names %q, want %q", got, a.dev.Name)
	}
	name(b) // both devices are cached now

	srv := httptest.NewServer(api.New(api.Options{Store: h.r.Store(), Registerer: prometheus.NewRegistry()}))
	t.Cleanup(srv.Close)
	req, err := http.NewRequest("PUT", srv.URL+"/api/v1/devices/"+a.dev.DevEUI.String(), strings.NewReader(`{"name":"renamed"}`))
	must(t, err)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %s", resp.Status)
	}
	if got := name(a); got != "renamed" {
		t.Errorf("uplink after the update through the cache names %q, want \"renamed\"", got)
	}

	renamed := b.dev
	renamed.Name = "behind"
	must(t, h.st.UpdateDevice(context.Background(), renamed))
	if got := name(b); got != b.dev.Name {
		t.Errorf("uplink after an update behind the cache names %q, want the cached %q until the TTL", got, b.dev.Name)
	}
}

// upName is the device name of the up event among msgs.
func upName(t *testing.T, msgs []message) string {
	t.Helper()
	for _, m := range msgs {
		if strings.HasSuffix(m.Topic, "/event/up") {
			var ev router.UplinkEvent
			must(t, json.Unmarshal(m.Payload, &ev))
			return ev.DeviceInfo.DeviceName
		}
	}
	t.Fatal("no up event")
	return ""
}
