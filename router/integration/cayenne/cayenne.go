// Package cayenne decodes Cayenne Low Power Payload (LPP) uplinks into the
// object ChirpStack's built-in Cayenne codec produces: one map per sensor
// type, keyed by channel, e.g.
//
//	{"temperatureSensor": {"3": 27.2}, "gpsLocation": {"1": {"latitude": 52.3655, ...}}}
package cayenne

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

type kind struct {
	name  string
	size  int
	parse func(b []byte) any
}

func u16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
func i16(b []byte) int16  { return int16(binary.BigEndian.Uint16(b)) }

// i24 is a signed 24-bit big-endian integer.
func i24(b []byte) int32 { return int32(uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8) >> 8 }

var kinds = map[byte]kind{
	0:   {"digitalInput", 1, func(b []byte) any { return float64(b[0]) }},
	1:   {"digitalOutput", 1, func(b []byte) any { return float64(b[0]) }},
	2:   {"analogInput", 2, func(b []byte) any { return float64(i16(b)) / 100 }},
	3:   {"analogOutput", 2, func(b []byte) any { return float64(i16(b)) / 100 }},
	101: {"illuminanceSensor", 2, func(b []byte) any { return float64(u16(b)) }},
	102: {"presenceSensor", 1, func(b []byte) any { return float64(b[0]) }},
	103: {"temperatureSensor", 2, func(b []byte) any { return float64(i16(b)) / 10 }},
	104: {"humiditySensor", 1, func(b []byte) any { return float64(b[0]) / 2 }},
	113: {"accelerometer", 6, func(b []byte) any {
		return map[string]float64{"x": float64(i16(b)) / 1000, "y": float64(i16(b[2:])) / 1000, "z": float64(i16(b[4:])) / 1000}
	}},
	115: {"barometer", 2, func(b []byte) any { return float64(u16(b)) / 10 }},
	134: {"gyrometer", 6, func(b []byte) any {
		return map[string]float64{"x": float64(i16(b)) / 100, "y": float64(i16(b[2:])) / 100, "z": float64(i16(b[4:])) / 100}
	}},
	136: {"gpsLocation", 9, func(b []byte) any {
		return map[string]float64{
			"latitude":  float64(i24(b)) / 10000,
			"longitude": float64(i24(b[3:])) / 10000,
			"altitude":  float64(i24(b[6:])) / 100,
		}
	}},
}

// Decode parses an LPP payload: a sequence of (channel, type, value)
// records. It fails on an unknown type or a truncated record; an empty
// payload decodes to an empty object.
func Decode(b []byte) (map[string]any, error) {
	out := map[string]any{}
	for i := 0; i < len(b); {
		if len(b)-i < 2 {
			return nil, fmt.Errorf("cayenne: truncated record at byte %d", i)
		}
		ch, typ := b[i], b[i+1]
		k, ok := kinds[typ]
		if !ok {
			return nil, fmt.Errorf("cayenne: unknown type %d at byte %d", typ, i+1)
		}
		i += 2
		if len(b)-i < k.size {
			return nil, fmt.Errorf("cayenne: %s on channel %d needs %d bytes, has %d", k.name, ch, k.size, len(b)-i)
		}
		m, _ := out[k.name].(map[string]any)
		if m == nil {
			m = map[string]any{}
			out[k.name] = m
		}
		m[strconv.Itoa(int(ch))] = k.parse(b[i : i+k.size])
		i += k.size
	}
	return out, nil
}
