package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"net/url"
)

const (
	usageAPIKeyNew       = "apikey new"
	usageOrgAPIKeyCreate = "org apikey create ORG [--api URL] [--api-token TOKEN]"
	usageOrgAPIKeyList   = "org apikey list ORG [--api URL] [--api-token TOKEN]"
	usageOrgAPIKeyRevoke = "org apikey revoke ORG KEY-ID [--api URL] [--api-token TOKEN]"
)

// runAPIKeyNew prints a random admin token for the router's
// --api-admin-token-file: 256 bits as 64 hex digits.
func runAPIKeyNew(_ context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("apikey new", flag.ContinueOnError)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected %q: %s", errUsage, fs.Arg(0), usageAPIKeyNew)
	}
	b := make([]byte, 32)
	rand.Read(b)
	fmt.Fprintln(e.stdout, hex.EncodeToString(b))
	return nil
}

// runOrgAPIKeyCreate makes an organisation API key; the router shows its
// secret this once.
func runOrgAPIKeyCreate(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("org apikey create")
	pos, err := positionals(fs, args, 1, usageOrgAPIKeyCreate)
	if err != nil {
		return err
	}
	if err := callRouter(ctx, e, http.MethodPost, *api, keysPath(pos[0]), nil); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "The key is shown this once: store it now. Revoke it with: hexnet org apikey revoke %s KEY-ID\n", pos[0])
	return nil
}

// runOrgAPIKeyList lists an organisation's keys, without their secrets.
func runOrgAPIKeyList(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("org apikey list")
	pos, err := positionals(fs, args, 1, usageOrgAPIKeyList)
	if err != nil {
		return err
	}
	return callRouter(ctx, e, http.MethodGet, *api, keysPath(pos[0]), nil)
}

// runOrgAPIKeyRevoke revokes an organisation's key at once.
func runOrgAPIKeyRevoke(ctx context.Context, e *env, args []string) error {
	fs, api := routerFlags("org apikey revoke")
	pos, err := positionals(fs, args, 2, usageOrgAPIKeyRevoke)
	if err != nil {
		return err
	}
	if err := callRouter(ctx, e, http.MethodDelete, *api, keysPath(pos[0])+"/"+url.PathEscape(pos[1]), nil); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "revoked %s\n", pos[1])
	return nil
}

// keysPath is the API path of an organisation's keys.
func keysPath(org string) string { return "/organisations/" + url.PathEscape(org) + "/api-keys" }

// positionals reads exactly n positional arguments, before, between or
// after the flags.
func positionals(fs *flag.FlagSet, args []string, n int, usage string) ([]string, error) {
	var out []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		if len(out) == n {
			return nil, fmt.Errorf("%w: unexpected %q: %s", errUsage, fs.Arg(0), usage)
		}
		out = append(out, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(out) < n {
		return nil, fmt.Errorf("%w: %s", errUsage, usage)
	}
	return out, nil
}
