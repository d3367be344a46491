package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/hexnet/hexnet/firmware/pktfwd"
	"github.com/hexnet/hexnet/region"
)

// forwarderConfig prints the packet forwarder's global_conf.json for a
// region and concentrator chip:
//
//	hotspotd forwarder-config --region EU868 --chip sx1302 [--server 127.0.0.1 --port 1680 --gateway-eui HEX]
//
// The server and port default to hotspotd's own default gwmp_listen, so the
// two agree out of the box.
func forwarderConfig(args []string) error {
	return writeForwarderConfig(os.Stdout, args)
}

func writeForwarderConfig(w io.Writer, args []string) error {
	host, port := defaultGWMP()
	fs := flag.NewFlagSet("hotspotd forwarder-config", flag.ContinueOnError)
	reg := fs.String("region", "", "LoRaWAN region: "+strings.Join(region.Names(), ", "))
	chip := fs.String("chip", "", "concentrator chip: "+strings.Join(pktfwd.Chips(), ", ")+" (sx1302 also covers SX1303)")
	server := fs.String("server", host, "address the packet forwarder sends to (hotspotd's gwmp_listen host)")
	portFlag := fs.Int("port", port, "UDP port for serv_port_up and serv_port_down (hotspotd's gwmp_listen port)")
	eui := fs.String("gateway-eui", "0000000000000000", "gateway_ID, 16 hex digits (hotspotd identifies the hotspot by its key, not by this)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("forwarder-config: unexpected argument %q", fs.Arg(0))
	}
	plan, err := forwarderPlan(*reg)
	if err != nil {
		return err
	}
	if !knownChip(*chip) {
		return fmt.Errorf("forwarder-config: --chip %q: want one of %s", *chip, strings.Join(pktfwd.Chips(), ", "))
	}
	out, err := pktfwd.Config(plan, *chip, *server, *portFlag, *portFlag, *eui)
	switch {
	case errors.Is(err, pktfwd.ErrGatewayEUI):
		return fmt.Errorf("forwarder-config: --gateway-eui: %w", err)
	case errors.Is(err, pktfwd.ErrServer):
		return fmt.Errorf("forwarder-config: --server/--port: %w", err)
	case err != nil:
		return fmt.Errorf("forwarder-config: --region %s --chip %s: %w", plan.Name, *chip, err)
	}
	_, err = w.Write(out)
	return err
}

func forwarderPlan(name string) (region.Plan, error) {
	if name == "" {
		return region.Plan{}, fmt.Errorf("forwarder-config: --region is required; known regions: %s", strings.Join(region.Names(), ", "))
	}
	p, err := region.Lookup(name)
	if err != nil {
		return region.Plan{}, fmt.Errorf("forwarder-config: --region: %w", err)
	}
	return p, nil
}

func knownChip(chip string) bool {
	for _, c := range pktfwd.Chips() {
		if c == chip {
			return true
		}
	}
	return false
}

// defaultGWMP splits hotspotd's default gwmp_listen into host and port.
func defaultGWMP() (string, int) {
	host, p, err := net.SplitHostPort(defaults().GWMPListen)
	port, perr := strconv.Atoi(p)
	if err != nil || perr != nil {
		return "127.0.0.1", 1680
	}
	return host, port
}

// knownRegion reports whether name is a region plan (in any spelling
// region.Lookup accepts).
func knownRegion(name string) bool {
	_, err := region.Lookup(name)
	return err == nil
}
