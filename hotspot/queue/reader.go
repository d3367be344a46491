package queue

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// readChunk is how much of a segment the consumer reads at a time.
const readChunk = 256 << 10

// reader is the consumer's place in the log and a window of the segment
// it reads.
type reader struct {
	pos  position // next record to hand out
	f    *os.File // segment pos.seg, opened for reading
	fseg uint64
	buf  []byte // bytes [base, base+len(buf)) of segment fseg
	base int64
}

// Entry is a record handed out by Next; pass it to Ack once the broker has
// accepted it.
type Entry struct {
	Record
	pos position // end of the record
}

// Next returns the oldest record not yet handed out, waiting for one to
// be appended; it returns ctx's error or ErrClosed.
func (q *Queue) Next(ctx context.Context) (Entry, error) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return Entry{}, ErrClosed
		}
		e, ok, err := q.readNext()
		q.mu.Unlock()
		if ok || err != nil {
			return e, err
		}
		select {
		case <-q.notify:
		case <-q.stop:
		case <-ctx.Done():
			return Entry{}, ctx.Err()
		}
	}
}

// readNext reads the record at the consumer's position; ok is false when
// there is none yet. Call with mu held.
func (q *Queue) readNext() (Entry, bool, error) {
	for {
		seg := q.segment(q.rd.pos.seg)
		if seg == nil { // deleted by the budget: go on with the oldest
			q.rd.pos = position{seg: q.segs[0].id, off: segHeader}
			continue
		}
		if q.rd.pos.off >= seg.size {
			if seg == q.segs[len(q.segs)-1] {
				return Entry{}, false, nil
			}
			q.rd.pos = position{seg: seg.id + 1, off: segHeader}
			continue
		}
		r, n, err := q.recordAt(seg, q.rd.pos.off)
		if err != nil {
			if err := q.skipCorrupt(seg); err != nil {
				return Entry{}, false, err
			}
			continue
		}
		r.Payload = append([]byte(nil), r.Payload...)
		q.rd.pos.off += int64(n)
		e := Entry{Record: r, pos: q.rd.pos}
		q.inflight = append(q.inflight, inflight{pos: e.pos, appended: r.Appended})
		return e, true, nil
	}
}

// skipCorrupt moves the consumer past a bad record to the next valid one
// in the segment, or to the segment's end.
func (q *Queue) skipCorrupt(seg *segment) error {
	off := q.rd.pos.off
	b, err := q.window(seg, off, int(seg.size-off))
	if err != nil {
		return err
	}
	next := resync(b, 1)
	if next < 0 {
		next = int64(len(b))
	}
	q.log.Warn("skipped a corrupt queue record", "segment", segName(seg.id), "offset", off, "skipped_bytes", next)
	q.count(ReasonCorrupt, 1)
	q.rd.pos.off += next
	return nil
}

// recordAt decodes the record at off of seg.
func (q *Queue) recordAt(seg *segment, off int64) (Record, int, error) {
	b, err := q.window(seg, off, headerSize)
	if err != nil {
		return Record{}, 0, err
	}
	if need := headerSize + int64(le32(b)); need <= headerSize+maxBody && int64(len(b)) < need && off+need <= seg.size {
		if b, err = q.window(seg, off, int(need)); err != nil {
			return Record{}, 0, err
		}
	}
	return decodeRecord(b)
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// window returns bytes of seg from off: at least need (the segment's
// written bytes allowing), from the read buffer or read anew.
func (q *Queue) window(seg *segment, off int64, need int) ([]byte, error) {
	rd := &q.rd
	if rd.fseg == seg.id && rd.f != nil && off >= rd.base && off+int64(need) <= rd.base+int64(len(rd.buf)) {
		return rd.buf[off-rd.base:], nil
	}
	if rd.f == nil || rd.fseg != seg.id {
		if rd.f != nil {
			rd.f.Close()
		}
		f, err := os.Open(filepath.Join(q.o.Dir, segName(seg.id)))
		if err != nil {
			rd.f = nil
			return nil, fmt.Errorf("queue: open segment for reading: %w", err)
		}
		rd.f, rd.fseg = f, seg.id
	}
	n := min(seg.size-off, int64(max(need, readChunk)))
	if int64(cap(rd.buf)) < n {
		rd.buf = make([]byte, n)
	}
	rd.buf = rd.buf[:n]
	if _, err := rd.f.ReadAt(rd.buf, off); err != nil {
		rd.buf = rd.buf[:0]
		return nil, fmt.Errorf("queue: read segment %s: %w", segName(seg.id), err)
	}
	rd.base = off
	return rd.buf, nil
}

// segment returns the segment with id, nil when there is none.
func (q *Queue) segment(id uint64) *segment {
	for _, s := range q.segs {
		if s.id == id {
			return s
		}
	}
	return nil
}

// Ack acknowledges e and every record handed out before it: they are
// never handed out again, and a segment whose records are all
// acknowledged is deleted. Acknowledging a record that was dropped by the
// budget meanwhile does nothing.
func (q *Queue) Ack(e Entry) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !e.pos.after(q.ack) {
		return
	}
	n := 0
	for n < len(q.inflight) && !q.inflight[n].pos.after(e.pos) {
		n++
	}
	q.inflight = q.inflight[n:]
	q.ack = e.pos
	q.pending = max(0, q.pending-max(n, 1))
	q.c.acked += uint64(max(n, 1))
	for len(q.segs) > 1 && (q.segs[0].id < q.ack.seg || (q.segs[0].id == q.ack.seg && q.ack.off >= q.segs[0].size)) {
		q.deleteOldest()
		if q.ack.seg < q.segs[0].id {
			q.ack = position{seg: q.segs[0].id, off: segHeader}
		}
	}
}

// deleteOldest removes the first segment from the log.
func (q *Queue) deleteOldest() {
	s := q.segs[0]
	if q.rd.f != nil && q.rd.fseg == s.id {
		q.rd.f.Close()
		q.rd.f = nil
	}
	q.remove(s.id)
	q.segs = q.segs[1:]
	q.total -= s.size
}

// dropOldest deletes the oldest segment for the budget, counting its
// records that were not acknowledged.
func (q *Queue) dropOldest() {
	s := q.segs[0]
	from := int64(segHeader)
	if q.ack.seg == s.id {
		from = q.ack.off
	}
	lost := 0
	if b, err := os.ReadFile(filepath.Join(q.o.Dir, segName(s.id))); err == nil && from < int64(len(b)) {
		lost = scanRecords(b[:min(int64(len(b)), s.size)], from).records
	}
	q.deleteOldest()
	next := position{seg: q.segs[0].id, off: segHeader}
	if !q.ack.after(next) {
		q.ack = next
	}
	if !q.rd.pos.after(next) {
		q.rd.pos = next
	}
	kept := q.inflight[:0]
	for _, f := range q.inflight {
		if f.pos.seg != s.id {
			kept = append(kept, f)
		}
	}
	q.inflight = kept
	q.pending = max(0, q.pending-lost)
	q.log.Warn("queue disk budget exhausted; oldest records dropped", "segment", segName(s.id),
		"dropped", lost, "max_bytes", q.o.MaxBytes)
	q.count(ReasonBudget, lost)
}
