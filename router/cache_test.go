package router_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/router/dedup"
)

// upEvents counts the up events among published messages.
func upEvents(msgs []message) int {
	n := 0
	for _, m := range msgs {
		if strings.HasSuffix(m.Topic, "/event/up") {
			n++
		}
	}
	return n
}

// TestCacheSeesNewKeys: the router serves sessions from memory, yet a
// session whose keys changed in the store behind its back (the management
// API re-registering an ABP device) verifies at once: a MIC failure with
// cached keys is retried with the stored ones.
func TestCacheSeesNewKeys(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	h.hear(t, dataFrame(t, addrA, 0, 1, []byte("a"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	if n := upEvents(h.bus.take()); n != 1 {
		t.Fatalf("first frame: %d up events", n)
	}

	rekeyed := d.sess
	rekeyed.FNwkSIntKey[0] ^= 0x55
	rekeyed.SNwkSIntKey, rekeyed.NwkSEncKey = rekeyed.FNwkSIntKey, rekeyed.FNwkSIntKey
	rekeyed.FCntUp = 1
	must(t, h.st.SaveSession(context.Background(), rekeyed))
	h.hear(t, dataFrame(t, addrA, 1, 1, []byte("b"), rekeyed.FNwkSIntKey, d.sess.AppSKey, false))
	if n := upEvents(h.bus.take()); n != 1 || h.dropped("mic_failed") != 0 {
		t.Fatalf("frame with the new keys: %d up events, mic_failed %v", n, h.dropped("mic_failed"))
	}

	h.clk.Advance(dedup.DefaultGrace + 1)
	h.hear(t, dataFrame(t, addrA, 2, 1, []byte("c"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	if n := upEvents(h.bus.take()); n != 0 || h.dropped("mic_failed") != 1 {
		t.Errorf("frame with the old keys: %d up events, mic_failed %v; want 0 and 1", n, h.dropped("mic_failed"))
	}
}

// TestCacheDeletedDevice: a device deleted behind the router's back stops
// at once (its session cannot be written), though it was cached.
func TestCacheDeletedDevice(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	h.hear(t, dataFrame(t, addrA, 0, 1, []byte("a"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	h.bus.take()
	must(t, h.st.DeleteDevice(context.Background(), d.dev.DevEUI))

	h.clk.Advance(dedup.DefaultGrace + 1)
	h.hear(t, dataFrame(t, addrA, 1, 1, []byte("b"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	if n := upEvents(h.bus.take()); n != 0 || h.dropped("unknown_device") != 1 {
		t.Errorf("deleted device: %d up events, unknown_device %v; want 0 and 1", n, h.dropped("unknown_device"))
	}
}

// TestCacheExpires: a device changed behind the router's back (deleted and
// registered again under another name) is served from memory for at most
// CacheTTL.
func TestCacheExpires(t *testing.T) {
	h := newHarness(t, newTestStore(t), func(o *router.Options) { o.CacheTTL = 3 * dedup.DefaultGrace })
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	h.hear(t, dataFrame(t, addrA, 0, 1, []byte("a"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	h.bus.take()
	ctx := context.Background()
	must(t, h.st.DeleteDevice(ctx, d.dev.DevEUI))
	renamed := d
	renamed.dev.Name, renamed.sess.FCntUp = "renamed", 1
	h.provision(t, renamed)

	name := func(fcnt uint32) string {
		t.Helper()
		h.clk.Advance(dedup.DefaultGrace + 1)
		h.hear(t, dataFrame(t, addrA, fcnt, 1, []byte("x"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
		for _, m := range h.bus.take() {
			if strings.HasSuffix(m.Topic, "/event/up") {
				var ev router.UplinkEvent
				must(t, json.Unmarshal(m.Payload, &ev))
				return ev.DeviceInfo.DeviceName
			}
		}
		t.Fatalf("no up event for fCnt %d", fcnt)
		return ""
	}
	if got := name(1); got != d.dev.Name {
		t.Errorf("within the TTL the event names %q, want the cached %q", got, d.dev.Name)
	}
	h.clk.Advance(3 * dedup.DefaultGrace)
	if got := name(2); got != "renamed" {
		t.Errorf("after the TTL the event names %q, want \"renamed\"", got)
	}
}
