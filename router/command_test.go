package router_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hexnet/hexnet/router"
)

func cmdTopic(app, eui string) string {
	return "hexnet/app/" + app + "/device/" + eui + "/command/down"
}

func (h *harness) command(t *testing.T, topic, payload string) {
	t.Helper()
	var hd func(string, []byte)
	for deadline := time.Now().Add(5 * time.Second); hd == nil; time.Sleep(time.Millisecond) { // Run subscribes asynchronously
		if time.Now().After(deadline) {
			t.Fatal("router did not subscribe to the command topic")
		}
		h.bus.mu.Lock()
		hd = h.bus.handlers["hexnet/app/+/device/+/command/down"]
		h.bus.mu.Unlock()
	}
	hd(topic, []byte(payload))
}

func TestMQTTCommandQueuesDownlinkAndDeviceGetsIt(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	eui := d.dev.DevEUI.String()
	h.command(t, cmdTopic(testApp, eui), `{"devEui":"`+eui+`","confirmed":true,"fPort":10,"data":"AQID"}`)
	q := h.r.Queue(d.dev.DevEUI)
	if len(q) != 1 || q[0].FPort != 10 || string(q[0].Data) != "\x01\x02\x03" || !q[0].Confirmed {
		t.Fatalf("queue = %+v, want one confirmed downlink on port 10 with 010203", q)
	}
	h.bus.take()
	h.hear(t, dataFrame(t, addrA, 0, 1, []byte("x"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	down := 0
	for _, m := range h.bus.take() {
		if strings.HasSuffix(m.Topic, "/down") {
			down++
		}
	}
	if down != 1 {
		t.Fatalf("%d downlinks sent after the uplink, want 1", down)
	}
	if q := h.r.Queue(d.dev.DevEUI); len(q) != 1 || !q[0].Pending {
		t.Fatalf("queue after sending = %+v, want the downlink pending", q)
	}
}

func TestMQTTCommandRejected(t *testing.T) {
	tests := []struct {
		name, app, payload, code string
	}{
		{"bad json", testApp, `{"fPort":`, router.CommandErrorBadJSON},
		{"bad base64", testApp, `{"fPort":1,"data":"!!"}`, router.CommandErrorBadJSON},
		{"other devEui", testApp, `{"devEui":"0102030405060708","fPort":1,"data":"AQ=="}`, router.CommandErrorBadJSON},
		{"port 0", testApp, `{"fPort":0,"data":"AQ=="}`, router.CommandErrorEnqueue},
		{"wrong application", "someone-else", `{"fPort":1,"data":"AQ=="}`, router.CommandErrorEnqueue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, newTestStore(t))
			d := newABP(1, addrA, 0)
			h.provision(t, d)
			eui := d.dev.DevEUI.String()
			h.command(t, cmdTopic(tc.app, eui), tc.payload)
			if q := h.r.Queue(d.dev.DevEUI); len(q) != 0 {
				t.Fatalf("queue = %+v, want empty", q)
			}
			msgs := h.bus.take()
			if len(msgs) != 1 || msgs[0].Topic != "hexnet/app/"+tc.app+"/device/"+eui+"/event/error" {
				t.Fatalf("published %+v, want one error event", msgs)
			}
			var ev router.DownlinkErrorEvent
			must(t, json.Unmarshal(msgs[0].Payload, &ev))
			if ev.Code != tc.code || ev.Level != "ERROR" {
				t.Errorf("error event %+v, want code %s", ev, tc.code)
			}
			if got := h.dropped("bad_command"); got != 1 {
				t.Errorf("dropped{bad_command} = %v, want 1", got)
			}
		})
	}
	h := newHarness(t, newTestStore(t))
	h.command(t, "hexnet/app/a/device/nothex/command/down", `{}`)
	if got := h.dropped("bad_command"); got != 1 || len(h.bus.take()) != 0 {
		t.Errorf("bad topic: dropped %v, want 1 and no event", got)
	}
}
