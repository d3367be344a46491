package router_test

import (
	"testing"

	"github.com/brocaar/lorawan"
)

// BenchmarkHandleUplink measures the ingest path per hotspot copy:
// signature check and deduplication on the caller's goroutine, with the
// workers (SQLite store, fake bus) processing the emitted frames behind it.
// Each frame arrives from three hotspots; the fake clock closes the dedup
// windows every 64 frames, so back-pressure from the workers shows up here.
func BenchmarkHandleUplink(b *testing.B) {
	const devices, perDevice = 64, 64
	h := newHarness(b, newTestStore(b))
	type msg struct {
		topic   string
		payload []byte
	}
	var msgs []msg
	var ds []abpDevice
	for i := range devices {
		ds = append(ds, newABP(byte(i), lorawan.DevAddr{0x26, 0x02, 0x00, byte(i)}, 0))
	}
	h.provision(b, ds...)
	for fcnt := range uint32(perDevice) {
		for _, d := range ds {
			phy := dataFrame(b, d.sess.DevAddr, fcnt, 1, []byte("benchmark payload"), d.sess.FNwkSIntKey, d.sess.AppSKey, false)
			for i, k := range h.hotspots {
				msgs = append(msgs, msg{upTopic(k, phy), uplinkFrom(b, k, phy, float32(i), uint32(i))})
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m := msgs[i%len(msgs)]
		h.r.HandleUplink(m.topic, m.payload)
		if i%(devices*len(h.hotspots)) == devices*len(h.hotspots)-1 {
			h.clk.Advance(h.r.DedupWindow())
		}
	}
	h.settle()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "copies/s")
}
