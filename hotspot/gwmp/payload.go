package gwmp

import (
	"encoding/base64"
	"fmt"
	"math"
	"strings"
)

// decodePayload decodes base64 data (padded or not) and checks its length
// against size and MaxPayload.
func decodePayload(data string, size uint16) ([]byte, error) {
	if base64.StdEncoding.DecodedLen(len(data)) > MaxPayload+3 {
		return nil, fmt.Errorf("%w: payload of %d base64 characters, limit %d bytes", ErrOversize, len(data), MaxPayload)
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(data, "="))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	if len(b) > MaxPayload {
		return nil, fmt.Errorf("%w: payload of %d bytes, limit %d", ErrOversize, len(b), MaxPayload)
	}
	if len(b) != int(size) {
		return nil, fmt.Errorf("%w: size %d, payload %d bytes", ErrSizeMismatch, size, len(b))
	}
	return b, nil
}

func encodePayload(b []byte) (string, uint16) {
	return base64.StdEncoding.EncodeToString(b), uint16(len(b))
}

// maxMHz bounds Hz's input far above any radio frequency (1 THz).
const maxMHz = 1e6

// MHz converts a frequency in Hz to the protocol's MHz.
func MHz(hz uint64) float64 {
	return float64(hz) / 1e6
}

// Hz converts the protocol's MHz to Hz, rounding to the nearest Hz.
// Negative, NaN and infinite inputs give 0.
func Hz(mhz float64) uint64 {
	if math.IsNaN(mhz) || mhz <= 0 || mhz > maxMHz {
		return 0
	}
	return uint64(math.Round(mhz * 1e6))
}
