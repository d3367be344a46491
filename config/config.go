// Package config fills one configuration struct per binary from, in rising
// precedence, the struct's defaults, an optional TOML file, HEXNET_*
// environment variables and command-line flags, and prints the effective
// configuration back as a commented TOML file.
//
// Each exported field carries a `toml:"name"` tag and a `help:"..."` tag.
// The flag is --name with underscores turned into dashes; the environment
// variable is HEXNET_NAME in upper case. Supported field types: string,
// bool, int, int64, uint, uint32, float64, time.Duration and []string
// (comma-separated on flags and in the environment).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// Validator is implemented by configs that check themselves after loading.
type Validator interface {
	Validate() error
}

// FieldError names the field that is wrong and why.
type FieldError struct {
	Field   string // TOML name, e.g. "gwmp_listen"
	Problem string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("config %s (--%s, %s): %s", e.Field, flagName(e.Field), envName(e.Field), e.Problem)
}

// Errorf builds a FieldError.
func Errorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// ErrHelp is returned when -h or --help was asked for; usage was printed.
var ErrHelp = flag.ErrHelp

// Load fills cfg, a pointer to a struct holding its defaults, for the named
// binary from args (without the program name). It returns the arguments
// left after the flags.
func Load(name string, cfg any, args []string, stderr io.Writer) ([]string, error) {
	fields, err := fieldsOf(cfg)
	if err != nil {
		return nil, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", os.Getenv("HEXNET_CONFIG"), "optional TOML configuration file (env HEXNET_CONFIG)")
	raw := bindFlags(fs, fields)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *configPath != "" {
		if err := loadFile(*configPath, cfg); err != nil {
			return nil, err
		}
	}
	if err := applyEnv(fields); err != nil {
		return nil, err
	}
	if err := applyFlags(fs, fields, raw); err != nil {
		return nil, err
	}
	if v, ok := cfg.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	return fs.Args(), nil
}

func loadFile(path string, cfg any) error {
	md, err := toml.DecodeFile(path, cfg)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return fmt.Errorf("config file %s: unknown key %q (see `config` for the known ones)", path, undecoded[0].String())
	}
	return nil
}

func applyEnv(fields []field) error {
	for _, f := range fields {
		v, ok := os.LookupEnv(envName(f.name))
		if !ok {
			continue
		}
		if err := f.set(v); err != nil {
			return &FieldError{Field: f.name, Problem: fmt.Sprintf("environment %s=%q: %v", envName(f.name), v, err)}
		}
	}
	return nil
}

func applyFlags(fs *flag.FlagSet, fields []field, raw map[string]*rawValue) error {
	var err error
	fs.Visit(func(fl *flag.Flag) {
		r, ok := raw[fl.Name]
		if !ok || err != nil {
			return
		}
		f := fields[r.index]
		if e := f.set(r.value); e != nil {
			err = &FieldError{Field: f.name, Problem: fmt.Sprintf("flag --%s=%q: %v", fl.Name, r.value, e)}
		}
	})
	return err
}

// rawValue records a flag's text; it is applied after the file and the
// environment so that flags win.
type rawValue struct {
	index int
	value string
	bool  bool
}

func (r *rawValue) String() string     { return r.value }
func (r *rawValue) Set(s string) error { r.value = s; return nil }
func (r *rawValue) IsBoolFlag() bool   { return r.bool }

func bindFlags(fs *flag.FlagSet, fields []field) map[string]*rawValue {
	raw := map[string]*rawValue{}
	for i, f := range fields {
		r := &rawValue{index: i, value: f.format(), bool: f.v.Kind() == reflect.Bool}
		raw[flagName(f.name)] = r
		fs.Var(r, flagName(f.name), f.help+" (env "+envName(f.name)+")")
	}
	return raw
}

func flagName(tomlName string) string { return strings.ReplaceAll(tomlName, "_", "-") }

func envName(tomlName string) string { return "HEXNET_" + strings.ToUpper(tomlName) }

// Print writes cfg as a commented TOML file that Load accepts.
func Print(w io.Writer, name string, cfg any) error {
	fields, err := fieldsOf(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# Effective configuration of %s. Load it with --config FILE.\n", name)
	for _, f := range fields {
		fmt.Fprintf(w, "\n# %s\n# flag --%s, environment %s\n%s = %s\n", f.help, flagName(f.name), envName(f.name), f.name, f.tomlValue())
	}
	return nil
}

// IsHelp reports whether err means usage was printed on request.
func IsHelp(err error) bool { return errors.Is(err, flag.ErrHelp) }
