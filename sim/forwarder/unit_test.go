package forwarder

import (
	"testing"
	"time"
)

func TestAirtime(t *testing.T) {
	for _, tc := range []struct {
		sf, bw, n, cr int
		want          time.Duration
	}{
		{7, 125, 13, 1, 41216 * time.Microsecond},
		{12, 125, 0, 1, 663552 * time.Microsecond},
		{9, 125, 10, 1, 123904 * time.Microsecond},
		{0, 125, 10, 1, 0},
	} {
		if got := airtime(tc.sf, tc.bw, tc.n, tc.cr); got != tc.want {
			t.Errorf("airtime(SF%d BW%d, %d bytes, CR %d) = %v, want %v", tc.sf, tc.bw, tc.n, tc.cr, got, tc.want)
		}
	}
}

func TestCounter(t *testing.T) {
	start := time.Unix(1700000000, 0)
	a, b := newCounter(42, 3, start), newCounter(42, 3, start)
	if a != b {
		t.Fatalf("same seed and index give different counters: %v, %v", a, b)
	}
	c := concentratorCounter{start: start, offset: 4294967000}
	if got := c.at(start.Add(time.Millisecond)); got != 704 {
		t.Errorf("counter 1 ms after start = %d, want 704 (wrapped)", got)
	}
	wraps := 0
	for seed := int64(0); seed < 200; seed++ {
		if -newCounter(seed, 0, start).offset < uint32(wrapSoon/time.Microsecond) {
			wraps++
		}
	}
	if wraps < 20 || wraps > 100 {
		t.Errorf("%d of 200 counters start within %v of the wrap, want about 50", wraps, wrapSoon)
	}
}
