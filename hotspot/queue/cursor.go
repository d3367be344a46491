package queue

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
)

// position is a place in the log: a segment and a byte offset in it.
type position struct {
	seg uint64
	off int64
}

func (p position) after(q position) bool {
	return p.seg > q.seg || (p.seg == q.seg && p.off > q.off)
}

// The cursor file holds the position up to which the broker acknowledged
// every record: uint64 segment, int64 offset, CRC-32C of those 16 bytes.
// It is rewritten in place (20 bytes, one sector); a torn or missing
// cursor reads as "nothing acknowledged", which only replays (never loses)
// records.
const (
	cursorName = "cursor"
	cursorSize = 20
)

func encodeCursor(p position) []byte {
	b := make([]byte, cursorSize)
	binary.LittleEndian.PutUint64(b, p.seg)
	binary.LittleEndian.PutUint64(b[8:], uint64(p.off))
	binary.LittleEndian.PutUint32(b[16:], crc32.Checksum(b[:16], castagnoli))
	return b
}

// decodeCursor returns the stored position; ok is false when b is not a
// valid cursor.
func decodeCursor(b []byte) (p position, ok bool) {
	if len(b) != cursorSize || crc32.Checksum(b[:16], castagnoli) != binary.LittleEndian.Uint32(b[16:]) {
		return position{}, false
	}
	p = position{seg: binary.LittleEndian.Uint64(b), off: int64(binary.LittleEndian.Uint64(b[8:]))}
	return p, p.off >= segHeader
}

// openCursor opens (creating) the cursor file and reads it.
func openCursor(path string) (*os.File, position, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, position{}, false, fmt.Errorf("queue: open cursor: %w", err)
	}
	b := make([]byte, cursorSize+1)
	n, _ := f.ReadAt(b, 0)
	p, ok := decodeCursor(b[:n])
	return f, p, ok, nil
}

// writeCursor stores p and syncs it.
func writeCursor(f *os.File, p position) error {
	if _, err := f.WriteAt(encodeCursor(p), 0); err != nil {
		return fmt.Errorf("queue: write cursor: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("queue: sync cursor: %w", err)
	}
	return nil
}
