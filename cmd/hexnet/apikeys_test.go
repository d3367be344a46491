package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hexnet/hexnet/router/api"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

// TestCLISendsToken: the router commands send --api-token, else
// HEXNET_API_TOKEN, as a bearer token, wherever the flag is.
func TestCLISendsToken(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Write([]byte("[]"))
	}))
	defer srv.Close()
	tests := []struct {
		name, env string
		args      []string
		want      string
	}{
		{"flag first", "", []string{"--api", srv.URL, "--api-token", "tok1", "org", "list"}, "Bearer tok1"},
		{"flag first, = form", "", []string{"--api-token=tok2", "--api=" + srv.URL, "app", "list"}, "Bearer tok2"},
		{"flag after", "", []string{"device", "list", "--api", srv.URL, "--api-token", "tok3"}, "Bearer tok3"},
		{"env", "tok4", []string{"--api", srv.URL, "route", "list"}, "Bearer tok4"},
		{"flag over env", "tok5", []string{"--api", srv.URL, "--api-token", "tok6", "balance", "show"}, "Bearer tok6"},
		{"org apikey", "tok7", []string{"--api", srv.URL, "org", "apikey", "list", "acme"}, "Bearer tok7"},
		{"none", "", []string{"--api", srv.URL, "org", "list"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HEXNET_API_TOKEN", tc.env)
			mu.Lock()
			got = nil
			mu.Unlock()
			if code, _, errOut := cli(t, tc.args...); code != 0 {
				t.Fatalf("hexnet %v: exit %d: %s", tc.args, code, errOut)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("Authorization sent %q, want [%q]", got, tc.want)
			}
		})
	}
}

// TestOrgAPIKeys drives apikey new and org apikey against a router API
// that wants tokens.
func TestOrgAPIKeys(t *testing.T) {
	t.Setenv("HEXNET_API_TOKEN", "")
	code, out, _ := cli(t, "apikey", "new")
	admin := strings.TrimSpace(out)
	if b, err := hex.DecodeString(admin); code != 0 || err != nil || len(b) != 32 {
		t.Fatalf("apikey new: exit %d, %q: want 64 hex digits", code, out)
	}
	if _, again, _ := cli(t, "apikey", "new"); strings.TrimSpace(again) == admin {
		t.Error("apikey new printed the same token twice")
	}
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "router.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Store: st, AdminTokens: []string{admin}}))
	t.Cleanup(srv.Close)
	as := func(token string, args ...string) (int, string, string) {
		return cli(t, append([]string{"--api", srv.URL, "--api-token", token}, args...)...)
	}
	if code, _, errOut := cli(t, "--api", srv.URL, "org", "add", "--id", "acme"); code != 1 || !strings.Contains(errOut, "HEXNET_API_TOKEN") {
		t.Errorf("org add without a token: exit %d, %s; want 1 saying how to send one", code, errOut)
	}
	if code, _, errOut := as(admin, "org", "add", "--id", "acme"); code != 0 {
		t.Fatalf("org add: exit %d: %s", code, errOut)
	}
	code, out, errOut := as(admin, "org", "apikey", "create", "acme")
	var k struct{ ID, Key string }
	if code != 0 || json.Unmarshal([]byte(out), &k) != nil || !strings.HasPrefix(k.Key, "hxk_") || !strings.Contains(errOut, "shown this once") {
		t.Fatalf("org apikey create: exit %d, stdout %s, stderr %s", code, out, errOut)
	}
	if _, list, _ := as(admin, "org", "apikey", "list", "acme"); !strings.Contains(list, k.ID) || strings.Contains(list, k.Key[len(k.Key)-64:]) {
		t.Errorf("org apikey list: %s; want the key's ID without its secret", list)
	}
	steps := []struct {
		token string
		args  []string
		code  int
		want  string // in stdout (exit 0) or stderr
	}{
		{k.Key, []string{"app", "add", "--id", "meters", "--org", "acme"}, 0, `"organisation":"acme"`},
		{k.Key, []string{"balance", "add", "--org", "acme", "--dc", "5"}, 1, "403"},
		{k.Key, []string{"org", "apikey", "list", "acme"}, 1, "403"},
		{admin, []string{"org", "apikey", "list", "acme"}, 0, `"id":"` + k.ID + `"`},
		{admin, []string{"org", "apikey", "revoke", "acme"}, 2, "KEY-ID"},
		{admin, []string{"org", "apikey", "revoke", "acme", k.ID, "extra"}, 2, "extra"},
		{admin, []string{"org", "apikey", "revoke", "acme", k.ID}, 0, "revoked " + k.ID},
		{k.Key, []string{"app", "list"}, 1, "401"},
	}
	for _, s := range steps {
		code, out, errOut := as(s.token, s.args...)
		got := out
		if code != 0 {
			got = errOut
		}
		if code != s.code || !strings.Contains(got, s.want) {
			t.Errorf("hexnet %s: exit %d\nstdout %s\nstderr %s\nwant exit %d with %q", strings.Join(s.args, " "), code, out, errOut, s.code, s.want)
		}
	}
	code, _, errOut = cli(t, "help")
	for _, want := range []string{"--api-token", "HEXNET_API_TOKEN", "apikey new", "org apikey create ORG", "org apikey revoke ORG KEY-ID"} {
		if code != 0 || !strings.Contains(errOut, want) {
			t.Errorf("help (exit %d) does not document %q", code, want)
		}
	}
}
