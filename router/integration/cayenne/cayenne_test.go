package cayenne

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string // JSON
	}{
		{"empty", nil, `{}`},
		{"temperature", []byte{0x03, 0x67, 0x01, 0x10}, `{"temperatureSensor":{"3":27.2}}`},
		{"negative temperature", []byte{0x05, 0x67, 0xFF, 0xD7}, `{"temperatureSensor":{"5":-4.1}}`},
		{"humidity", []byte{0x02, 0x68, 0x61}, `{"humiditySensor":{"2":48.5}}`},
		{"gps", []byte{0x01, 0x88, 0x06, 0x76, 0x5F, 0xF2, 0x96, 0x0A, 0x00, 0x03, 0xE8},
			`{"gpsLocation":{"1":{"latitude":42.3519,"longitude":-87.9094,"altitude":10}}}`},
		{"digital in/out", []byte{0x01, 0x00, 0x01, 0x02, 0x01, 0x00}, `{"digitalInput":{"1":1},"digitalOutput":{"2":0}}`},
		{"analog", []byte{0x04, 0x02, 0xFF, 0x38, 0x05, 0x03, 0x01, 0x2C}, `{"analogInput":{"4":-2},"analogOutput":{"5":3}}`},
		{"accelerometer", []byte{0x06, 0x71, 0x04, 0xD2, 0xFB, 0x2E, 0x00, 0x00},
			`{"accelerometer":{"6":{"x":1.234,"y":-1.234,"z":0}}}`},
		{"barometer", []byte{0x07, 0x73, 0x27, 0x77}, `{"barometer":{"7":1010.3}}`},
		{"multiple channels", []byte{0x03, 0x67, 0x01, 0x10, 0x05, 0x67, 0x00, 0xFF, 0x02, 0x68, 0x50},
			`{"temperatureSensor":{"3":27.2,"5":25.5},"humiditySensor":{"2":40}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			gb, _ := json.Marshal(got)
			var gotJSON map[string]any
			json.Unmarshal(gb, &gotJSON)
			if d := cmp.Diff(want, gotJSON); d != "" {
				t.Fatalf("-want +got:\n%s", d)
			}
		})
	}
}

func TestDecodeBad(t *testing.T) {
	for name, in := range map[string][]byte{
		"lone channel":  {0x01},
		"unknown type":  {0x01, 0xFE, 0x00},
		"short temp":    {0x03, 0x67, 0x01},
		"short gps":     {0x01, 0x88, 0x06, 0x76, 0x5F},
		"trailing byte": {0x02, 0x68, 0x61, 0x03},
		"missing value": {0x01, 0x00},
	} {
		if _, err := Decode(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x03, 0x67, 0x01, 0x10, 0x05, 0x67, 0x00, 0xFF})
	f.Add([]byte{0x01, 0x88, 0x06, 0x76, 0x5F, 0xF2, 0x96, 0x0A, 0x00, 0x03, 0xE8})
	f.Add([]byte{0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		if _, err := json.Marshal(m); err != nil {
			t.Fatalf("decoded object does not encode: %v", err)
		}
	})
}
