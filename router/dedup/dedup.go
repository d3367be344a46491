// Package dedup merges the copies of one LoRa frame heard by several
// hotspots into a single frame.
//
// The first copy of a PHYPayload opens a window; copies arriving inside it
// are attached; when it closes the frame is emitted once with every copy.
// Copies arriving afterwards, within a grace period, are reported late and
// dropped; after the grace period the payload is forgotten, so memory is
// bounded by the uplink rate times (window + grace).
package dedup

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/identity"
)

// Defaults for Options.
const (
	DefaultWindow = 200 * time.Millisecond
	DefaultGrace  = 5 * time.Second
)

// Copy is one hotspot's reception of a frame.
type Copy struct {
	Hotspot      identity.Address
	RSSI         float32 // dBm
	SNR          float32 // dB
	Tmst         uint32  // concentrator counter, µs
	FrequencyHz  uint64
	SpreadFactor uint32
	BandwidthKHz uint32
	CodingRate   string    // "4/5"
	GatewayTime  time.Time // zero when the forwarder had no time source
	ReceivedAt   time.Time // router clock when this copy arrived
}

// Frame is a deduplicated frame: one PHYPayload and all its copies in
// arrival order.
type Frame struct {
	ID         uuid.UUID // the deduplicationId
	PHYPayload []byte
	FirstSeen  time.Time
	Copies     []Copy
}

// Result tells what Add did with a copy.
type Result int

// Results of Add.
const (
	Opened    Result = iota // first copy: a new window opened
	Attached                // added to an open window
	Duplicate               // this hotspot already gave a copy; ignored
	Late                    // the frame was already emitted; dropped
)

var resultNames = [...]string{"opened", "attached", "duplicate", "late"}

func (r Result) String() string {
	if r < 0 || int(r) >= len(resultNames) {
		return "unknown"
	}
	return resultNames[r]
}

// Options configure a Deduplicator.
type Options struct {
	Clock  clock.Clock   // nil: the real clock
	Window time.Duration // 0: DefaultWindow
	Grace  time.Duration // 0: DefaultGrace
	// Emit receives each frame once, when its window closes, on the
	// clock's timer goroutine. It may block (back-pressure).
	Emit func(Frame)
}

type key [sha256.Size]byte

type entry struct {
	frame    Frame
	seen     map[identity.Address]struct{}
	deadline time.Time
	closed   bool // its window's timer has fired
	emitted  bool
}

// Deduplicator groups copies by PHYPayload. It is safe for concurrent use.
type Deduplicator struct {
	clock   clock.Clock
	window  time.Duration
	grace   time.Duration
	emit    func(Frame)
	mu      sync.Mutex
	entries map[key]*entry
	// order holds the open windows in the order they opened; all windows
	// are equally long, so that is the order they close in. Frames are
	// emitted strictly in this order (emitMu), so two frames of one device
	// never reach the router swapped, whatever order the timers run in.
	order  []key
	emitMu sync.Mutex
}

// New returns a Deduplicator.
func New(o Options) *Deduplicator {
	d := &Deduplicator{clock: o.Clock, window: o.Window, grace: o.Grace, emit: o.Emit,
		entries: map[key]*entry{}}
	if d.clock == nil {
		d.clock = clock.Real{}
	}
	if d.window <= 0 {
		d.window = DefaultWindow
	}
	if d.grace <= 0 {
		d.grace = DefaultGrace
	}
	if d.emit == nil {
		d.emit = func(Frame) {}
	}
	return d
}

// Add files one copy of phy. The slice is copied only when it opens a
// window, so callers may reuse it afterwards.
func (d *Deduplicator) Add(phy []byte, c Copy) Result {
	k := key(sha256.Sum256(phy))
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[k]
	if !ok {
		d.open(k, phy, c)
		return Opened
	}
	if e.emitted {
		return Late
	}
	if _, dup := e.seen[c.Hotspot]; dup {
		return Duplicate
	}
	e.seen[c.Hotspot] = struct{}{}
	e.frame.Copies = append(e.frame.Copies, c)
	return Attached
}

// open starts a window for a new payload; d.mu is held.
func (d *Deduplicator) open(k key, phy []byte, c Copy) {
	e := &entry{
		frame: Frame{
			ID:         uuid.New(),
			PHYPayload: append([]byte(nil), phy...),
			FirstSeen:  c.ReceivedAt,
			Copies:     []Copy{c},
		},
		seen: map[identity.Address]struct{}{c.Hotspot: {}},
	}
	if e.frame.FirstSeen.IsZero() {
		e.frame.FirstSeen = d.clock.Now()
	}
	e.deadline = d.clock.Now().Add(d.window)
	d.entries[k] = e
	d.order = append(d.order, k)
	d.clock.AfterFunc(d.window, func() { d.close(k) })
}

// close ends a window: its frame, and every frame whose window opened
// before it, is emitted in opening order; each key is kept for the grace
// period so late copies are recognised.
func (d *Deduplicator) close(k key) {
	d.emitMu.Lock()
	defer d.emitMu.Unlock()
	for _, f := range d.due(k) {
		d.emit(f)
	}
}

// due marks k's window closed and takes, from the front of the opening
// order, every frame whose window has closed.
func (d *Deduplicator) due(k key) []Frame {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.entries[k]; ok {
		e.closed = true
	}
	now := d.clock.Now()
	var out []Frame
	for len(d.order) > 0 {
		head := d.order[0]
		e, ok := d.entries[head]
		if ok && !e.emitted && !e.closed && now.Before(e.deadline) {
			break
		}
		d.order = d.order[1:]
		if !ok || e.emitted {
			continue
		}
		out = append(out, d.take(head, e))
	}
	return out
}

// take marks e emitted and schedules its key to be forgotten; d.mu is held.
func (d *Deduplicator) take(k key, e *entry) Frame {
	e.emitted = true
	f := e.frame
	e.frame = Frame{ID: f.ID}
	e.seen = nil
	d.clock.AfterFunc(d.grace, func() { d.forget(k) })
	return f
}

func (d *Deduplicator) forget(k key) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.entries, k)
}

// Window is the deduplication window in use.
func (d *Deduplicator) Window() time.Duration { return d.window }

// Len is the number of payloads remembered (open or in grace).
func (d *Deduplicator) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.entries)
}
