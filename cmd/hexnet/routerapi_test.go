package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router/api"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

// routerAPI serves the router's management API over a real SQLite store.
func routerAPI(t *testing.T) (string, *sqlitestore.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "router.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Store: st}))
	t.Cleanup(srv.Close)
	return srv.URL, st
}

// TestRouterManagement drives the org, app, device, route and balance
// commands against a real router API.
func TestRouterManagement(t *testing.T) {
	url, st := routerAPI(t)
	steps := []struct {
		args   []string
		code   int
		stdout string // a substring of stdout (exit 0) or stderr (otherwise)
	}{
		{[]string{"org", "add", "--id", "acme", "--name", "Acme", "--api", url}, 0, `"id":"acme"`},
		{[]string{"--api", url, "org", "add", "--id", "acme"}, 1, "409"},
		{[]string{"--api=" + url, "app", "add", "--id", "meters", "--org", "acme"}, 0, `"organisation":"acme"`},
		{[]string{"--api", url, "app", "add", "--id", "x", "--org", "nobody"}, 1, "404"},
		{[]string{"--api", url, "balance", "add", "--org", "acme", "--dc", "500"}, 0, `"balance_dc":500`},
		{[]string{"--api", url, "device", "add", "--app", "meters", "--dev-eui", "70b3d57ed0000001", "--join-eui", "0000000000000001",
			"--app-key", "2b7e151628aed2a6abf7158809cf4f3c", "--mac-version", "1.0.3"}, 0, `"otaa":true`},
		{[]string{"--api", url, "device", "add", "--app", "meters", "--dev-eui", "70b3d57ed0000002", "--join-eui", "0000000000000001",
			"--app-key", "2b7e151628aed2a6abf7158809cf4f3c", "--nwk-key", "000102030405060708090a0b0c0d0e0f", "--mac-version", "1.1.0"}, 0, `"mac_version":"1.1.0"`},
		{[]string{"--api", url, "device", "add", "--app", "meters", "--dev-eui", "70b3d57ed0000009", "--join-eui", "0000000000000001",
			"--app-key", "2b7e151628aed2a6abf7158809cf4f3c", "--mac-version", "9.9"}, 1, "400"},
		{[]string{"--api", url, "device", "add-abp", "--app", "meters", "--dev-eui", "70b3d57ed0000003", "--dev-addr", "26011f88",
			"--nwk-s-key", "000102030405060708090a0b0c0d0e0f", "--app-s-key", "0f0e0d0c0b0a09080706050403020100", "--mac-version", "1.0.4", "--fcnt-up", "5"}, 0, `"otaa":false`},
		{[]string{"--api", url, "device", "list", "--app", "meters"}, 0, "70b3d57ed0000003"},
		{[]string{"--api", url, "route", "add", "--id", "r1", "--org", "acme", "--net-id", "000013", "--devaddr", "26000000-26ffffff",
			"--eui", "0000000000000001", "--eui", "0000000000000002:70b3d57ed0000002", "--max-copies", "2"}, 0, `"max_copies":2`},
		{[]string{"--api", url, "route", "add", "--org", "acme", "--net-id", "000024", "--devaddr", "48000000-4800ffff", "--gwmp", "ns.example.org:1700"}, 0, `"destination":"gwmp"`},
		{[]string{"--api", url, "route", "list", "--org", "acme"}, 0, `"id":"r1"`},
		{[]string{"--api", url, "balance", "show"}, 0, `[{"organisation":"acme","balance_dc":500}]`},
		{[]string{"--api", url, "balance", "show", "--org", "acme"}, 0, `"entries":[{"amount_dc":500`},
		{[]string{"--api", url, "org", "list"}, 0, `"balance_dc":500`},
		{[]string{"--api", url, "app", "list"}, 0, `"id":"meters"`},
		{[]string{"--api", url, "app", "delete", "--id", "meters"}, 1, "409"},
		{[]string{"--api", url, "device", "delete", "--dev-eui", "70b3d57ed0000002"}, 0, "deleted"},
		{[]string{"--api", url, "route", "delete", "--id", "r1"}, 0, "deleted"},
		{[]string{"--api", url, "route", "delete", "--id", "r1"}, 1, "404"},
	}
	for _, s := range steps {
		code, out, errOut := cli(t, s.args...)
		got := out
		if code != 0 {
			got = errOut
		}
		if code != s.code || !strings.Contains(got, s.stdout) {
			t.Errorf("hexnet %s: exit %d\nstdout %s\nstderr %s\nwant exit %d with %q", strings.Join(s.args, " "), code, out, errOut, s.code, s.stdout)
		}
	}
	d, err := st.GetDevice(context.Background(), lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0, 0, 1})
	if err != nil || d.Application != "meters" || !d.OTAA || d.AppKey.String() != "2b7e151628aed2a6abf7158809cf4f3c" {
		t.Errorf("stored device %+v, %v", d, err)
	}
}

func TestRouterManagementUsage(t *testing.T) {
	cases := [][]string{
		{"org", "add"},
		{"app", "add", "--id", "x"},
		{"device", "add", "--app", "meters"},
		{"device", "add-abp", "--app", "meters", "--dev-eui", "70b3d57ed0000003"},
		{"device", "delete"},
		{"route", "add", "--org", "acme"},
		{"route", "add", "--org", "acme", "--net-id", "000013", "--devaddr", "26000000"},
		{"balance", "add", "--org", "acme", "--dc", "0"},
		{"org", "delete"},
		{"org", "list", "--no-such-flag"},
	}
	for _, args := range cases {
		if code, _, _ := cli(t, args...); code != 2 {
			t.Errorf("hexnet %v: exit %d, want 2", args, code)
		}
	}
	code, _, errOut := cli(t, "help")
	for _, want := range []string{"device add --app APP --dev-eui HEX --join-eui HEX --app-key HEX [--nwk-key HEX]", "route add", "balance add", "HEXNET_ROUTER_API"} {
		if code != 0 || !strings.Contains(errOut, want) {
			t.Errorf("help (exit %d) does not document %q", code, want)
		}
	}
}
