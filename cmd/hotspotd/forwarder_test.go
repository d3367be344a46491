package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestForwarderConfig: `hotspotd forwarder-config` prints a global_conf.json
// that points the forwarder at hotspotd's default GWMP address.
func TestForwarderConfig(t *testing.T) {
	for _, tc := range []struct {
		chip, section string
	}{{"sx1302", "SX130x_conf"}, {"sx1301", "SX1301_conf"}} {
		res := execute(t, "forwarder-config", "--region", "EU868", "--chip", tc.chip)
		if res.Code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.chip, res.Code, res.Stderr)
		}
		var conf map[string]map[string]any
		if err := json.Unmarshal([]byte(res.Stdout), &conf); err != nil {
			t.Fatalf("%s: stdout is not JSON: %v\n%s", tc.chip, err, res.Stdout)
		}
		if conf[tc.section] == nil {
			t.Errorf("%s: no %s object", tc.chip, tc.section)
		}
		gw := conf["gateway_conf"]
		if gw["server_address"] != "127.0.0.1" || gw["serv_port_up"] != 1680.0 || gw["serv_port_down"] != 1680.0 {
			t.Errorf("%s: gateway_conf %v, want 127.0.0.1:1680 (hotspotd's default gwmp_listen)", tc.chip, gw)
		}
	}
	res := execute(t, "forwarder-config", "--region", "us915", "--chip", "sx1302", "--server", "10.0.0.2", "--port", "1700", "--gateway-eui", "0016c001ff10a235")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	for _, want := range []string{`"server_address": "10.0.0.2"`, `"serv_port_up": 1700`, `"gateway_ID": "0016C001FF10A235"`, `"freq": 904300000`} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("output lacks %s:\n%s", want, res.Stdout)
		}
	}
}

// TestForwarderConfigErrors: a bad flag is named, with the known values.
func TestForwarderConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no region", []string{"--chip", "sx1302"}, []string{"--region", "EU868", "US915"}},
		{"unknown region", []string{"--region", "XX999", "--chip", "sx1302"}, []string{"--region", "XX999", "EU868", "KR920"}},
		{"no chip", []string{"--region", "EU868"}, []string{"--chip", "sx1301, sx1302"}},
		{"unknown chip", []string{"--region", "EU868", "--chip", "sx1308"}, []string{"--chip", "sx1308", "sx1301, sx1302"}},
		{"bad eui", []string{"--region", "EU868", "--chip", "sx1302", "--gateway-eui", "xyz"}, []string{"--gateway-eui"}},
		{"bad port", []string{"--region", "EU868", "--chip", "sx1302", "--port", "0"}, []string{"--port"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := execute(t, append([]string{"forwarder-config"}, tc.args...)...)
			if res.Code == 0 {
				t.Fatalf("exit 0, want an error; stdout:\n%s", res.Stdout)
			}
			if res.Stdout != "" {
				t.Errorf("printed to stdout on error:\n%s", res.Stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, res.Stderr)
				}
			}
		})
	}
}

// TestRegionConfigErrors: a misspelt region or an implausible antenna gain
// stops hotspotd at start, naming the flag (and the known regions).
func TestRegionConfigErrors(t *testing.T) {
	key, _ := keyFile(t)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--region", "EU686"}, []string{"--region", "EU686", "EU868"}},
		{[]string{"--region", "EU868", "--antenna-gain", "45"}, []string{"--antenna-gain"}},
	} {
		res := execute(t, append([]string{"--key", key, "--mqtt", "tcp://127.0.0.1:1", "--metrics-listen", ""}, tc.args...)...)
		if res.Code != 2 {
			t.Errorf("%v: exit %d, want 2; stderr: %s", tc.args, res.Code, res.Stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(res.Stderr, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", tc.args, w, res.Stderr)
			}
		}
	}
}
