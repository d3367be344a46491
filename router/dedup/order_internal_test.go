package dedup

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/hexnet/hexnet/clock"
)

// TestEmitsInOpeningOrder: when the timer of a later window runs before the
// timer of an earlier one (goroutines are not ordered), the earlier frame
// is still emitted first, so a device's frames never reach the router
// swapped (the later FCnt would make the earlier one look like a replay).
func TestEmitsInOpeningOrder(t *testing.T) {
	clk := clock.NewFake(time.Unix(100, 0))
	var got []string
	d := New(Options{Clock: clk, Window: 200 * time.Millisecond, Emit: func(f Frame) { got = append(got, string(f.PHYPayload)) }})
	d.Add([]byte("fcnt-1"), Copy{Hotspot: "a"})
	clk.Advance(5 * time.Millisecond)
	d.Add([]byte("fcnt-2"), Copy{Hotspot: "a"})
	clk.Advance(200 * time.Millisecond) // both windows have closed; run the timers out of order:
	d.close(key(sha256.Sum256([]byte("fcnt-2"))))
	d.close(key(sha256.Sum256([]byte("fcnt-1"))))
	if len(got) != 2 || got[0] != "fcnt-1" || got[1] != "fcnt-2" {
		t.Fatalf("emitted %q, want fcnt-1 then fcnt-2", got)
	}
}

// TestOpenWindowNotEmittedEarly: closing a window does not emit a
// frame whose window is still open.
func TestOpenWindowNotEmittedEarly(t *testing.T) {
	clk := clock.NewFake(time.Unix(100, 0))
	var got []string
	d := New(Options{Clock: clk, Window: 200 * time.Millisecond, Emit: func(f Frame) { got = append(got, string(f.PHYPayload)) }})
	d.Add([]byte("first"), Copy{Hotspot: "a"})
	clk.Advance(150 * time.Millisecond)
	d.Add([]byte("second"), Copy{Hotspot: "a"})
	clk.Advance(60 * time.Millisecond) // first's window closed (its timer ran), second's open
	if len(got) != 1 || got[0] != "first" {
		t.Fatalf("emitted %q, want only first", got)
	}
	clk.Advance(200 * time.Millisecond)
	if len(got) != 2 || got[1] != "second" {
		t.Fatalf("emitted %q, want first then second", got)
	}
}
