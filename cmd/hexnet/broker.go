package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/hexnet/hexnet/brokerauth/mosquitto"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/store/backend"
)

// list is a repeatable string flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// runMosquittoConfig writes Mosquitto's password file, ACL file and
// configuration for hexnet's broker policy: the services get full access,
// every hotspot (from the registry and --hotspot) a password derived from
// the operator's secret and its own topics only.
func runMosquittoConfig(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("broker mosquitto-config", flag.ContinueOnError)
	out := fs.String("out", "", "directory to write passwords, acl and mosquitto.conf into")
	secretPath := fs.String("secret", "", "the operator's broker secret (base64); created with a new random secret if missing")
	db := fs.String("db", "", "the oracle's store (postgres://… or sqlite://PATH): every onboarded hotspot gets a password")
	listen := fs.String("listen", "0.0.0.0:1883", "Mosquitto's listener, HOST:PORT")
	var hotspots, services, anon list
	fs.Var(&hotspots, "hotspot", "a hotspot address to include (repeatable; for hotspots not onboarded)")
	fs.Var(&services, "service", "a service account with full access (repeatable; default router and oracle)")
	fs.Var(&anon, "anonymous-read", "topic prefix anonymous clients may read (repeatable; default hexnet/app/)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" || *secretPath == "" {
		return fmt.Errorf("%w: broker mosquitto-config --out DIR --secret FILE [--db URL] [--hotspot ADDRESS ...]", errUsage)
	}
	secret, created, err := mosquitto.LoadSecret(*secretPath, true)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(e.stderr, "created a new broker secret in %s: keep it; every password derives from it\n", *secretPath)
	}
	cfg := &mosquitto.Config{Secret: secret, Services: orDefault(services, "router", "oracle"),
		AnonymousRead: orDefault(anon, "hexnet/app/"), Listen: *listen}
	if cfg.Hotspots, err = hotspotsToAdmit(ctx, *db, hotspots); err != nil {
		return err
	}
	if err := mosquitto.Write(cfg, *out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d hotspots, services %s; reload Mosquitto (SIGHUP) to apply; hand each owner `hexnet broker password --user ADDRESS`\n",
		*out, len(cfg.Hotspots), strings.Join(cfg.Services, ", "))
	return nil
}

func orDefault(l list, def ...string) []string {
	if len(l) == 0 {
		return def
	}
	return l
}

// hotspotsToAdmit is the registry's onboarded hotspots (when db is set) and
// the extra addresses.
func hotspotsToAdmit(ctx context.Context, db string, extra []string) ([]identity.Address, error) {
	var out []identity.Address
	for _, a := range extra {
		if !identity.Address(a).Valid() {
			return nil, fmt.Errorf("%w: --hotspot %q is not a hotspot address", errUsage, a)
		}
		out = append(out, identity.Address(a))
	}
	if db == "" {
		return out, nil
	}
	st, err := backend.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	onboarded, err := st.ListOnboarded(ctx)
	if err != nil {
		return nil, fmt.Errorf("list onboarded hotspots: %w", err)
	}
	for _, h := range onboarded {
		out = append(out, h.Address)
	}
	return out, nil
}

// runBrokerPassword prints one account's Mosquitto password: for a hotspot
// owner (hotspotd --mqtt-password) or a service.
func runBrokerPassword(_ context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("broker password", flag.ContinueOnError)
	secretPath := fs.String("secret", "", "the operator's broker secret")
	user := fs.String("user", "", "a hotspot address or a service name")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *secretPath == "" || *user == "" {
		return fmt.Errorf("%w: broker password --secret FILE --user ADDRESS|SERVICE", errUsage)
	}
	secret, _, err := mosquitto.LoadSecret(*secretPath, false)
	if err != nil {
		return err
	}
	pw, err := mosquitto.Password(secret, *user)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, pw)
	return nil
}
