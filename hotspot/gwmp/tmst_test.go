package gwmp

import (
	"testing"
	"time"
)

func TestTmstAdd(t *testing.T) {
	for _, tc := range []struct {
		t    uint32
		d    time.Duration
		want uint32
	}{
		{0, time.Second, 1000000},
		{4294967000, time.Second, 999704},
		{4294967295, time.Microsecond, 0},
		{10, -20 * time.Microsecond, 4294967286},
		{5, 1500 * time.Nanosecond, 6},
	} {
		if got := TmstAdd(tc.t, tc.d); got != tc.want {
			t.Errorf("TmstAdd(%d, %v) = %d, want %d", tc.t, tc.d, got, tc.want)
		}
	}
}

func TestTmstSub(t *testing.T) {
	for _, tc := range []struct {
		a, b uint32
		want time.Duration
	}{
		{1000000, 0, time.Second},
		{0, 1000000, -time.Second},
		{999704, 4294967000, time.Second},
		{4294967000, 999704, -time.Second},
		{5, 5, 0},
	} {
		if got := TmstSub(tc.a, tc.b); got != tc.want {
			t.Errorf("TmstSub(%d, %d) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
