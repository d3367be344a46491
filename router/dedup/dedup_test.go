package dedup

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/identity"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// step is one action in a scenario: after advancing the clock by `after`,
// add a copy of payload `phy` from `hotspot` and expect `want`.
type step struct {
	after   time.Duration
	phy     string
	hotspot identity.Address
	want    Result
}

// emitted summarises an emitted frame for comparison.
type emitted struct {
	Phy      string
	Hotspots []identity.Address
	At       time.Duration // since t0
}

func TestDeduplicator(t *testing.T) {
	w, g := 200*time.Millisecond, 2*time.Second
	tests := []struct {
		name  string
		steps []step
		end   time.Duration // advance after the last step
		want  []emitted
		left  int // entries remembered at the end; -1: not checked
	}{
		{
			name:  "single copy emitted at window end",
			steps: []step{{0, "a", "h1", Opened}},
			end:   w,
			want:  []emitted{{"a", []identity.Address{"h1"}, w}},
			left:  1,
		},
		{
			name: "copies in window attached in arrival order",
			steps: []step{
				{0, "a", "h1", Opened},
				{50 * time.Millisecond, "a", "h2", Attached},
				{149 * time.Millisecond, "a", "h3", Attached},
			},
			end:  w,
			want: []emitted{{"a", []identity.Address{"h1", "h2", "h3"}, w}},
			left: 1,
		},
		{
			name: "same hotspot twice counted once",
			steps: []step{
				{0, "a", "h1", Opened},
				{10 * time.Millisecond, "a", "h1", Duplicate},
				{10 * time.Millisecond, "a", "h2", Attached},
			},
			end:  w,
			want: []emitted{{"a", []identity.Address{"h1", "h2"}, w}},
			left: 1,
		},
		{
			name: "late copy dropped, never emitted twice",
			steps: []step{
				{0, "a", "h1", Opened},
				{w, "a", "h2", Late},
				{time.Second, "a", "h3", Late},
			},
			end:  w,
			want: []emitted{{"a", []identity.Address{"h1"}, w}},
			left: 1,
		},
		{
			name: "forgotten after grace: same payload opens again",
			steps: []step{
				{0, "a", "h1", Opened},
				{w + g, "a", "h2", Opened},
			},
			end: w,
			want: []emitted{
				{"a", []identity.Address{"h1"}, w},
				{"a", []identity.Address{"h2"}, 2*w + g},
			},
			left: 1,
		},
		{
			name: "different payloads are different frames",
			steps: []step{
				{0, "a", "h1", Opened},
				{100 * time.Millisecond, "b", "h1", Opened},
				{0, "a", "h2", Attached},
			},
			end: w,
			want: []emitted{
				{"a", []identity.Address{"h1", "h2"}, w},
				{"b", []identity.Address{"h1"}, 100*time.Millisecond + w},
			},
			left: 2,
		},
		{
			name:  "memory released after grace",
			steps: []step{{0, "a", "h1", Opened}, {0, "b", "h2", Opened}},
			end:   w + g,
			want: []emitted{
				{"a", []identity.Address{"h1"}, w},
				{"b", []identity.Address{"h2"}, w},
			},
			left: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(t0)
			var got []emitted
			d := New(Options{Clock: clk, Window: w, Grace: g, Emit: func(f Frame) {
				got = append(got, summarise(clk, f))
			}})
			for i, s := range tc.steps {
				clk.Advance(s.after)
				c := Copy{Hotspot: s.hotspot, ReceivedAt: clk.Now()}
				if r := d.Add([]byte(s.phy), c); r != s.want {
					t.Fatalf("step %d: Add = %v, want %v", i, r, s.want)
				}
			}
			clk.Advance(tc.end)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("emitted (-want +got):\n%s", diff)
			}
			if tc.left >= 0 && d.Len() != tc.left {
				t.Errorf("Len = %d, want %d", d.Len(), tc.left)
			}
		})
	}
}

func summarise(clk *clock.Fake, f Frame) emitted {
	e := emitted{Phy: string(f.PHYPayload), At: clk.Now().Sub(t0)}
	for _, c := range f.Copies {
		e.Hotspots = append(e.Hotspots, c.Hotspot)
	}
	return e
}

func TestFrameKeepsMetadataAndID(t *testing.T) {
	clk := clock.NewFake(t0)
	var got []Frame
	d := New(Options{Clock: clk, Emit: func(f Frame) { got = append(got, f) }})
	phy := []byte{1, 2, 3}
	c1 := Copy{Hotspot: "h1", RSSI: -80, SNR: 7.5, Tmst: 42, FrequencyHz: 868100000,
		SpreadFactor: 7, BandwidthKHz: 125, CodingRate: "4/5", ReceivedAt: t0}
	d.Add(phy, c1)
	phy[0] = 9 // the caller may reuse its buffer
	clk.Advance(DefaultWindow)
	if len(got) != 1 {
		t.Fatalf("emitted %d frames, want 1", len(got))
	}
	if diff := cmp.Diff([]Copy{c1}, got[0].Copies); diff != "" {
		t.Errorf("copies (-want +got):\n%s", diff)
	}
	if string(got[0].PHYPayload) != "\x01\x02\x03" {
		t.Errorf("payload = %x, want 010203", got[0].PHYPayload)
	}
	if got[0].ID == [16]byte{} || !got[0].FirstSeen.Equal(t0) {
		t.Errorf("ID %v FirstSeen %v: want a random id and %v", got[0].ID, got[0].FirstSeen, t0)
	}
}
