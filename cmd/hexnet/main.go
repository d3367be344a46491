// Command hexnet is the owner's and operator's command line:
//
//	hexnet keygen --out FILE
//	hexnet hotspot onboard --owner-key FILE --hotspot-key FILE [--api URL]
//	hexnet hotspot assert-location --owner-key FILE --hotspot ADDRESS --lat LAT --lng LNG
//	        [--gain DBI] [--elevation M] [--region EU868] [--nonce N] [--api URL]
//	hexnet epoch verify N --db URL --oracle ADDRESS [--solana-rpc URL]
//	hexnet broker mosquitto-config --out DIR --secret FILE [--db URL] [--hotspot ADDRESS]...
//	hexnet broker password --secret FILE --user ADDRESS|SERVICE
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
	"hotspot assert-location": {"hotspot assert-location --owner-key FILE --hotspot ADDRESS --lat LAT --lng LNG [--gain DBI] [--elevation M] [--region R] [--nonce N] [--api URL]", runAssertLocation},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(execute(ctx, &env{stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:]))
}

// execute dispatches to the longest matching command name.
func execute(ctx context.Context, e *env, args []string) int {
	for n := min(2, len(args)); n >= 1; n-- {
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
	fmt.Fprintln(w, "Flags also read HEXNET_API (the oracle's address, default http://127.0.0.1:8080).")
}
