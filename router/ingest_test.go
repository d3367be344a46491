package router_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router"
)

func TestHandleUplinkRejects(t *testing.T) {
	d := newABP(1, addrA, 0)
	phy := dataFrame(t, addrA, 0, 1, []byte("x"), d.sess.FNwkSIntKey, d.sess.AppSKey, false)
	tests := []struct {
		name    string
		message func(h *harness) (topic string, payload []byte)
		want    string
	}{
		{
			name: "wrong signature",
			message: func(h *harness) (string, []byte) {
				env, err := h.hotspots[0].Seal(identity.KindUplink, &hexnetpb.Uplink{PhyPayload: phy})
				must(t, err)
				env.Signature[0] ^= 0xff
				return upTopic(h.hotspots[0], phy), marshal(t, env)
			},
			want: "bad_signature",
		},
		{
			name: "body altered after signing",
			message: func(h *harness) (string, []byte) {
				env, err := h.hotspots[0].Seal(identity.KindUplink, &hexnetpb.Uplink{PhyPayload: phy})
				must(t, err)
				env.Body = append(env.Body, 0x08, 0x01)
				return upTopic(h.hotspots[0], phy), marshal(t, env)
			},
			want: "bad_signature",
		},
		{
			name: "signer is not the topic's hotspot",
			message: func(h *harness) (string, []byte) {
				return upTopic(h.hotspots[1], phy), uplinkFrom(t, h.hotspots[0], phy, 1, 1)
			},
			want: "signer_mismatch",
		},
		{
			name: "signed as another kind",
			message: func(h *harness) (string, []byte) {
				b, err := h.hotspots[0].SealBytes(identity.KindWitness, &hexnetpb.Uplink{PhyPayload: phy})
				must(t, err)
				return upTopic(h.hotspots[0], phy), b
			},
			want: "wrong_kind",
		},
		{
			name:    "not an envelope",
			message: func(h *harness) (string, []byte) { return upTopic(h.hotspots[0], phy), []byte{0xff, 0xff, 0xff} },
			want:    "bad_envelope",
		},
		{
			name: "frame on another shard than its hash",
			message: func(h *harness) (string, []byte) {
				shard, _, _ := hotspot.ParseUplinkTopic(upTopic(h.hotspots[0], phy))
				wrong := strings.Replace(upTopic(h.hotspots[0], phy), "/"+strconv.Itoa(shard)+"/", "/"+strconv.Itoa((shard+1)%hotspot.UplinkShards)+"/", 1)
				return wrong, uplinkFrom(t, h.hotspots[0], phy, 1, 1)
			},
			want: "wrong_shard",
		},
		{
			name: "topic is not an uplink topic",
			message: func(h *harness) (string, []byte) {
				return "hexnet/hotspot/" + string(h.hotspots[0].Address()) + "/stats", uplinkFrom(t, h.hotspots[0], phy, 1, 1)
			},
			want: "bad_topic",
		},
		{
			name: "PHYPayload too short",
			message: func(h *harness) (string, []byte) {
				return upTopic(h.hotspots[0], []byte{0x40, 1}), uplinkFrom(t, h.hotspots[0], []byte{0x40, 1}, 1, 1)
			},
			want: "bad_phypayload",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, newTestStore(t))
			h.provision(t, d)
			h.r.HandleUplink(tc.message(h))
			h.settle()
			if got := h.dropped(tc.want); got != 1 {
				t.Errorf("dropped{%s} = %v, want 1", tc.want, got)
			}
			if n := h.r.DedupLen(); n != 0 {
				t.Errorf("dedup holds %d frames, want 0", n)
			}
			if msgs := h.bus.take(); len(msgs) != 0 {
				t.Errorf("published %d messages, want none", len(msgs))
			}
		})
	}
}

func TestHandleUplinkDedupCounts(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	phy := dataFrame(t, addrA, 0, 1, []byte("x"), d.sess.FNwkSIntKey, d.sess.AppSKey, false)
	k := h.hotspots[0]
	h.r.HandleUplink(upTopic(k, phy), uplinkFrom(t, k, phy, 1, 1))
	h.r.HandleUplink(upTopic(k, phy), uplinkFrom(t, k, phy, 1, 1)) // same hotspot again
	h.settle()
	h.r.HandleUplink(upTopic(h.hotspots[1], phy), uplinkFrom(t, h.hotspots[1], phy, 1, 1)) // after the window
	h.settle()
	if got := h.dropped("duplicate_copy"); got != 1 {
		t.Errorf("duplicate copies = %v, want 1", got)
	}
	if got := h.dropped("late_copy"); got != 1 {
		t.Errorf("late copies = %v, want 1", got)
	}
	if msgs := h.bus.take(); len(msgs) != 1 {
		t.Errorf("published %d events, want exactly 1", len(msgs))
	}
}

func marshal(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	must(t, err)
	return b
}

// TestBackPressure: with MaxInFlight frames open, HandleUplink waits until
// a frame has been processed instead of queueing without bound.
func TestBackPressure(t *testing.T) {
	h := newHarness(t, newTestStore(t), func(o *router.Options) { o.MaxInFlight = 1 })
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	k := h.hotspots[0]
	first := dataFrame(t, addrA, 0, 1, []byte("a"), d.sess.FNwkSIntKey, d.sess.AppSKey, false)
	second := dataFrame(t, addrA, 1, 1, []byte("b"), d.sess.FNwkSIntKey, d.sess.AppSKey, false)
	h.r.HandleUplink(upTopic(k, first), uplinkFrom(t, k, first, 1, 1))
	secondMsg := uplinkFrom(t, k, second, 1, 2)
	returned := make(chan struct{})
	go func() {
		h.r.HandleUplink(upTopic(k, second), secondMsg)
		close(returned)
	}()
	select {
	case <-returned:
		t.Fatal("HandleUplink returned while the in-flight limit was reached")
	case <-time.After(50 * time.Millisecond):
	}
	h.settle() // the first frame is emitted and processed: its token frees
	<-returned
	h.settle()
	if msgs := h.bus.take(); len(msgs) != 2 {
		t.Errorf("published %d events, want 2", len(msgs))
	}
}

func TestNewRegistersMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	o := router.Options{Store: newTestStore(t), Bus: newFakeBus(), Registerer: reg}
	if _, err := router.New(o); err != nil {
		t.Fatalf("New: %v", err)
	}
	mfs, err := reg.Gather()
	must(t, err)
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	for _, n := range []string{
		"hexnet_router_uplink_copies_received_total", "hexnet_router_frames_deduplicated_total",
		"hexnet_router_copies_per_frame", "hexnet_router_events_published_total", "hexnet_router_dropped_total",
		"hexnet_router_joins_accepted_total", "hexnet_router_processing_seconds",
	} {
		if !names[n] {
			t.Errorf("metric %s not registered", n)
		}
	}
	if _, err := router.New(o); err == nil {
		t.Error("a second router on the same registry: want a registration error")
	}
	if _, err := router.New(router.Options{Bus: newFakeBus()}); err == nil {
		t.Error("New without a Store: want an error")
	}
}
