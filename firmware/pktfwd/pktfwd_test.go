package pktfwd

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/region"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

const testEUI = "0016c001ff10a235"

// TestConfigGolden: one global_conf.json per region and chip, compared with
// testdata/<region>.<chip>.json (rewritten with -update), and each one
// parsed back and checked as a forwarder would read it.
func TestConfigGolden(t *testing.T) {
	plans, err := region.Plans()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		for _, chip := range Chips() {
			t.Run(p.Name+"/"+chip, func(t *testing.T) {
				got, err := Config(p, chip, "127.0.0.1", 1680, 1680, testEUI)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, p.Name+"."+chip+".json", got)
				checkShape(t, p, chip, got)
			})
		}
	}
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); rerun with -update if the change is intended:\n%s", path, diff)
	}
}

// conf is the part of global_conf.json a forwarder's parser reads.
type conf struct {
	Radio0  radio  `json:"radio_0"`
	Radio1  radio  `json:"radio_1"`
	Std     ifChan `json:"chan_Lora_std"`
	Gateway struct {
		ID       string `json:"gateway_ID"`
		Server   string `json:"server_address"`
		PortUp   int    `json:"serv_port_up"`
		PortDown int    `json:"serv_port_down"`
	} `json:"gateway_conf"`
}

type radio struct {
	Enable   bool   `json:"enable"`
	Type     string `json:"type"`
	Freq     int64  `json:"freq"`
	TXEnable bool   `json:"tx_enable"`
	TXMin    int64  `json:"tx_freq_min"`
	TXMax    int64  `json:"tx_freq_max"`
}

type ifChan struct {
	Enable    bool  `json:"enable"`
	Radio     int   `json:"radio"`
	IF        int64 `json:"if"`
	Bandwidth int64 `json:"bandwidth"`
}

// checkShape parses the file back: the chip's section exists, both radios
// run, every enabled channel is within its radio's window and is one of the
// plan's channels, every beacon channel is heard and TX covers them.
func checkShape(t *testing.T, p region.Plan, chip string, raw []byte) {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	section := map[string]string{ChipSX1301: "SX1301_conf", ChipSX1302: "SX130x_conf"}[chip]
	var sx map[string]json.RawMessage
	if err := json.Unmarshal(top[section], &sx); err != nil || sx == nil {
		t.Fatalf("no %s object: %v", section, err)
	}
	var c conf
	if err := json.Unmarshal(top[section], &c); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if !c.Radio0.Enable || !c.Radio1.Enable || !c.Radio0.TXEnable || c.Radio1.TXEnable {
		t.Errorf("radios %+v %+v: want both enabled, TX on radio_0 only", c.Radio0, c.Radio1)
	}
	if c.Gateway.ID != strings.ToUpper(testEUI) || c.Gateway.Server != "127.0.0.1" || c.Gateway.PortUp != 1680 || c.Gateway.PortDown != 1680 {
		t.Errorf("gateway_conf %+v", c.Gateway)
	}
	centres := []int64{c.Radio0.Freq, c.Radio1.Freq}
	heard := map[int64]bool{}
	for i := range multiSFChannels {
		var ch ifChan
		if err := json.Unmarshal(sx["chan_multiSF_"+string(rune('0'+i))], &ch); err != nil {
			t.Fatalf("chan_multiSF_%d: %v", i, err)
		}
		if !ch.Enable {
			continue
		}
		if ch.Radio < 0 || ch.Radio > 1 || ch.IF < -maxIF || ch.IF > maxIF {
			t.Errorf("chan_multiSF_%d %+v outside its radio's ±%d kHz", i, ch, maxIF/1000)
			continue
		}
		heard[centres[ch.Radio]+ch.IF] = true
	}
	for _, bc := range region.BeaconChannels(p) {
		f := int64(bc.FrequencyHz)
		if !heard[f] {
			t.Errorf("beacon channel %d Hz not heard", f)
		}
		if f < c.Radio0.TXMin || f > c.Radio0.TXMax {
			t.Errorf("beacon channel %d Hz outside TX range %d–%d", f, c.Radio0.TXMin, c.Radio0.TXMax)
		}
	}
	if len(heard) != len(region.BeaconChannels(p)) {
		t.Errorf("%d channels heard, plan has %d", len(heard), len(region.BeaconChannels(p)))
	}
	if rx2 := int64(p.RX2.FrequencyHz); rx2 < c.Radio0.TXMin || rx2 > c.Radio0.TXMax {
		t.Errorf("RX2 %d Hz outside TX range", rx2)
	}
	if c.Std.Enable && (c.Std.IF < -maxStdIF || c.Std.IF > maxStdIF || c.Std.Bandwidth <= narrowHz) {
		t.Errorf("chan_Lora_std %+v", c.Std)
	}
}

func TestPlanLayout(t *testing.T) {
	us, _ := region.Lookup("US915")
	l, err := PlanLayout(us)
	if err != nil {
		t.Fatal(err)
	}
	want := Layout{
		RadioHz: [2]uint32{904_300_000, 905_100_000},
		MultiSF: []IFChannel{
			{903_900_000, 0, -400_000}, {904_100_000, 0, -200_000}, {904_300_000, 0, 0}, {904_500_000, 0, 200_000},
			{904_700_000, 0, 400_000}, {904_900_000, 1, -200_000}, {905_100_000, 1, 0}, {905_300_000, 1, 200_000},
		},
		Std: &StdChannel{IFChannel: IFChannel{904_600_000, 0, 300_000}, BandwidthHz: 500_000, SpreadingFactor: 8},
	}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("US915 layout (-want +got):\n%s", diff)
	}
	in, _ := region.Lookup("IN865")
	if l, err := PlanLayout(in); err != nil || l.RadioHz != [2]uint32{865_232_500, 865_985_000} {
		t.Errorf("IN865 radios %v, %v: want 865.2325 and 865.985 MHz (the three channels span 922.5 kHz)", l.RadioHz, err)
	}
}

func TestLayoutTooWide(t *testing.T) {
	p := region.Plan{Name: "WIDE", DataRates: []region.DataRate{{Index: 0, SpreadingFactor: 12, BandwidthHz: 125_000, Uplink: true}}}
	for _, f := range []uint32{868_100_000, 869_100_000, 870_100_000} {
		p.UplinkChannels = append(p.UplinkChannels, region.Channel{FrequencyHz: f})
	}
	if _, err := PlanLayout(p); !errors.Is(err, ErrLayout) {
		t.Errorf("three channels 1 MHz apart: err %v, want ErrLayout", err)
	}
	if _, err := PlanLayout(region.Plan{Name: "EMPTY"}); !errors.Is(err, ErrLayout) {
		t.Errorf("no channels: err %v, want ErrLayout", err)
	}
}

func TestConfigErrors(t *testing.T) {
	eu, _ := region.Lookup("EU868")
	odd := eu
	odd.Name = "XX999"
	tests := []struct {
		name   string
		plan   region.Plan
		chip   string
		server string
		up     int
		eui    string
		want   error
	}{
		{"chip", eu, "sx1308", "127.0.0.1", 1680, testEUI, ErrUnknownChip},
		{"eui short", eu, ChipSX1302, "127.0.0.1", 1680, "0016c001", ErrGatewayEUI},
		{"eui not hex", eu, ChipSX1302, "127.0.0.1", 1680, "0016c001ff10a2zz", ErrGatewayEUI},
		{"port", eu, ChipSX1302, "127.0.0.1", 70000, testEUI, ErrServer},
		{"host", eu, ChipSX1302, `a"b`, 1680, testEUI, ErrServer},
		{"no band", odd, ChipSX1301, "127.0.0.1", 1680, testEUI, ErrNoTXBand},
	}
	for _, tt := range tests {
		if _, err := Config(tt.plan, tt.chip, tt.server, tt.up, tt.up, tt.eui); !errors.Is(err, tt.want) {
			t.Errorf("%s: err %v, want %v", tt.name, err, tt.want)
		}
	}
	_, err := Config(eu, "sx1308", "127.0.0.1", 1, 1, testEUI)
	if err == nil || !strings.Contains(err.Error(), "sx1301, sx1302") {
		t.Errorf("unknown chip error %v does not list the known chips", err)
	}
}

// TestEveryPlanHasATXBand: adding a plan to region without its TX range
// here fails loudly.
func TestEveryPlanHasATXBand(t *testing.T) {
	for _, name := range region.Names() {
		if _, ok := txBands[name]; !ok {
			t.Errorf("no TX band for %s", name)
		}
	}
}
