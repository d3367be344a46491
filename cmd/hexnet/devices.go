package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

const (
	usageDeviceAdd = "device add --app APP --dev-eui HEX --join-eui HEX --app-key HEX [--nwk-key HEX] " +
		"--mac-version 1.0.2|1.0.3|1.0.4|1.1.0 [--name NAME] [--class A|C] [--api URL]"
	usageDeviceAddABP = "device add-abp --app APP --dev-eui HEX --dev-addr HEX --app-s-key HEX " +
		"(--nwk-s-key HEX | --f-nwk-s-int-key HEX --s-nwk-s-int-key HEX --nwk-s-enc-key HEX) " +
		"--mac-version 1.0.2|1.0.3|1.0.4|1.1.0 [--fcnt-up N] [--name NAME] [--class A|C] [--api URL]"
	usageDeviceUpdate = "device update --dev-eui HEX [--name NAME] [--class A|C] [--app-key HEX] [--nwk-key HEX] [--api URL]"
	usageRouteAdd     = "route add --org ORG --net-id HEX [--id ID] [--devaddr FIRST-LAST]... [--eui JOINEUI[:DEVEUI]]... " +
		"[--max-copies N] [--gwmp HOST:PORT] [--api URL]"
)

// runDeviceAdd registers an OTAA device.
func runDeviceAdd(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("device add")
	in := map[string]string{}
	for _, f := range []string{"app", "dev-eui", "join-eui", "app-key", "nwk-key", "mac-version", "name", "class"} {
		fs.Func(f, f, func(v string) error { in[f] = v; return nil })
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(usageDeviceAdd, map[string]string{"app": in["app"], "dev-eui": in["dev-eui"],
		"join-eui": in["join-eui"], "app-key": in["app-key"], "mac-version": in["mac-version"]}); err != nil {
		return err
	}
	body := map[string]string{"application": in["app"], "dev_eui": in["dev-eui"], "join_eui": in["join-eui"],
		"app_key": in["app-key"], "nwk_key": in["nwk-key"], "mac_version": in["mac-version"], "name": in["name"], "class": in["class"]}
	return callRouter(ctx, e, http.MethodPost, *api, "/devices", body)
}

// runDeviceAddABP registers an ABP device with its session.
func runDeviceAddABP(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("device add-abp")
	in := map[string]string{}
	for _, f := range []string{"app", "dev-eui", "join-eui", "dev-addr", "nwk-s-key", "f-nwk-s-int-key",
		"s-nwk-s-int-key", "nwk-s-enc-key", "app-s-key", "mac-version", "name", "class"} {
		fs.Func(f, f, func(v string) error { in[f] = v; return nil })
	}
	fcnt := fs.Uint("fcnt-up", 0, "the next uplink frame counter")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(usageDeviceAddABP, map[string]string{"app": in["app"], "dev-eui": in["dev-eui"],
		"dev-addr": in["dev-addr"], "app-s-key": in["app-s-key"], "mac-version": in["mac-version"]}); err != nil {
		return err
	}
	abp := map[string]any{"fcnt_up": *fcnt}
	for _, f := range []string{"dev-addr", "nwk-s-key", "f-nwk-s-int-key", "s-nwk-s-int-key", "nwk-s-enc-key", "app-s-key"} {
		if in[f] != "" {
			abp[strings.ReplaceAll(f, "-", "_")] = in[f]
		}
	}
	body := map[string]any{"application": in["app"], "dev_eui": in["dev-eui"], "join_eui": in["join-eui"],
		"mac_version": in["mac-version"], "name": in["name"], "class": in["class"], "abp": abp}
	return callRouter(ctx, e, http.MethodPost, *api, "/devices", body)
}

// runDeviceUpdate changes a device's name, class or OTAA root keys; what is not
// given stays as it is.
func runDeviceUpdate(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("device update")
	eui := fs.String("dev-eui", "", "the device's DevEUI")
	body := map[string]string{}
	for _, f := range []string{"name", "class", "app-key", "nwk-key"} {
		fs.Func(f, f, func(v string) error { body[strings.ReplaceAll(f, "-", "_")] = v; return nil })
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(usageDeviceUpdate, map[string]string{"dev-eui": *eui}); err != nil {
		return err
	}
	if len(body) == 0 {
		return fmt.Errorf("%w: nothing to change: give --name, --class, --app-key or --nwk-key: %s", errUsage, usageDeviceUpdate)
	}
	return callRouter(ctx, e, http.MethodPut, *api, "/devices/"+url.PathEscape(*eui), body)
}

func runDeviceList(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("device list")
	app := fs.String("app", "", "only this application's devices")
	if err := parse(fs, args); err != nil {
		return err
	}
	return callRouter(ctx, e, http.MethodGet, *api, "/devices"+query("application", *app), nil)
}

func runDeviceDelete(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("device delete")
	eui := fs.String("dev-eui", "", "the device's DevEUI")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("device delete --dev-eui HEX [--api URL]", map[string]string{"dev-eui": *eui}); err != nil {
		return err
	}
	if err := callRouter(ctx, e, http.MethodDelete, *api, "/devices/"+url.PathEscape(*eui), nil); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "deleted %s\n", *eui)
	return nil
}

// runRouteAdd adds a route: which frames an organisation buys (DevAddr
// ranges, EUI pairs), how many copies, and where they go.
func runRouteAdd(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("route add")
	id := fs.String("id", "", "route ID (default: generated)")
	org := fs.String("org", "", "the organisation that owns the route")
	netID := fs.String("net-id", "", "the organisation's LoRaWAN NetID (6 hex digits)")
	maxCopies := fs.Int("max-copies", 0, "copies of each frame to buy; 0: every copy")
	gwmp := fs.String("gwmp", "", "forward to this external network server (GWMP UDP host:port); default: the built-in network server")
	var ranges, euis list
	fs.Var(&ranges, "devaddr", "a DevAddr range FIRST-LAST (hex); repeatable")
	fs.Var(&euis, "eui", "a JOINEUI or JOINEUI:DEVEUI pair (hex); repeatable")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(usageRouteAdd, map[string]string{"org": *org, "net-id": *netID}); err != nil {
		return err
	}
	body, err := routeBody(*id, *org, *netID, *maxCopies, *gwmp, ranges, euis)
	if err != nil {
		return err
	}
	return callRouter(ctx, e, http.MethodPost, *api, "/routes", body)
}

func routeBody(id, org, netID string, maxCopies int, gwmp string, ranges, euis []string) (map[string]any, error) {
	rs := []map[string]string{}
	for _, r := range ranges {
		first, last, ok := strings.Cut(r, "-")
		if !ok {
			return nil, fmt.Errorf("%w: --devaddr %q: want FIRST-LAST, e.g. 26000000-26ffffff", errUsage, r)
		}
		rs = append(rs, map[string]string{"first": first, "last": last})
	}
	ps := []map[string]string{}
	for _, p := range euis {
		join, dev, _ := strings.Cut(p, ":")
		ps = append(ps, map[string]string{"join_eui": join, "dev_eui": dev})
	}
	body := map[string]any{"id": id, "organisation": org, "net_id": netID, "max_copies": maxCopies,
		"devaddr_ranges": rs, "eui_pairs": ps, "destination": "builtin"}
	if gwmp != "" {
		body["destination"], body["gwmp_address"] = "gwmp", gwmp
	}
	return body, nil
}

func runRouteList(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("route list")
	org := fs.String("org", "", "only this organisation's routes")
	if err := parse(fs, args); err != nil {
		return err
	}
	return callRouter(ctx, e, http.MethodGet, *api, "/routes"+query("organisation", *org), nil)
}
