package oracle

import (
	"fmt"
	"time"
)

// Schedule maps time to epochs: epoch n covers [Genesis + n·Length,
// Genesis + (n+1)·Length). Reports are accepted for an epoch until Grace
// after its end; then it closes and never changes.
type Schedule struct {
	Genesis time.Time
	Length  time.Duration
	Grace   time.Duration
}

// Validate checks the schedule.
func (s Schedule) Validate() error {
	if s.Length <= 0 || s.Grace < 0 || s.Grace >= s.Length {
		return fmt.Errorf("epoch schedule: length %s must be positive and grace %s in [0, length)", s.Length, s.Grace)
	}
	return nil
}

// EpochOf returns the epoch a time falls in (0 before genesis).
func (s Schedule) EpochOf(t time.Time) uint64 {
	if t.Before(s.Genesis) {
		return 0
	}
	return uint64(t.Sub(s.Genesis) / s.Length)
}

// Bounds returns epoch n's start and end.
func (s Schedule) Bounds(n uint64) (time.Time, time.Time) {
	start := s.Genesis.Add(time.Duration(n) * s.Length)
	return start, start.Add(s.Length)
}

// ClosesAt is when epoch n may close: its end plus the grace period.
func (s Schedule) ClosesAt(n uint64) time.Time {
	_, end := s.Bounds(n)
	return end.Add(s.Grace)
}
