package queue

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func open(t *testing.T, dir string, mod ...func(*Options)) *Queue {
	t.Helper()
	o := Options{Dir: dir, SyncInterval: 10 * time.Millisecond}
	for _, m := range mod {
		m(&o)
	}
	q, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

func rec(i int) Record {
	return Record{Topic: "hexnet/hotspot/x/up", QoS: 1, Payload: fmt.Appendf(nil, "payload %05d %s", i, make([]byte, 100))}
}

func appendN(t *testing.T, q *Queue, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := q.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
}

// next reads one entry, failing when none comes soon.
func next(t *testing.T, q *Queue) Entry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	e, err := q.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return e
}

// expectRange reads records from..to-1 in order, acknowledging each when ack.
func expectRange(t *testing.T, q *Queue, from, to int, ack bool) {
	t.Helper()
	for i := from; i < to; i++ {
		e := next(t, q)
		if want := rec(i); string(e.Payload) != string(want.Payload) || e.Topic != want.Topic || e.QoS != 1 {
			t.Fatalf("record %d: got %q on %s, want %q", i, e.Payload[:13], e.Topic, want.Payload[:13])
		}
		if ack {
			q.Ack(e)
		}
	}
}

func empty(t *testing.T, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if e, err := q.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next = %q, %v; want nothing", e.Payload, err)
	}
}

func TestAppendNextAckRestart(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir)
	appendN(t, q, 0, 100)
	expectRange(t, q, 0, 40, true)
	expectRange(t, q, 40, 50, false) // handed out, never acknowledged
	if s := q.Stats(); s.Depth != 60 || s.Appended != 100 || s.Acked != 40 || s.Oldest.IsZero() {
		t.Errorf("stats = %+v, want depth 60, 100 appended, 40 acked, an oldest time", s)
	}
	q.Close()

	q = open(t, dir)
	if s := q.Stats(); s.Depth != 60 {
		t.Errorf("after restart depth = %d, want 60", s.Depth)
	}
	expectRange(t, q, 40, 100, true) // replayed in order from the first unacknowledged
	empty(t, q)
	appendN(t, q, 100, 101)
	expectRange(t, q, 100, 101, true)
}

func TestSegmentsRollAndAreDeleted(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir, func(o *Options) { o.SegmentSize = minSegmentSize })
	appendN(t, q, 0, 2000) // ~260 KiB: several segments
	ids, _ := listSegments(dir)
	if len(ids) < 3 {
		t.Fatalf("%d segments, want several", len(ids))
	}
	expectRange(t, q, 0, 2000, true)
	if ids, _ := listSegments(dir); len(ids) != 1 {
		t.Errorf("%d segments left after every record was acknowledged, want 1", len(ids))
	}
	q.Close()
	q = open(t, dir, func(o *Options) { o.SegmentSize = minSegmentSize })
	empty(t, q)
}

func TestSIGKILLWithoutCloseReplays(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir)
	appendN(t, q, 0, 10)
	expectRange(t, q, 0, 5, true)
	time.Sleep(50 * time.Millisecond) // the syncer stores the cursor
	// A killed process never calls Close: release its lock and reopen.
	q.mu.Lock()
	q.closeFiles()
	q.closed = true
	q.mu.Unlock()
	close(q.stop)
	q2 := open(t, dir)
	expectRange(t, q2, 5, 10, true)
}

func lastSegment(t *testing.T, dir string) string {
	t.Helper()
	ids, err := listSegments(dir)
	if err != nil || len(ids) == 0 {
		t.Fatalf("segments: %v %v", ids, err)
	}
	return filepath.Join(dir, segName(ids[len(ids)-1]))
}

func TestTornTailTruncated(t *testing.T) {
	for _, cut := range []int64{1, 7, 9, 50} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			dir := t.TempDir()
			q := open(t, dir)
			appendN(t, q, 0, 10)
			q.Close()
			path := lastSegment(t, dir)
			fi, _ := os.Stat(path)
			if err := os.Truncate(path, fi.Size()-cut); err != nil {
				t.Fatal(err)
			}
			q = open(t, dir)
			if s := q.Stats(); s.Torn != 1 || s.Depth != 9 {
				t.Errorf("stats = %+v, want 1 torn, 9 waiting", s)
			}
			expectRange(t, q, 0, 9, true)
			appendN(t, q, 10, 12) // appends go after the truncated tail
			expectRange(t, q, 10, 12, true)
		})
	}
}

func TestGarbageTailAndZeros(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir)
	appendN(t, q, 0, 3)
	q.Close()
	f, _ := os.OpenFile(lastSegment(t, dir), os.O_WRONLY|os.O_APPEND, 0)
	f.Write(make([]byte, 4096)) // a power cut after the size grew, before the data
	f.Close()
	q = open(t, dir)
	expectRange(t, q, 0, 3, true)
	empty(t, q)
}

func TestCorruptMiddleRecordSkipped(t *testing.T) {
	dir := t.TempDir()
	var drops []string
	q := open(t, dir)
	appendN(t, q, 0, 10)
	q.Close()
	path := lastSegment(t, dir)
	b, _ := os.ReadFile(path)
	size := int64(recordSize(&Record{Topic: rec(0).Topic, Payload: rec(0).Payload}))
	b[segHeader+4*size+20] ^= 0xff // a bit flip in record 4's body
	os.WriteFile(path, b, 0o600)
	q = open(t, dir, func(o *Options) {
		o.OnDrop = func(r string, n int) { drops = append(drops, fmt.Sprintf("%s %d", r, n)) }
	})
	expectRange(t, q, 0, 4, true)
	expectRange(t, q, 5, 10, true)
	if s := q.Stats(); s.Corrupt != 1 || s.Torn != 0 || fmt.Sprint(drops) != "[queue_corrupt 1]" {
		t.Errorf("stats %+v drops %v, want 1 corrupt, none torn", s, drops)
	}
}

func TestCorruptLengthSkipped(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir)
	appendN(t, q, 0, 5)
	q.Close()
	path := lastSegment(t, dir)
	b, _ := os.ReadFile(path)
	size := int64(recordSize(&Record{Topic: rec(0).Topic, Payload: rec(0).Payload}))
	b[segHeader+2*size+2] = 0x7f // record 2 claims a huge length
	os.WriteFile(path, b, 0o600)
	q = open(t, dir)
	expectRange(t, q, 0, 2, true)
	expectRange(t, q, 3, 5, true)
}

func TestBadCursorReplaysEverything(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir)
	appendN(t, q, 0, 5)
	expectRange(t, q, 0, 3, true)
	q.Close()
	os.WriteFile(filepath.Join(dir, cursorName), []byte("garbage garbage garb"), 0o600)
	q = open(t, dir)
	expectRange(t, q, 0, 5, true) // at least once: replays, never loses
}

func TestBudgetDropsOldestFirst(t *testing.T) {
	dir := t.TempDir()
	var dropped int
	q := open(t, dir, func(o *Options) {
		o.MaxBytes = 4 * minSegmentSize
		o.OnDrop = func(reason string, n int) {
			if reason == ReasonBudget {
				dropped += n
			}
		}
	})
	const n = 5000 // ~650 KiB into a 256 KiB budget, nothing acknowledged
	appendN(t, q, 0, n)
	s := q.Stats()
	if s.Bytes > 4*minSegmentSize || s.Dropped == 0 || int(s.Dropped) != dropped || s.Depth+dropped != n {
		t.Fatalf("stats %+v, callback %d: want within budget, drops counted, depth + dropped = %d", s, dropped, n)
	}
	expectRange(t, q, dropped, n, true) // the newest survive, in order
	empty(t, q)
}

func TestBudgetDropWhileReading(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir, func(o *Options) { o.MaxBytes = 4 * minSegmentSize })
	appendN(t, q, 0, 10)
	e := next(t, q) // record 0 in flight
	appendN(t, q, 10, 5000)
	q.Ack(e) // dropped meanwhile: a no-op
	s := q.Stats()
	first := int(s.Dropped)
	expectRange(t, q, first, 5000, true)
	if s := q.Stats(); s.Depth != 0 {
		t.Errorf("depth %d after everything was acknowledged", s.Depth)
	}
}

func TestTooLarge(t *testing.T) {
	q := open(t, t.TempDir())
	if err := q.Append(Record{Topic: "t", Payload: make([]byte, MaxPayload+1)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Append = %v, want ErrTooLarge", err)
	}
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	open(t, dir)
	if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrLocked) {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
}

func TestClosedNext(t *testing.T) {
	q := open(t, t.TempDir())
	go func() { time.Sleep(20 * time.Millisecond); q.Close() }()
	if _, err := q.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close = %v, want ErrClosed", err)
	}
}

// TestConcurrentAppendAndSend: appenders on several goroutines and one
// consumer; every record arrives exactly once, each appender's in order.
func TestConcurrentAppendAndSend(t *testing.T) {
	q := open(t, t.TempDir(), func(o *Options) { o.SegmentSize = minSegmentSize })
	const writers, each = 4, 2000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := q.Append(Record{Topic: fmt.Sprint(w), QoS: 1, Payload: fmt.Appendf(nil, "%d", i)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	last := make([]int, writers)
	for i := range last {
		last[i] = -1
	}
	for range writers * each {
		e := next(t, q)
		var w, i int
		fmt.Sscan(e.Topic, &w)
		fmt.Sscan(string(e.Payload), &i)
		if i != last[w]+1 {
			t.Fatalf("writer %d: got %d after %d", w, i, last[w])
		}
		last[w] = i
		q.Ack(e)
	}
	wg.Wait()
	empty(t, q)
}

func BenchmarkAppendNextAck(b *testing.B) {
	q, err := Open(Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	r := Record{Topic: "hexnet/hotspot/5ZtzSz8U6bNwGm7NxVnDhF5YU4r4HQqdGdJ6w1cQxKzT/up", QoS: 1, Payload: make([]byte, 250)}
	b.ReportAllocs()
	for b.Loop() {
		if err := q.Append(r); err != nil {
			b.Fatal(err)
		}
		e, err := q.Next(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		q.Ack(e)
	}
}
