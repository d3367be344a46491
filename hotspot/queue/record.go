package queue

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"time"
)

// On disk a record is
//
//	uint32 LE  n, the length of body
//	uint32 LE  CRC-32C (Castagnoli) of body
//	body:      byte version (1) | byte flags (bits 0–1 QoS, bit 2 retained)
//	           | int64 LE appended, unix ns | uvarint topic length | topic | payload
//
// A record is valid only when its length is plausible, its CRC matches and
// its body parses; anything else is torn (at the end of the log) or corrupt.
const (
	headerSize    = 8
	recordVersion = 1
	// MaxPayload bounds one record's payload (a sealed uplink is < 1 KiB).
	MaxPayload = 64 << 10
	maxTopic   = 1024
	maxBody    = 2 + 8 + binary.MaxVarintLen16 + maxTopic + MaxPayload
	flagQoS    = 0x03
	flagRetain = 0x04
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var (
	// errShort: the bytes end before the record does (a torn tail when
	// nothing valid follows).
	errShort = errors.New("queue: record truncated")
	// errCorrupt: the length, checksum or body is wrong.
	errCorrupt = errors.New("queue: record corrupt")
)

// Record is one message waiting for the broker.
type Record struct {
	Topic    string
	QoS      byte
	Retained bool
	Payload  []byte
	Appended time.Time // when Append stored it (wall clock, for the queue's age)
}

// recordSize is the bytes r takes on disk.
func recordSize(r *Record) int {
	return headerSize + 2 + 8 + uvarintLen(uint64(len(r.Topic))) + len(r.Topic) + len(r.Payload)
}

// appendRecord encodes r at the end of buf.
func appendRecord(buf []byte, r *Record) []byte {
	start := len(buf)
	buf = append(buf, make([]byte, headerSize)...)
	flags := r.QoS & flagQoS
	if r.Retained {
		flags |= flagRetain
	}
	buf = append(buf, recordVersion, flags)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(r.Appended.UnixNano()))
	buf = binary.AppendUvarint(buf, uint64(len(r.Topic)))
	buf = append(buf, r.Topic...)
	buf = append(buf, r.Payload...)
	body := buf[start+headerSize:]
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(body)))
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(body, castagnoli))
	return buf
}

// decodeRecord reads the record at the start of b and returns it with the
// bytes it takes. Topic and Payload alias b. errShort means b ends inside
// a record whose length looks plausible; errCorrupt, anything else wrong.
func decodeRecord(b []byte) (Record, int, error) {
	if len(b) < headerSize {
		return Record{}, 0, errShort
	}
	n := binary.LittleEndian.Uint32(b)
	if n < 2+8+1 || n > maxBody {
		return Record{}, 0, errCorrupt
	}
	if uint64(len(b)-headerSize) < uint64(n) {
		return Record{}, 0, errShort
	}
	body := b[headerSize : headerSize+int(n)]
	if body[0] != recordVersion || body[1]&^(flagQoS|flagRetain) != 0 {
		return Record{}, 0, errCorrupt
	}
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[4:]) {
		return Record{}, 0, errCorrupt
	}
	r, err := parseBody(body)
	if err != nil {
		return Record{}, 0, err
	}
	return r, headerSize + int(n), nil
}

func parseBody(body []byte) (Record, error) {
	r := Record{QoS: body[1] & flagQoS, Retained: body[1]&flagRetain != 0}
	r.Appended = time.Unix(0, int64(binary.LittleEndian.Uint64(body[2:10])))
	rest := body[10:]
	tl, k := binary.Uvarint(rest)
	if k <= 0 || tl > maxTopic || tl > uint64(len(rest)-k) {
		return Record{}, errCorrupt
	}
	rest = rest[k:]
	r.Topic = string(rest[:tl])
	r.Payload = rest[tl:]
	if len(r.Payload) > MaxPayload {
		return Record{}, errCorrupt
	}
	return r, nil
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
