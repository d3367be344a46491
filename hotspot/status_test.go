package hotspot_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/hotspot/gwmp"
)

// TestStatusEndpoint: the loopback endpoint serves the owner's view as JSON:
// broker link, forwarder, last uplink, counts and drops.
func TestStatusEndpoint(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	e.pull(gwmp.Version2)
	uplinkFlow(t, e)
	waitCounter(t, e, "hexnet_hotspot_uplinks_forwarded_total", "", 1)

	srv, err := hotspot.ListenStatus("127.0.0.1:0", e.daemon)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, testLogger()) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("status server Run: %v", err)
		}
	}()

	resp, err := http.Get("http://" + srv.Addr() + hotspot.StatusPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var got hotspot.Status
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.LastUplink == nil || !got.LastUplink.Equal(fixedNow) {
		t.Errorf("last uplink %v, want %v", got.LastUplink, fixedNow)
	}
	got.LastUplink, got.Time, got.Started = nil, time.Time{}, time.Time{}
	want := hotspot.Status{
		Address: e.key.Address(), Version: "test", Oracle: e.oracle.Address(), Broker: hotspot.BrokerOnline,
		Forwarder: e.udp.LocalAddr().String(), RxReceived: 2, RxOK: 1, RxForwarded: 1,
		Dropped: map[string]uint64{hotspot.DropCRCBad: 1}, AckRatio: 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
}

// TestStatsHealthFields: Stats carries uptime, queue and ack ratio.
func TestStatsHealthFields(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	st := e.daemon.Stats()
	if st.GetAckRatio() != 1 || st.GetUptimeS() != 0 || st.GetQueueDepth() != 0 || st.GetQueueOldestAgeMs() != 0 {
		t.Errorf("fresh daemon stats = %v, want ack ratio 1, uptime 0 (clock fixed), empty queue", st)
	}
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		want error // nil: accepted; errAny: some error
	}{
		{"127.0.0.1:1681", nil},
		{"127.0.0.2:1681", nil},
		{"[::1]:1681", nil},
		{"localhost:1681", nil},
		{"0.0.0.0:1681", hotspot.ErrNotLoopback},
		{":1681", hotspot.ErrNotLoopback},
		{"192.168.1.10:1681", hotspot.ErrNotLoopback},
		{"[::]:1681", hotspot.ErrNotLoopback},
		{"example.com:1681", hotspot.ErrNotLoopback},
		{"127.0.0.1", errAny},
	}
	for _, tc := range tests {
		err := hotspot.CheckLoopback(tc.addr)
		switch {
		case tc.want == nil && err != nil:
			t.Errorf("%s: refused: %v", tc.addr, err)
		case tc.want == errAny && err == nil, tc.want != nil && tc.want != errAny && !errors.Is(err, tc.want):
			t.Errorf("%s: err = %v, want %v", tc.addr, err, tc.want)
		}
	}
	if _, err := hotspot.ListenStatus("0.0.0.0:0", nil); !errors.Is(err, hotspot.ErrNotLoopback) {
		t.Errorf("ListenStatus on 0.0.0.0: err = %v, want ErrNotLoopback", err)
	}
}

var errAny = errors.New("any error")
