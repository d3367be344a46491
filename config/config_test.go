package config

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type sample struct {
	MQTT    string        `toml:"mqtt" help:"broker URL"`
	Window  time.Duration `toml:"dedup_window" help:"dedup window"`
	Count   int           `toml:"count" help:"a count"`
	Verbose bool          `toml:"verbose" help:"more logs"`
	Ratio   float64       `toml:"ratio" help:"a ratio"`
	Tags    []string      `toml:"tags" help:"tags"`
	skipped string        // unexported: never configured
}

func (s *sample) Validate() error {
	if s.Count < 0 {
		return Errorf("count", "must not be negative, got %d", s.Count)
	}
	return nil
}

func defaults() *sample {
	return &sample{MQTT: "tcp://127.0.0.1:1883", Window: 200 * time.Millisecond, Count: 1, Ratio: 0.5}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, "mqtt = \"tcp://file:1\"\ncount = 5\ndedup_window = \"1s\"\ntags = [\"a\"]\n")
	t.Setenv("HEXNET_COUNT", "7")
	t.Setenv("HEXNET_VERBOSE", "true")
	cfg := defaults()
	rest, err := Load("x", cfg, []string{"--config", file, "--dedup-window", "300ms", "--tags", "b, c", "extra"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.skipped = "kept"
	want := &sample{skipped: "kept", MQTT: "tcp://file:1", Window: 300 * time.Millisecond, Count: 7, Verbose: true, Ratio: 0.5, Tags: []string{"b", "c"}}
	if diff := cmp.Diff(want, cfg, cmp.AllowUnexported(sample{})); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"extra"}, rest); diff != "" {
		t.Errorf("rest (-want +got):\n%s", diff)
	}
}

func TestErrorsNameTheField(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		field string
	}{
		{"bad flag value", []string{"--count", "many"}, nil, "count"},
		{"bad env value", nil, map[string]string{"HEXNET_DEDUP_WINDOW": "soon"}, "dedup_window"},
		{"validation", []string{"--count", "-3"}, nil, "count"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, err := Load("x", defaults(), c.args, io.Discard)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Fatalf("err = %v, want a FieldError for %s", err, c.field)
			}
			if !strings.Contains(err.Error(), "--"+strings.ReplaceAll(c.field, "_", "-")) {
				t.Errorf("error %q does not name the flag", err)
			}
		})
	}
}

func TestUnknownFileKey(t *testing.T) {
	file := writeFile(t, "mqqt = \"typo\"\n")
	_, err := Load("x", defaults(), []string{"--config", file}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "mqqt") {
		t.Fatalf("err = %v, want it to name the unknown key", err)
	}
}

func TestPrintRoundTrips(t *testing.T) {
	cfg := defaults()
	cfg.Tags = []string{"x", "y"}
	cfg.Verbose = true
	var buf bytes.Buffer
	if err := Print(&buf, "x", cfg); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "# broker URL") {
		t.Errorf("printed config has no help comments:\n%s", buf.String())
	}
	file := writeFile(t, buf.String())
	back := &sample{}
	if _, err := Load("x", back, []string{"--config", file}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cfg, back, cmp.AllowUnexported(sample{})); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestHelp(t *testing.T) {
	var buf bytes.Buffer
	_, err := Load("x", defaults(), []string{"-h"}, &buf)
	if !IsHelp(err) {
		t.Fatalf("err = %v, want help", err)
	}
	if !strings.Contains(buf.String(), "HEXNET_DEDUP_WINDOW") {
		t.Errorf("usage does not mention the environment:\n%s", buf.String())
	}
}
