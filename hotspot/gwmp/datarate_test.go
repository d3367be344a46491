package gwmp

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseDataRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want DataRate
		err  error
	}{
		{"SF7BW125", LoRa(7, 125), nil},
		{"SF12BW500", LoRa(12, 500), nil},
		{"SF5BW250", LoRa(5, 250), nil},
		{"SF13BW125", DataRate{}, ErrBadDataRate},
		{"SF4BW125", DataRate{}, ErrBadDataRate},
		{"SF7BW0", DataRate{}, ErrBadDataRate},
		{"SF7", DataRate{}, ErrBadDataRate},
		{"BW125", DataRate{}, ErrBadDataRate},
		{"SFxBW125", DataRate{}, ErrBadDataRate},
		{"", DataRate{}, ErrBadDataRate},
	} {
		got, err := ParseDataRate(tc.in)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("ParseDataRate(%q) = %+v, %v; want %+v, %v", tc.in, got, err, tc.want, tc.err)
		}
		if tc.err == nil && got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
}

func TestDataRateJSON(t *testing.T) {
	for _, tc := range []struct {
		json string
		want DataRate
	}{
		{`"SF10BW125"`, LoRa(10, 125)},
		{`50000`, DataRate{BitRate: 50000}},
	} {
		var got DataRate
		if err := json.Unmarshal([]byte(tc.json), &got); err != nil || got != tc.want {
			t.Errorf("Unmarshal(%s) = %+v, %v; want %+v", tc.json, got, err, tc.want)
		}
		out, err := json.Marshal(got)
		if err != nil || string(out) != tc.json {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", got, out, err, tc.json)
		}
	}
	var d DataRate
	if err := json.Unmarshal([]byte(`true`), &d); !errors.Is(err, ErrBadDataRate) {
		t.Errorf("Unmarshal(true) error = %v, want ErrBadDataRate", err)
	}
}
