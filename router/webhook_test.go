package router_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/router/integration"
)

type hook struct {
	mu   sync.Mutex
	got  map[string][]byte // by X-Hexnet-Event
	bad  int
	srv  *httptest.Server
	secr string
}

func newHook(t *testing.T, secret string) *hook {
	hk := &hook{got: map[string][]byte{}, secr: secret}
	hk.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hk.mu.Lock()
		defer hk.mu.Unlock()
		if !integration.Verify([]byte(secret), b, r.Header.Get(integration.SignatureHeader)) {
			hk.bad++
		}
		hk.got[r.Header.Get(integration.EventHeader)] = b
	}))
	t.Cleanup(hk.srv.Close)
	return hk
}

func (hk *hook) wait(t *testing.T, typ string) []byte {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		hk.mu.Lock()
		b, bad := hk.got[typ], hk.bad
		hk.mu.Unlock()
		if bad != 0 {
			t.Fatalf("%d webhook requests with a bad signature", bad)
		}
		if b != nil {
			return b
		}
	}
	t.Fatalf("webhook got no %s event", typ)
	return nil
}

func TestWebhookGetsSignedEventsWithCayenneObject(t *testing.T) {
	ctx := context.Background()
	hk := newHook(t, "s3cret")
	h := newHarness(t, newTestStore(t))
	must(t, h.st.CreateOrganisation(ctx, router.Organisation{ID: "acme", Name: "Acme", CreatedAt: t0}))
	must(t, h.st.CreateApplication(ctx, router.Application{ID: testApp, Organisation: "acme", CreatedAt: t0,
		WebhookURL: hk.srv.URL, WebhookSecret: "s3cret", Codec: router.CodecCayenne}))
	_, err := h.st.AddCredits(ctx, "acme", 1000, t0)
	must(t, err)
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	lpp := []byte{0x03, 0x67, 0x01, 0x10, 0x02, 0x68, 0x61}
	h.hear(t, dataFrame(t, addrA, 0, 1, lpp, d.sess.FNwkSIntKey, d.sess.AppSKey, false))

	var ev router.UplinkEvent
	must(t, json.Unmarshal(hk.wait(t, "up"), &ev))
	if ev.DeviceInfo.DevEUI != d.dev.DevEUI.String() || string(ev.Data) != string(lpp) {
		t.Fatalf("webhook up event %+v", ev)
	}
	want := `{"humiditySensor":{"2":48.5},"temperatureSensor":{"3":27.2}}`
	if b, _ := json.Marshal(ev.Object); string(b) != want {
		t.Errorf("object = %s, want %s", b, want)
	}
	// The MQTT up event carries the same object.
	for _, m := range h.bus.take() {
		if m.Topic == "hexnet/app/"+testApp+"/device/"+d.dev.DevEUI.String()+"/event/up" {
			var mev router.UplinkEvent
			must(t, json.Unmarshal(m.Payload, &mev))
			if b, _ := json.Marshal(mev.Object); string(b) != want {
				t.Errorf("MQTT object = %s, want %s", b, want)
			}
		}
	}

	// A rejected downlink command's error event reaches the webhook too.
	h.command(t, cmdTopic(testApp, d.dev.DevEUI.String()), `not json`)
	var eev router.DownlinkErrorEvent
	must(t, json.Unmarshal(hk.wait(t, "error"), &eev))
	if eev.Code != router.CommandErrorBadJSON {
		t.Errorf("webhook error event %+v", eev)
	}
}

func TestNoCodecNoObject(t *testing.T) {
	h := newHarness(t, newTestStore(t)) // unmetered: no application record
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	h.hear(t, dataFrame(t, addrA, 0, 1, []byte{0x03, 0x67, 0x01, 0x10}, d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	for _, m := range h.bus.take() {
		var ev map[string]any
		if json.Unmarshal(m.Payload, &ev) == nil {
			if _, ok := ev["object"]; ok {
				t.Errorf("%s has an object without a codec", m.Topic)
			}
		}
	}
}
