package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigErrors: bad configurations exit 2 before anything starts and
// name the field at fault.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // the field's flag, as the error names it
	}{
		{"db scheme", []string{"--db", "mysql://root@localhost/hexnet"}, "--db"},
		{"db empty", []string{"--db", ""}, "--db"},
		{"net id not hex", []string{"--net-id", "zzzzzz"}, "--net-id"},
		{"net id too short", []string{"--net-id", "0013"}, "--net-id"},
		{"dedup window too long", []string{"--dedup-window", "5s"}, "--dedup-window"},
		{"dedup window too short", []string{"--dedup-window", "1ms"}, "--dedup-window"},
		{"dedup window not a duration", []string{"--dedup-window", "soon"}, "--dedup-window"},
		{"mqtt not tcp", []string{"--mqtt", "http://x"}, "--mqtt"},
		{"bad log level", []string{"--log-level", "loud", "--db", "sqlite://" + filepath.Join(t.TempDir(), "unused.db")}, "--log-level"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := execute(t, tc.args...)
			if res.Code != 2 {
				t.Errorf("exit %d, want 2 (configuration error); stderr: %s", res.Code, res.Stderr)
			}
			if !strings.Contains(res.Stderr, tc.want) {
				t.Errorf("stderr does not name %s:\n%s", tc.want, res.Stderr)
			}
		})
	}
}

// TestConfigRoundTrip: `router config` prints commented TOML that --config
// accepts back unchanged.
func TestConfigRoundTrip(t *testing.T) {
	bin.CheckConfigRoundTrip(t, []string{"--db", "postgres://hexnet@db:5432/hexnet", "--net-id", "000013", "--dedup-window", "300ms"},
		`db = "postgres://hexnet@db:5432/hexnet"`, `net_id = "000013"`, `dedup_window = "300ms"`)
}
