package api_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/router/api"
)

func TestLoadAdminTokens(t *testing.T) {
	other := strings.Repeat("Zz09-._~+/", 4) + "=="
	tests := []struct {
		name, body string
		want       []string
		err        string // in the error; "" for none
	}{
		{"one", adminToken + "\n", []string{adminToken}, ""},
		{"several with comments", "# rotated 2026-05\n\n  " + adminToken + "  \n" + other + "\r\n", []string{adminToken, other}, ""},
		{"empty", "# nothing\n\n", nil, "no token"},
		{"short", "secret\n", nil, "line 1: a token of 6 characters is too short"},
		{"spaces", adminToken + " " + adminToken + "\n", nil, "characters"},
		{"org key prefix", "hxk_" + adminToken + "\n", nil, "hxk_"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tokens")
			if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := api.LoadAdminTokens(path)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("LoadAdminTokens = %v, %v; want an error with %q", got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("tokens (-want +got):\n%s", d)
			}
		})
	}
}

func TestLoadAdminTokensMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(path, []byte(adminToken+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := api.LoadAdminTokens(path)
	if !errors.Is(err, api.ErrTokenFileMode) || !strings.Contains(err.Error(), "chmod 600 "+path) {
		t.Errorf("world-readable token file: %v; want api.ErrTokenFileMode saying chmod 600", err)
	}
	if _, err := api.LoadAdminTokens(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing token file: %v; want os.ErrNotExist", err)
	}
}
