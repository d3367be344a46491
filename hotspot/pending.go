package hotspot

import (
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/hexnet/hexnet/hotspot/gwmp"
)

// forwarderState is where downlinks go: the address and protocol version of
// the latest PULL_DATA.
type forwarderState struct {
	mu      sync.Mutex
	addr    net.Addr
	version gwmp.Version
}

type forwarder struct {
	addr    net.Addr
	version gwmp.Version
}

func (f *forwarderState) set(addr net.Addr, v gwmp.Version) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addr, f.version = addr, v
}

// get returns the forwarder, ok false before the first PULL_DATA.
func (f *forwarderState) get() (forwarder, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return forwarder{addr: f.addr, version: f.version}, f.addr != nil
}

// pendingTx is a PULL_RESP waiting for its TX_ACK.
type pendingTx struct {
	req      *txRequest
	item     int
	deadline time.Time
}

// pendingTable maps PULL_RESP tokens to the request item they carry.
type pendingTable struct {
	mu sync.Mutex
	m  map[uint16]pendingTx
}

func newPendingTable() *pendingTable {
	return &pendingTable{m: map[uint16]pendingTx{}}
}

// maxPending bounds the PULL_RESPs awaiting a TX_ACK, far above what a
// concentrator's JIT queue (32 packets) can hold.
const maxPending = 1024

// add stores p under a fresh random token not in use and returns it; ok is
// false when maxPending entries are waiting.
func (t *pendingTable) add(p pendingTx) (tok uint16, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) >= maxPending {
		return 0, false
	}
	for {
		tok = uint16(rand.Uint32())
		if _, used := t.m[tok]; !used {
			t.m[tok] = p
			return tok, true
		}
	}
}

// take removes and returns the entry for tok.
func (t *pendingTable) take(tok uint16) (pendingTx, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.m[tok]
	delete(t.m, tok)
	return p, ok
}

// expire removes and returns the entries whose deadline is before now.
func (t *pendingTable) expire(now time.Time) []pendingTx {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []pendingTx
	for tok, p := range t.m {
		if p.deadline.Before(now) {
			out = append(out, p)
			delete(t.m, tok)
		}
	}
	return out
}
