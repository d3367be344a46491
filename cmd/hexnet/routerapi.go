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

// routerFlags starts the flag set of a router-API command.
func routerFlags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	return fs, fs.String("api", routerAPIDefault(), "the router's management API (router --api-listen)")
}

// liftGlobalAPI moves a leading "--api URL" (hexnet --api URL device add …)
// behind the command, where each command's own --api flag reads it.
func liftGlobalAPI(args []string) []string {
	switch {
	case len(args) >= 2 && (args[0] == "--api" || args[0] == "-api"):
		return append(append([]string{}, args[2:]...), "--api", args[1])
	case len(args) >= 1 && (strings.HasPrefix(args[0], "--api=") || strings.HasPrefix(args[0], "-api=")):
		return append(append([]string{}, args[1:]...), args[0])
	}
	return args
}

// callRouter sends a request to the router's API and prints the JSON
// answer; a non-2xx answer is an error carrying the API's message.
func callRouter(ctx context.Context, e *env, method, api, path string, body any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(api, "/")+"/api/v1"+path, rd)
	if err != nil {
		return fmt.Errorf("%w: --api %q: %v", errUsage, api, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w (is the router running with --api-listen? set --api or HEXNET_ROUTER_API)", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
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
