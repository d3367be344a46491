package forwarder

import (
	"math/rand/v2"
	"time"

	"github.com/hexnet/hexnet/hotspot/gwmp"
)

// concentratorCounter is the concentrator's free-running µs counter (tmst):
// a start value plus the µs elapsed since the forwarder started, wrapping at
// 2^32.
type concentratorCounter struct {
	start  time.Time
	offset uint32
}

// wrapSoon bounds the start value of counters chosen to wrap early.
const wrapSoon = 2 * time.Minute

// newCounter picks the start value from seed and index. One forwarder in
// four starts within two minutes of the wrap, so simulations exercise it.
func newCounter(seed int64, index int, start time.Time) concentratorCounter {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(index)))
	offset := rng.Uint32()
	if rng.IntN(4) == 0 {
		offset = -uint32(rng.Int64N(int64(wrapSoon / time.Microsecond)))
	}
	return concentratorCounter{start: start, offset: offset}
}

// at returns the counter value at t.
func (c concentratorCounter) at(t time.Time) uint32 {
	return gwmp.TmstAdd(c.offset, t.Sub(c.start))
}
