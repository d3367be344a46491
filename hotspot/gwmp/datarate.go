package gwmp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Modulations of the "modu" field.
const (
	ModuLoRa = "LORA"
	ModuFSK  = "FSK"
)

// DataRate is a "datr" value: "SF7BW125" for LoRa, a bit rate in bit/s
// (a JSON number) for FSK.
type DataRate struct {
	SpreadingFactor int    // LoRa: 5..12; 0 for FSK
	BandwidthKHz    int    // LoRa: 125, 250, 500, ...
	BitRate         uint32 // FSK only
}

// LoRa returns the LoRa data rate for sf and bw (kHz).
func LoRa(sf, bwKHz int) DataRate {
	return DataRate{SpreadingFactor: sf, BandwidthKHz: bwKHz}
}

// IsLoRa reports whether d is a LoRa data rate.
func (d DataRate) IsLoRa() bool { return d.SpreadingFactor != 0 }

// String returns the protocol form: "SF7BW125", or the FSK bit rate.
func (d DataRate) String() string {
	if d.IsLoRa() {
		return "SF" + strconv.Itoa(d.SpreadingFactor) + "BW" + strconv.Itoa(d.BandwidthKHz)
	}
	return strconv.FormatUint(uint64(d.BitRate), 10)
}

// ParseDataRate parses a LoRa data rate such as "SF7BW125".
func ParseDataRate(s string) (DataRate, error) {
	rest, ok := strings.CutPrefix(s, "SF")
	sfs, bws, ok2 := strings.Cut(rest, "BW")
	if !ok || !ok2 {
		return DataRate{}, fmt.Errorf("%w: %q is not SFnBWn", ErrBadDataRate, s)
	}
	sf, err1 := strconv.Atoi(sfs)
	bw, err2 := strconv.Atoi(bws)
	if err1 != nil || err2 != nil || sf < 5 || sf > 12 || bw <= 0 || bw > 1625 {
		return DataRate{}, fmt.Errorf("%w: %q (SF 5..12, BW in kHz)", ErrBadDataRate, s)
	}
	return LoRa(sf, bw), nil
}

// MarshalJSON writes a string for LoRa and a number for FSK.
func (d DataRate) MarshalJSON() ([]byte, error) {
	if d.IsLoRa() {
		if d.SpreadingFactor < 5 || d.SpreadingFactor > 12 || d.BandwidthKHz <= 0 {
			return nil, fmt.Errorf("%w: SF %d BW %d", ErrBadDataRate, d.SpreadingFactor, d.BandwidthKHz)
		}
		return json.Marshal(d.String())
	}
	return json.Marshal(d.BitRate)
}

// UnmarshalJSON accepts "SFnBWn" or a bit rate number.
func (d *DataRate) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(b, []byte(`"`)) {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("%w: %w", ErrBadDataRate, err)
		}
		v, err := ParseDataRate(s)
		*d = v
		return err
	}
	var rate uint32
	if err := json.Unmarshal(b, &rate); err != nil {
		return fmt.Errorf("%w: %s", ErrBadDataRate, b)
	}
	*d = DataRate{BitRate: rate}
	return nil
}
