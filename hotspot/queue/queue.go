// Package queue is hotspotd's durable store-and-forward queue: an
// append-only log of records (topic, QoS, the sealed message) in segment
// files under one directory, read in order by a single consumer that
// acknowledges each record once the broker has accepted it.
//
// Layout: segment files NNNNNNNNNNNNNNNN.seg (hex id, 4 MiB by default),
// each a magic header then records, each record its length, its CRC-32C
// and its body (see record.go); a 20-byte cursor file holding the position
// up to which every record is acknowledged; a LOCK file (flock) so that two
// processes never share the directory. Fully acknowledged segments are
// deleted.
//
// Guarantees (at least once, in order):
//   - A record is handed out by Next in append order and stays in the log
//     until Ack. After a restart every record after the stored cursor is
//     handed out again, so a record acknowledged just before a crash may be
//     delivered twice: receivers deduplicate (the router by frame, the
//     oracle by a hash of the signed bytes, which a replay repeats exactly).
//   - Durability (fsync policy): appends are written to the file at once
//     (one write(2) per record) and synced every SyncInterval (default
//     100 ms), as is the cursor. A process crash (SIGKILL, panic, OOM kill)
//     loses nothing that Append returned for: the data is in the kernel. A
//     power cut or kernel crash can lose what was appended in the last
//     SyncInterval (at 1,000 uplinks/s about 100 records), and replays the
//     acknowledgements of the last interval. With SyncAlways every Append
//     is synced before it returns (slower: one fsync per record). Note that
//     hotspotd answers the packet forwarder's PUSH_DATA before queueing
//     (the forwarder never resends an uplink anyway).
//   - A torn last record (a write cut short) is found at Open by its length
//     and checksum and truncated; a corrupt record in the middle of the log
//     is skipped (the next valid record is found by its checksum) and
//     counted. Open never fails on bad data, only on I/O errors.
//   - The disk budget (MaxBytes) is the only reason a record is lost: when
//     an append would exceed it, the oldest segments are deleted first,
//     their unacknowledged records counted (reason "queue_budget") and
//     logged.
package queue

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults.
const (
	DefaultSegmentSize  = 4 << 20
	DefaultMaxBytes     = 64 << 20
	DefaultSyncInterval = 100 * time.Millisecond
	minSegmentSize      = 64 << 10
)

// Reasons records are lost, passed to Options.OnDrop.
const (
	ReasonBudget  = "queue_budget"  // deleted with the oldest segment: disk budget exhausted
	ReasonCorrupt = "queue_corrupt" // unreadable (checksum or length wrong), skipped
)

// Sentinels.
var (
	ErrClosed   = errors.New("queue: closed")
	ErrTooLarge = errors.New("queue: record too large")
	ErrLocked   = errors.New("queue: directory in use")
)

// Options configure a queue.
type Options struct {
	Dir string // created (mode 0700) when missing
	// SegmentSize is the size at which a segment file is closed and the
	// next begun (default 4 MiB; at most MaxBytes/4).
	SegmentSize int64
	// MaxBytes is the disk budget of all segments (default 64 MiB).
	MaxBytes int64
	// SyncInterval is how often appends and the cursor are synced to disk
	// (default 100 ms). SyncAlways syncs every append before it returns.
	SyncInterval time.Duration
	SyncAlways   bool
	Logger       *slog.Logger
	// OnDrop is told about records lost (ReasonBudget, ReasonCorrupt).
	OnDrop func(reason string, n int)
	// Registerer receives the queue's metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	// Now tells time for Record.Appended (default time.Now).
	Now func() time.Time
}

// Queue is an open queue. Append may be called from any goroutine; Next
// and Ack from one consumer.
type Queue struct {
	o      Options
	log    *slog.Logger
	lock   *os.File
	cursor *os.File
	notify chan struct{}
	stop   chan struct{}
	done   chan struct{}

	mu       sync.Mutex
	closed   bool
	segs     []*segment // oldest first; the last is written to
	w        *os.File   // the last segment, opened for appending
	wbuf     []byte
	dirty    bool  // appended since the last sync
	total    int64 // bytes of all segments
	pending  int   // records neither acknowledged nor dropped
	ack      position
	saved    position // cursor on disk
	rd       reader
	inflight []inflight // handed out by Next, not yet acknowledged
	c        counters
}

type inflight struct {
	pos      position
	appended time.Time
}

// counters are the queue's totals since Open.
type counters struct {
	appended, acked, dropped, corrupt, torn uint64
}

// Open opens or creates the queue in o.Dir, truncating a torn tail and
// positioning the consumer at the first unacknowledged record.
func Open(o Options) (*Queue, error) {
	if err := withDefaults(&o); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("queue: create directory: %w", err)
	}
	lock, err := lockDir(filepath.Join(o.Dir, "LOCK"))
	if err != nil {
		return nil, err
	}
	q := &Queue{o: o, log: o.Logger.With("component", "queue", "dir", o.Dir), lock: lock,
		notify: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if err := q.load(); err != nil {
		q.closeFiles()
		return nil, err
	}
	if err := q.register(o.Registerer); err != nil {
		q.closeFiles()
		return nil, err
	}
	go q.syncLoop()
	return q, nil
}

func withDefaults(o *Options) error {
	if o.Dir == "" {
		return errors.New("queue: no directory (Options.Dir)")
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxBytes < 4*minSegmentSize {
		return fmt.Errorf("queue: disk budget %d bytes is too small (at least %d)", o.MaxBytes, 4*minSegmentSize)
	}
	if o.SegmentSize <= 0 {
		o.SegmentSize = DefaultSegmentSize
	}
	o.SegmentSize = max(minSegmentSize, min(o.SegmentSize, o.MaxBytes/4))
	if o.SyncInterval <= 0 {
		o.SyncInterval = DefaultSyncInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// Append stores r at the end of the log (r.Appended is set here). It
// returns ErrTooLarge for a payload over MaxPayload or a topic over 1 KiB.
func (q *Queue) Append(r Record) error {
	if len(r.Payload) > MaxPayload || len(r.Topic) > maxTopic {
		return ErrTooLarge
	}
	r.Appended = q.o.Now()
	size := int64(recordSize(&r))
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrClosed
	}
	last := q.segs[len(q.segs)-1]
	if last.size+size > q.o.SegmentSize && last.size > segHeader {
		if err := q.roll(); err != nil {
			return err
		}
		last = q.segs[len(q.segs)-1]
	}
	q.makeRoom(size)
	q.wbuf = appendRecord(q.wbuf[:0], &r)
	if _, err := q.w.Write(q.wbuf); err != nil {
		q.w.Truncate(last.size) // best effort: no half record stays behind
		return fmt.Errorf("queue: append: %w", err)
	}
	if q.o.SyncAlways {
		if err := q.w.Sync(); err != nil {
			return fmt.Errorf("queue: sync: %w", err)
		}
	}
	last.size += size
	q.total += size
	q.pending++
	q.c.appended++
	q.dirty = true
	select {
	case q.notify <- struct{}{}:
	default:
	}
	return nil
}

// roll syncs and closes the last segment and starts the next.
func (q *Queue) roll() error {
	if err := q.w.Sync(); err != nil {
		return fmt.Errorf("queue: sync segment: %w", err)
	}
	q.w.Close()
	id := q.segs[len(q.segs)-1].id + 1
	f, err := createSegment(q.o.Dir, id)
	if err != nil {
		return err
	}
	q.w = f
	q.segs = append(q.segs, &segment{id: id, size: segHeader})
	q.total += segHeader
	return nil
}

// makeRoom deletes the oldest segments while an append of size bytes
// would exceed the disk budget; the last segment is never deleted (it is
// at most a quarter of the budget).
func (q *Queue) makeRoom(size int64) {
	for q.total+size > q.o.MaxBytes && len(q.segs) > 1 {
		q.dropOldest()
	}
}

// Close syncs the log and the cursor and closes the files. Next returns
// ErrClosed afterwards.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	q.mu.Unlock()
	close(q.stop)
	<-q.done
	q.mu.Lock()
	defer q.mu.Unlock()
	err := q.w.Sync()
	if cerr := q.saveCursor(); err == nil {
		err = cerr
	}
	q.closeFiles()
	return err
}

func (q *Queue) closeFiles() {
	for _, f := range []*os.File{q.w, q.rd.f, q.cursor, q.lock} {
		if f != nil {
			f.Close()
		}
	}
}

// syncLoop syncs appends and the cursor every SyncInterval.
func (q *Queue) syncLoop() {
	defer close(q.done)
	t := time.NewTicker(q.o.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-q.stop:
			return
		case <-t.C:
			if err := q.sync(); err != nil {
				q.log.Error("queue sync failed", "err", err)
			}
		}
	}
}

// sync flushes appended records, then the cursor. The segment's fsync runs
// without the lock (Append goes on meanwhile); a segment closed by roll in
// between was synced by roll.
func (q *Queue) sync() error {
	q.mu.Lock()
	f, dirty := q.w, q.dirty
	q.dirty = false
	q.mu.Unlock()
	if dirty {
		if err := f.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
			return fmt.Errorf("queue: sync segment: %w", err)
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.saveCursor()
}

// saveCursor writes the acknowledged position when it moved. Call with mu held.
func (q *Queue) saveCursor() error {
	if q.ack == q.saved {
		return nil
	}
	if err := writeCursor(q.cursor, q.ack); err != nil {
		return err
	}
	q.saved = q.ack
	return nil
}

// Stats is a snapshot of the queue.
type Stats struct {
	Depth int   // records waiting for the broker's acknowledgement
	Bytes int64 // bytes of every segment on disk
	// Oldest is when the oldest record handed out and not yet acknowledged
	// was appended; zero when none is.
	Oldest                            time.Time
	Appended, Acked, Dropped, Corrupt uint64 // since Open (Dropped: budget)
	Torn                              uint64 // torn tails truncated at Open
}

// Stats returns the queue's state now.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := Stats{Depth: q.pending, Bytes: q.total, Appended: q.c.appended, Acked: q.c.acked,
		Dropped: q.c.dropped, Corrupt: q.c.corrupt, Torn: q.c.torn}
	if len(q.inflight) > 0 {
		s.Oldest = q.inflight[0].appended
	}
	return s
}
