package router

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

var t0 = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(fmt.Sprintf("read counter: %v", err))
	}
	return m.GetCounter().GetValue()
}

func TestFullFCnt(t *testing.T) {
	tests := []struct {
		next uint32
		f16  uint16
		want uint32
	}{
		{0, 0, 0},
		{10, 10, 10},
		{10, 9, 9},   // replay: below next
		{10, 20, 20}, // skipped frames
		{65535, 65535, 65535},
		{65535, 0, 65536}, // 16-bit wrap
		{65536, 0, 65536},
		{65536, 65535, 65535}, // replay across the wrap
		{0x1_fff0, 0x0005, 0x2_0005},
		{0, 65535, 65535}, // no negative counters
		{0xffff_fff0, 0xfff5, 0xffff_fff5},
		{0xffff_fff0, 0x0003, 0xffff_0003}, // never past 2^32: read as a replay
	}
	for _, tc := range tests {
		if got := fullFCnt(tc.next, tc.f16); got != tc.want {
			t.Errorf("fullFCnt(%d, %d) = %d, want %d", tc.next, tc.f16, got, tc.want)
		}
	}
}

func TestCheckFCnt(t *testing.T) {
	tests := []struct {
		next, fcnt uint32
		want       string
	}{
		{10, 10, ""},
		{10, 10 + MaxFCntGap, ""},
		{10, 11 + MaxFCntGap, dropFCntGap},
		{10, 9, dropFCntReplay},
	}
	for _, tc := range tests {
		if got := checkFCnt(tc.next, tc.fcnt); got != tc.want {
			t.Errorf("checkFCnt(%d, %d) = %q, want %q", tc.next, tc.fcnt, got, tc.want)
		}
	}
}

func TestTmstAfterWraps(t *testing.T) {
	if got := tmstAfter(0xffff_ff00, 5*time.Second); got != 5_000_000-0x100 {
		t.Errorf("tmstAfter wraps to %d, want %d", got, 5_000_000-0x100)
	}
}
