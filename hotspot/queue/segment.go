package queue

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A segment file starts with segMagic; records follow.
const (
	segMagic  = "hexnetq1"
	segHeader = int64(len(segMagic))
	segSuffix = ".seg"
)

// segment is one file of the log. size is where the next record goes
// (the file's length: torn tails are truncated at Open).
type segment struct {
	id   uint64
	size int64
}

func segName(id uint64) string { return fmt.Sprintf("%016x%s", id, segSuffix) }

// listSegments returns the segment ids in dir, oldest first.
func listSegments(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("queue: list %s: %w", dir, err)
	}
	var ids []uint64
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), segSuffix)
		if !ok || len(name) != 16 || !e.Type().IsRegular() {
			continue
		}
		id, err := strconv.ParseUint(name, 16, 64)
		if err != nil {
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

// scan is what walking a segment's records found.
type scan struct {
	records int       // valid records
	end     int64     // end of the last valid record
	corrupt int       // corrupt stretches skipped (each counted as one record)
	first   time.Time // appended time of the first valid record
}

// scanRecords walks the records of b (a whole segment file) from offset
// from. A bad record is skipped by searching for the next valid one; when
// none follows, the walk ends there (a torn tail: end excludes it).
func scanRecords(b []byte, from int64) scan {
	s := scan{end: from}
	off := from
	for off < int64(len(b)) {
		r, n, err := decodeRecord(b[off:])
		if err == nil {
			if s.records == 0 {
				s.first = r.Appended
			}
			s.records++
			off += int64(n)
			s.end = off
			continue
		}
		next := resync(b, off+1)
		if next < 0 {
			break
		}
		s.corrupt++
		off = next
	}
	return s
}

// resync returns the offset of the first valid record at or after from, or -1.
func resync(b []byte, from int64) int64 {
	for i := from; i+headerSize <= int64(len(b)); i++ {
		if _, _, err := decodeRecord(b[i:]); err == nil {
			return i
		}
	}
	return -1
}

// createSegment writes a new, empty segment file and makes its name durable.
func createSegment(dir string, id uint64) (*os.File, error) {
	path := filepath.Join(dir, segName(id))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("queue: create segment: %w", err)
	}
	if _, err := f.WriteString(segMagic); err != nil {
		f.Close()
		return nil, fmt.Errorf("queue: write segment header %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// syncDir makes created and removed names in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("queue: open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("queue: sync %s: %w", dir, err)
	}
	return nil
}
