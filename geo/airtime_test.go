package geo

import (
	"errors"
	"testing"
	"time"

	"github.com/brocaar/lorawan/airtime"
)

func TestTimeOnAir(t *testing.T) {
	up := func(sf int) LoRa { return LoRa{SpreadingFactor: sf, BandwidthHz: 125000, CodingRate: 1, CRC: true} }
	tests := []struct {
		name  string
		m     LoRa
		bytes int
		want  time.Duration // by hand from the formula
	}{
		// Ts 1.024 ms; 12.25 + 8 + ⌈120/28⌉·5 = 45.25 symbols
		{"SF7 13 B", up(7), 13, 46336 * time.Microsecond},
		// Ts 32.768 ms, DE on; 12.25 + 8 + ⌈100/40⌉·5 = 35.25 symbols
		{"SF12 13 B", up(12), 13, 1155072 * time.Microsecond},
		// Ts 4.096 ms; 12.25 + 8 + ⌈192/36⌉·5 = 50.25 symbols (a join request)
		{"SF9 23 B", up(9), 23, 205824 * time.Microsecond},
		// Downlink without CRC: Ts 1.024 ms; 12.25 + 8 + ⌈264/28⌉·5 = 70.25 symbols
		{"SF7 33 B downlink", LoRa{SpreadingFactor: 7, BandwidthHz: 125000, CodingRate: 1}, 33, 71936 * time.Microsecond},
		// Tiny frame: numerator negative, payload part is 8 symbols
		{"SF12 0 B no CRC", LoRa{SpreadingFactor: 12, BandwidthHz: 125000, CodingRate: 1}, 0, time.Duration(20.25 * 32.768 * float64(time.Millisecond))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TimeOnAir(tt.m, tt.bytes)
			if err != nil || got != tt.want {
				t.Errorf("TimeOnAir = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestTimeOnAirMatchesBrocaar cross-checks the formula against an
// independent implementation over the whole LoRaWAN range.
func TestTimeOnAirMatchesBrocaar(t *testing.T) {
	for sf := 7; sf <= 12; sf++ {
		for _, bw := range []int{125, 250, 500} {
			for pl := 0; pl <= 255; pl += 17 {
				m := LoRa{SpreadingFactor: sf, BandwidthHz: bw * 1000, CodingRate: 1, CRC: true}
				got, err := TimeOnAir(m, pl)
				if err != nil {
					t.Fatal(err)
				}
				ldro := float64(int(1)<<sf)/float64(bw) >= 16 // symbol of 16 ms or more, in ms
				want, err := airtime.CalculateLoRaAirtime(pl, sf, bw, 8, airtime.CodingRate45, true, ldro)
				if err != nil {
					t.Fatal(err)
				}
				if d := got - want; d > 2*time.Microsecond || d < -2*time.Microsecond {
					t.Errorf("SF%d BW%d %d B: %v, brocaar %v", sf, bw, pl, got, want)
				}
			}
		}
	}
}

func TestTimeOnAirErrors(t *testing.T) {
	good := LoRa{SpreadingFactor: 7, BandwidthHz: 125000, CodingRate: 1}
	bad := []struct {
		name  string
		m     LoRa
		bytes int
	}{
		{"SF13", LoRa{SpreadingFactor: 13, BandwidthHz: 125000, CodingRate: 1}, 10},
		{"no bandwidth", LoRa{SpreadingFactor: 7, CodingRate: 1}, 10},
		{"coding rate 0", LoRa{SpreadingFactor: 7, BandwidthHz: 125000}, 10},
		{"payload too long", good, 256},
	}
	for _, tt := range bad {
		if _, err := TimeOnAir(tt.m, tt.bytes); !errors.Is(err, ErrLoRaParams) {
			t.Errorf("%s: error %v, want ErrLoRaParams", tt.name, err)
		}
	}
}

func TestParseCodingRate(t *testing.T) {
	for s, want := range map[string]int{"4/5": 1, "4/6": 2, "4/7": 3, "4/8": 4} {
		if got, err := ParseCodingRate(s); err != nil || got != want {
			t.Errorf("ParseCodingRate(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "4/4", "5/5", "4/9", "45", "off"} {
		if _, err := ParseCodingRate(s); !errors.Is(err, ErrLoRaParams) {
			t.Errorf("ParseCodingRate(%q) error = %v, want ErrLoRaParams", s, err)
		}
	}
}
