// Command hexnet is the owner's and operator's command line:
//
//	hexnet keygen --out FILE
//	hexnet hotspot onboard --owner-key FILE --hotspot-key FILE [--api URL]
//	hexnet hotspot assert-location --owner-key FILE --hotspot ADDRESS --lat LAT --lng LNG
//	        [--gain DBI] [--elevation M] [--region EU868] [--nonce N] [--api URL]
//	hexnet [--api URL] hotspot status ADDRESS|NAME [--epochs N] [--rewards N]
//	hexnet epoch verify N --db URL --oracle ADDRESS [--solana-rpc URL]
//	hexnet broker mosquitto-config --out DIR --secret FILE [--db URL] [--hotspot ADDRESS]...
//	hexnet broker password --secret FILE --user ADDRESS|SERVICE
//	hexnet [--api URL] [--api-token TOKEN] org|app|device|route|balance ...   (the router's management API; see hexnet help)
//	hexnet apikey new   (a random admin token for router --api-admin-token-file)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand; args exclude its name.
type command struct {
	usage string
	run   func(ctx context.Context, env *env, args []string) error
}

// env is what commands write to.
type env struct {
	stdout, stderr io.Writer
}

var commands = map[string]command{
	"keygen":                  {"keygen --out FILE: create a key (Solana keypair file, mode 0600)", runKeygen},
	"hotspot onboard":         {"hotspot onboard --owner-key FILE --hotspot-key FILE [--api URL]: register a hotspot to its owner", runOnboard},
	"epoch verify":            {"epoch verify N --db URL --oracle ADDRESS [--solana-rpc URL] [--grace D] [--emission N]: recompute epoch N from the stored signed reports and check its root against the stored one and the memos on chain", runEpochVerify},
	"broker mosquitto-config": {"broker mosquitto-config --out DIR --secret FILE [--db URL] [--hotspot ADDRESS]... [--service NAME]... [--anonymous-read PREFIX]... [--listen HOST:PORT]: write Mosquitto's password file, ACL (each hotspot publishes only under its own id) and configuration", runMosquittoConfig},
	"broker password":         {"broker password --secret FILE --user ADDRESS|SERVICE: print the Mosquitto password of a hotspot (hotspotd --mqtt-password) or a service", runBrokerPassword},
	"hotspot status":          {usageStatus + ": a hotspot's status, name, owner and location, its reports of the latest epochs with each verdict in plain words, and its rewards with their transactions (NAME as in the map, e.g. brisk-amber-otter)", runStatus},
	"hotspot assert-location": {"hotspot assert-location --owner-key FILE --hotspot ADDRESS --lat LAT --lng LNG [--gain DBI] [--elevation M] [--region R] [--nonce N] [--api URL]", runAssertLocation},
	// The router's management API (router --api-listen; --api, HEXNET_ROUTER_API;
	// --api-token, HEXNET_API_TOKEN).
	"org add":           {usageOrgAdd + ": create an organisation (it pays for its applications' traffic in data credits)", runOrgAdd},
	"org list":          {"org list [--api URL]: organisations with their balances", runOrgList},
	"org delete":        {"org delete --id ID [--api URL]: delete an organisation without applications or routes", deleteByID("org delete", "organisations")},
	"app add":           {usageAppAdd + ": create an application of an organisation", runAppAdd},
	"app list":          {"app list [--org ORG] [--api URL]", runAppList},
	"app delete":        {"app delete --id ID [--api URL]: delete an application without devices", deleteByID("app delete", "applications")},
	"device add":        {usageDeviceAdd + ": register an OTAA device (--nwk-key only for 1.1.0)", runDeviceAdd},
	"device add-abp":    {usageDeviceAddABP + ": register an ABP device with its session (--nwk-s-key for 1.0.x)", runDeviceAddABP},
	"device list":       {"device list [--app APP] [--api URL]", runDeviceList},
	"device update":     {usageDeviceUpdate + ": change a device's name, class (A|C) or its OTAA root keys (--nwk-key only for 1.1.0); what is not given stays, the session and used DevNonces too", runDeviceUpdate},
	"device delete":     {"device delete --dev-eui HEX [--api URL]", runDeviceDelete},
	"route add":         {usageRouteAdd + ": buy an organisation's traffic (max copies per frame) for the built-in network server or a GWMP endpoint", runRouteAdd},
	"route list":        {"route list [--org ORG] [--api URL]", runRouteList},
	"route delete":      {"route delete --id ID [--api URL]", deleteByID("route delete", "routes")},
	"balance add":       {usageBalanceAdd + ": fund an organisation's data-credit balance", runBalanceAdd},
	"balance show":      {"balance show [--org ORG] [--api URL]: every balance, or one organisation's with its latest charges", runBalanceShow},
	"apikey new":        {usageAPIKeyNew + ": print a random admin token for the router's --api-admin-token-file: (umask 077; hexnet apikey new >> FILE)", runAPIKeyNew},
	"org apikey create": {usageOrgAPIKeyCreate + ": make an API key of the organisation (its applications, devices, queues and routes; its balance read-only), shown once; needs an admin token", runOrgAPIKeyCreate},
	"org apikey list":   {usageOrgAPIKeyList + ": the organisation's API keys, without their secrets", runOrgAPIKeyList},
	"org apikey revoke": {usageOrgAPIKeyRevoke + ": revoke an organisation API key at once", runOrgAPIKeyRevoke},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(execute(ctx, &env{stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:]))
}

// execute dispatches to the longest matching command name.
func execute(ctx context.Context, e *env, args []string) int {
	args = liftGlobalAPI(args)
	for n := min(3, len(args)); n >= 1; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			if err := c.run(ctx, e, args[n:]); err != nil {
				fmt.Fprintf(e.stderr, "hexnet %s: %v\n", strings.Join(args[:n], " "), err)
				if errors.Is(err, errUsage) {
					return 2
				}
				return 1
			}
			return 0
		}
	}
	help(e.stderr)
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		return 0
	}
	return 2
}

var errUsage = errors.New("usage")

func help(w io.Writer) {
	fmt.Fprintln(w, "hexnet: the owner's and operator's command line. Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  hexnet %s\n", commands[n].usage)
	}
	fmt.Fprintln(w, "Flags also read HEXNET_API (the oracle's address, default http://127.0.0.1:8080) and, for org, app, device,")
	fmt.Fprintln(w, "route and balance, HEXNET_ROUTER_API (the router's --api-listen, default http://127.0.0.1:8081).")
	fmt.Fprintln(w, "The router's API wants a bearer token: --api-token TOKEN or HEXNET_API_TOKEN, its admin token (router")
	fmt.Fprintln(w, "--api-admin-token-file) or an organisation API key (hexnet org apikey create ORG).")
	fmt.Fprintln(w, "--api URL and --api-token TOKEN may also come first: hexnet --api http://HOST:PORT --api-token TOKEN device add ...")
}
