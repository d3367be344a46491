package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/config"
)

type cfg struct {
	Listen string `toml:"listen" help:"where to listen"`
	Level  string `toml:"log_level" help:"log level"`
}

func (c *cfg) Validate() error {
	if c.Listen == "" {
		return config.Errorf("listen", "must not be empty")
	}
	return nil
}

func program(run func(context.Context, []string) error) (Program, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return Program{Name: "demo", Config: &cfg{Listen: ":1", Level: "info"}, Run: run, Stdout: &out, Stderr: &errOut}, &out, &errOut
}

func TestExitStatus(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		runErr error
		want   int
		stderr string
	}{
		{"ok", nil, nil, 0, ""},
		{"run fails", nil, errors.New("boom"), 1, "demo: boom"},
		{"cancelled is clean", nil, context.Canceled, 0, ""},
		{"config error names field", []string{"--listen", ""}, nil, 2, "listen"},
		{"unknown flag", []string{"--nope"}, nil, 2, "nope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, _, stderr := program(func(context.Context, []string) error { return c.runErr })
			if got := p.Exec(c.args); got != c.want {
				t.Errorf("exit %d, want %d (stderr %q)", got, c.want, stderr)
			}
			if !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, c.stderr)
			}
		})
	}
}

func TestConfigSubcommand(t *testing.T) {
	p, out, _ := program(nil)
	if got := p.Exec([]string{"config", "--listen", "127.0.0.1:9"}); got != 0 {
		t.Fatalf("exit %d", got)
	}
	if !strings.Contains(out.String(), `listen = "127.0.0.1:9"`) || !strings.Contains(out.String(), "# where to listen") {
		t.Errorf("config output:\n%s", out)
	}
}

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	log, err := Logger(&buf, "warn")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown")
	if strings.Contains(buf.String(), "hidden") || !strings.Contains(buf.String(), "shown") {
		t.Errorf("log output %q", buf.String())
	}
	if _, err := Logger(&buf, "loud"); err == nil {
		t.Error("bad level accepted")
	}
}
