package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
)

// routerAPIDefault is the router's management API (router --api-listen).
func routerAPIDefault() string {
	if v := os.Getenv("HEXNET_ROUTER_API"); v != "" {
		return v
	}
	return "http://127.0.0.1:8081"
}

// routerEndpoint is where the router's API answers and the bearer token
// sent to it.
type routerEndpoint struct {
	URL   string
	Token string // an admin token or an organisation API key; "" sends none
}

// routerFlags starts the flag set of a router-API command: --api and
// --api-token.
func routerFlags(name string) (*flag.FlagSet, *routerEndpoint) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	ep := &routerEndpoint{}
	fs.StringVar(&ep.URL, "api", routerAPIDefault(), "the router's management API (router --api-listen)")
	fs.StringVar(&ep.Token, "api-token", os.Getenv("HEXNET_API_TOKEN"),
		"the router API's admin token or an organisation API key (env HEXNET_API_TOKEN)")
	return fs, ep
}

// globalFlags may come before the command: hexnet --api URL --api-token
// TOKEN device add …
var globalFlags = []string{"api", "api-token"}

// liftGlobalAPI moves leading global flags (--api URL, --api-token TOKEN,
// or --flag=value) behind the command, where each command's own flags read
// them.
func liftGlobalAPI(args []string) []string {
	var lifted []string
	for len(args) > 0 {
		n := globalFlagLen(args)
		if n == 0 {
			break
		}
		lifted = append(lifted, args[:n]...)
		args = args[n:]
	}
	return append(append([]string{}, args...), lifted...)
}

// globalFlagLen is how many arguments the global flag at args[0] takes up
// with its value: 0 if it is none, 1 for --flag=value, 2 for --flag value.
func globalFlagLen(args []string) int {
	name := strings.TrimPrefix(strings.TrimPrefix(args[0], "-"), "-")
	if name == args[0] {
		return 0
	}
	for _, g := range globalFlags {
		switch {
		case strings.HasPrefix(name, g+"="):
			return 1
		case name == g && len(args) >= 2:
			return 2
		}
	}
	return 0
}

// callRouter sends a request to the router's API and prints the JSON
// answer; a non-2xx answer is an error carrying the API's message.
func callRouter(ctx context.Context, e *env, method string, api routerEndpoint, path string, body any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(api.URL, "/")+"/api/v1"+path, rd)
	if err != nil {
		return fmt.Errorf("%w: --api %q: %v", errUsage, api.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if api.Token != "" {
		req.Header.Set("Authorization", "Bearer "+api.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w (is the router running with --api-listen? set --api or HEXNET_ROUTER_API)", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("%s: %s (send the router's admin token or an organisation API key with --api-token or HEXNET_API_TOKEN)",
			resp.Status, strings.TrimSpace(string(out)))
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(out)))
	}
	if len(bytes.TrimSpace(out)) > 0 {
		fmt.Fprintln(e.stdout, strings.TrimSpace(string(out)))
	}
	return nil
}

// required fails with a usage error naming the missing flags.
func required(usage string, flags map[string]string) error {
	var missing []string
	for name, v := range flags {
		if v == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return fmt.Errorf("%w: %s is required: %s", errUsage, strings.Join(missing, ", "), usage)
}

// query builds "?k=v" from the non-empty pairs.
func query(kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
