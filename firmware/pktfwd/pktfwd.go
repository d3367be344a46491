// Package pktfwd writes the global_conf.json of the packet forwarder that
// runs next to hotspotd: Semtech's packet_forwarder for SX1301 boards and
// the SX1302 HAL's lora_pkt_fwd for SX1302/SX1303 boards. The radio part —
// radio centres, channel offsets, the single-SF channel, TX frequency range
// — comes from a region.Plan; the board part (radio type, RSSI offsets, TX
// gain tables of Semtech's reference designs) from templates embedded in
// the binary. A board whose vendor ships its own TX gain table should keep
// the vendor's table.
//
// antenna_gain is always 0 in the generated file: hotspotd already caps
// the power it asks for at the region's EIRP minus the antenna gain
// (its antenna_gain setting), and lora_pkt_fwd would subtract the gain a
// second time.
//
// The package is pure and CGO-free; it is linked into hotspotd.
package pktfwd

import (
	"bytes"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"github.com/hexnet/hexnet/region"
)

// Chips hotspotd writes configurations for.
const (
	ChipSX1301 = "sx1301" // Semtech packet_forwarder, SX1301_conf
	ChipSX1302 = "sx1302" // sx1302_hal lora_pkt_fwd, SX130x_conf (SX1302 and SX1303)
)

// Chips lists the known chips.
func Chips() []string { return []string{ChipSX1301, ChipSX1302} }

// Errors of Config; compare with errors.Is.
var (
	ErrUnknownChip = errors.New("pktfwd: unknown concentrator chip")
	ErrLayout      = errors.New("pktfwd: channels do not fit the concentrator")
	ErrNoTXBand    = errors.New("pktfwd: no TX frequency range for region")
	ErrGatewayEUI  = errors.New("pktfwd: gateway EUI must be 16 hex digits")
	ErrServer      = errors.New("pktfwd: bad server address or port")
)

//go:embed templates/*.json.tmpl
var templates embed.FS

var tmpl = template.Must(template.New("").Funcs(template.FuncMap{"json": toJSON}).ParseFS(templates, "templates/*.json.tmpl"))

// txBands are the frequency ranges a gateway may transmit in, per plan:
// downlinks and beacons (which use uplink channels) must both fit.
var txBands = map[string][2]uint32{
	"AS923-1": {915_000_000, 928_000_000},
	"AS923-2": {915_000_000, 928_000_000},
	"AS923-3": {915_000_000, 928_000_000},
	"AS923-4": {915_000_000, 928_000_000},
	"AU915":   {915_000_000, 928_000_000},
	"CN779":   {779_000_000, 787_000_000},
	"EU433":   {433_050_000, 434_790_000},
	"EU868":   {863_000_000, 870_000_000},
	"IN865":   {865_000_000, 867_000_000},
	"KR920":   {920_900_000, 923_300_000},
	"RU864":   {864_000_000, 870_000_000},
	"US915":   {902_000_000, 928_000_000},
}

// params is what the templates fill in.
type params struct {
	RadioType string
	Radios    [2]uint32
	TXMin     uint32
	TXMax     uint32
	MultiSF   [multiSFChannels]IFChannel
	Enabled   [multiSFChannels]bool
	Std       *StdChannel
	SFs       []int
	GatewayID string
	Server    string
	PortUp    int
	PortDown  int
}

// Config returns the global_conf.json for chip ("sx1301" or "sx1302") that
// makes the forwarder listen on the plan's channels and send to hotspotd
// at serverHost:portUp/portDown. gatewayEUI is 16 hex digits; hotspotd
// identifies itself by its key and ignores it, but the forwarder needs one.
func Config(p region.Plan, chip, serverHost string, portUp, portDown int, gatewayEUI string) ([]byte, error) {
	t := tmpl.Lookup(chip + ".json.tmpl")
	if t == nil {
		return nil, fmt.Errorf("%w %q; known chips: %s", ErrUnknownChip, chip, strings.Join(Chips(), ", "))
	}
	prm, err := paramsOf(p, chip, serverHost, portUp, portDown, gatewayEUI)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, prm); err != nil {
		return nil, fmt.Errorf("pktfwd: %s template: %w", chip, err)
	}
	if !json.Valid(b.Bytes()) {
		return nil, fmt.Errorf("pktfwd: %s template gave invalid JSON", chip)
	}
	return b.Bytes(), nil
}

func paramsOf(p region.Plan, chip, server string, portUp, portDown int, eui string) (*params, error) {
	id, err := gatewayID(eui)
	if err != nil {
		return nil, err
	}
	if err := checkServer(server, portUp, portDown); err != nil {
		return nil, err
	}
	band, ok := txBands[p.Name]
	if !ok {
		return nil, fmt.Errorf("%w %s", ErrNoTXBand, p.Name)
	}
	l, err := PlanLayout(p)
	if err != nil {
		return nil, err
	}
	prm := &params{
		RadioType: radioType(chip, band[0]), Radios: l.RadioHz, TXMin: band[0], TXMax: band[1],
		Std: l.Std, SFs: spreadingFactors(p), GatewayID: id, Server: server, PortUp: portUp, PortDown: portDown,
	}
	for i := range prm.MultiSF {
		if i < len(l.MultiSF) {
			prm.MultiSF[i], prm.Enabled[i] = l.MultiSF[i], true
		}
	}
	return prm, nil
}

// radioType is the front-end radio of Semtech's reference design: SX1250
// on SX1302 boards, SX1257 on SX1301 boards (SX1255 below 500 MHz).
func radioType(chip string, lowHz uint32) string {
	switch {
	case chip == ChipSX1302:
		return "SX1250"
	case lowHz < 500_000_000:
		return "SX1255"
	}
	return "SX1257"
}

// gatewayID normalises a gateway EUI to the forwarder's 16 upper-case hex
// digits.
func gatewayID(eui string) (string, error) {
	b, err := hex.DecodeString(eui)
	if err != nil || len(b) != 8 {
		return "", fmt.Errorf("%w, got %q", ErrGatewayEUI, eui)
	}
	return strings.ToUpper(eui), nil
}

func checkServer(host string, up, down int) error {
	switch {
	case host == "" || strings.ContainsAny(host, " \t\"\\/"):
		return fmt.Errorf("%w: host %q", ErrServer, host)
	case up < 1 || up > 65535:
		return fmt.Errorf("%w: up port %d", ErrServer, up)
	case down < 1 || down > 65535:
		return fmt.Errorf("%w: down port %d", ErrServer, down)
	}
	return nil
}

// toJSON renders a template value as a JSON literal.
func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
