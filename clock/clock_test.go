package clock

import (
	"testing"
	"time"
)

func TestFakeRunsTimersInOrder(t *testing.T) {
	start := time.Unix(1000, 0)
	c := NewFake(start)
	var got []string
	var seenAt []time.Time
	add := func(name string, d time.Duration) Timer {
		return c.AfterFunc(d, func() { got = append(got, name); seenAt = append(seenAt, c.Now()) })
	}
	add("b", 200*time.Millisecond)
	add("a", 100*time.Millisecond)
	stopped := add("never", 150*time.Millisecond)
	add("late", time.Second)
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop should report true once")
	}
	c.Advance(500 * time.Millisecond)
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("ran %v, want [a b]", got)
	}
	if !seenAt[0].Equal(start.Add(100*time.Millisecond)) || !seenAt[1].Equal(start.Add(200*time.Millisecond)) {
		t.Errorf("timers saw %v", seenAt)
	}
	if !c.Now().Equal(start.Add(500 * time.Millisecond)) {
		t.Errorf("Now = %v after Advance", c.Now())
	}
	c.Advance(time.Second)
	if len(got) != 3 || got[2] != "late" {
		t.Errorf("ran %v, want late last", got)
	}
}

func TestFakeTimerScheduledFromTimer(t *testing.T) {
	c := NewFake(time.Unix(0, 0))
	n := 0
	var tick func()
	tick = func() {
		n++
		c.AfterFunc(10*time.Millisecond, tick)
	}
	c.AfterFunc(10*time.Millisecond, tick)
	c.Advance(55 * time.Millisecond)
	if n != 5 {
		t.Errorf("ticked %d times in 55ms at 10ms, want 5", n)
	}
}
