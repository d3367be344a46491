package queue

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// load reads the cursor and every segment, repairs what a crash left
// behind and opens the last segment for appending.
func (q *Queue) load() error {
	f, ack, ok, err := openCursor(filepath.Join(q.o.Dir, cursorName))
	if err != nil {
		return err
	}
	q.cursor = f
	ids, err := listSegments(q.o.Dir)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if ok && id < ack.seg {
			q.remove(id) // fully acknowledged before a crash
			continue
		}
		if err := q.loadSegment(id, ack, ok); err != nil {
			return err
		}
	}
	ack = q.startAt(ack, ok)
	q.ack, q.saved = ack, ack
	q.rd.pos = ack
	if err := q.openLast(ack.seg); err != nil {
		return err
	}
	q.log.Info("queue opened", "waiting", q.pending, "bytes", q.total, "segments", len(q.segs),
		"torn", q.c.torn, "corrupt", q.c.corrupt)
	return nil
}

// startAt is where the consumer starts: the stored cursor when it names a
// segment that exists (clamped to its end: after a power cut the cursor may
// be newer than the data), else the start of the oldest segment.
func (q *Queue) startAt(ack position, ok bool) position {
	if ok {
		for _, s := range q.segs {
			if s.id == ack.seg {
				ack.off = min(ack.off, s.size)
				return ack
			}
		}
		if len(q.segs) == 0 {
			return position{seg: max(ack.seg, 1), off: segHeader}
		}
	}
	if len(q.segs) == 0 {
		return position{seg: 1, off: segHeader}
	}
	return position{seg: q.segs[0].id, off: segHeader}
}

// loadSegment scans one segment from the cursor (or its start), truncates
// a torn tail and counts the records waiting in it.
func (q *Queue) loadSegment(id uint64, ack position, ackOK bool) error {
	path := filepath.Join(q.o.Dir, segName(id))
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("queue: read segment: %w", err)
	}
	if len(b) < int(segHeader) || !bytes.Equal(b[:segHeader], []byte(segMagic)) {
		q.log.Warn("queue segment has no valid header; removed", "segment", path, "bytes", len(b))
		q.count(ReasonCorrupt, 1)
		q.remove(id)
		return nil
	}
	from := segHeader
	if ackOK && id == ack.seg {
		from = min(max(ack.off, segHeader), int64(len(b)))
	}
	s := scanRecords(b, from)
	if s.corrupt > 0 {
		q.log.Warn("queue segment has corrupt records; they will be skipped", "segment", path, "corrupt", s.corrupt)
	}
	if s.end < int64(len(b)) {
		q.log.Warn("queue segment ends in a torn record; truncated", "segment", path,
			"valid_bytes", s.end, "torn_bytes", int64(len(b))-s.end)
		if err := os.Truncate(path, s.end); err != nil {
			return fmt.Errorf("queue: truncate torn tail of %s: %w", path, err)
		}
		q.c.torn++
	}
	q.segs = append(q.segs, &segment{id: id, size: s.end})
	q.total += s.end
	q.pending += s.records
	return nil
}

// openLast opens the last segment for appending, creating the first.
func (q *Queue) openLast(first uint64) error {
	if len(q.segs) == 0 {
		f, err := createSegment(q.o.Dir, first)
		if err != nil {
			return err
		}
		q.w = f
		q.segs = []*segment{{id: first, size: segHeader}}
		q.total = segHeader
		return nil
	}
	last := q.segs[len(q.segs)-1]
	f, err := os.OpenFile(filepath.Join(q.o.Dir, segName(last.id)), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("queue: open segment for appending: %w", err)
	}
	q.w = f
	return nil
}

// remove deletes a segment file; a failure is logged (the file is
// removed again at the next Open).
func (q *Queue) remove(id uint64) {
	path := filepath.Join(q.o.Dir, segName(id))
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		q.log.Error("could not remove queue segment", "segment", path, "err", err)
	}
}

// count reports lost records to Options.OnDrop and the counters.
func (q *Queue) count(reason string, n int) {
	if n <= 0 {
		return
	}
	switch reason {
	case ReasonBudget:
		q.c.dropped += uint64(n)
	case ReasonCorrupt:
		q.c.corrupt += uint64(n)
	}
	if q.o.OnDrop != nil {
		q.o.OnDrop(reason, n)
	}
}
