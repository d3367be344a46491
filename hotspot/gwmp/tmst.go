package gwmp

import "time"

// TmstAdd returns the concentrator counter value d after t, wrapping at
// 2^32 µs. d may be negative; it is truncated to whole µs.
func TmstAdd(t uint32, d time.Duration) uint32 {
	return t + uint32(int64(d/time.Microsecond))
}

// TmstSub returns a−b as a signed duration, correct across the counter's
// wrap while the true difference is within ±2^31 µs (about ±35.8 min).
func TmstSub(a, b uint32) time.Duration {
	return time.Duration(int32(a-b)) * time.Microsecond
}
